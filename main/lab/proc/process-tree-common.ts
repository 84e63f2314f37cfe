/**
 * What every per-OS tree reader shares: the reader interface, state letters, and the
 * CPU-percent bookkeeping (the difference of CPU time between two samples).
 */
import type { OsProcess, OsState, OsTree } from '../../../shared/contract/os'
import { PROCESS_TREE_FORGET_MS } from '../../../shared/budgets'

export interface TreeReader {
  readonly source: OsTree['source']
  /** What this OS, read this way, cannot tell (shown to the learner as is). */
  readonly limits: string[]
  /** The process `rootPid` and all its descendants, parents before children; null if `rootPid` does not exist. */
  readTree(rootPid: number): Promise<OsProcess[] | null>
  /** One process with its threads; null if it does not exist. */
  readProcess(pid: number): Promise<OsProcess | null>
}

/** Linux and macOS `ps` state letters (the first letter of STAT) to a normalised state. */
export function stateFromLetter(letter: string): OsState {
  switch (letter[0]) {
    case 'R':
      return 'running'
    case 'S':
      return 'sleeping'
    case 'D':
    case 'U': // macOS: uninterruptible wait
      return 'disk-sleep'
    case 'T':
    case 't':
      return 'stopped'
    case 'Z':
      return 'zombie'
    case 'X':
    case 'x':
      return 'dead'
    case 'I':
      return 'idle'
    default:
      return 'unknown'
  }
}

/** Orders processes depth-first from `rootPid` (parents before children, siblings by PID); drops those not under it. */
export function depthFirst<T extends { pid: number; ppid: number }>(items: T[], rootPid: number): T[] {
  const byParent = new Map<number, T[]>()
  let root: T | undefined
  for (const item of items) {
    if (item.pid === rootPid) root = item
    else {
      const siblings = byParent.get(item.ppid)
      if (siblings) siblings.push(item)
      else byParent.set(item.ppid, [item])
    }
  }
  if (!root) return []
  const out: T[] = []
  const seen = new Set<number>()
  const visit = (node: T) => {
    if (seen.has(node.pid)) return
    seen.add(node.pid)
    out.push(node)
    for (const child of (byParent.get(node.pid) ?? []).sort((a, b) => a.pid - b.pid)) visit(child)
  }
  visit(root)
  return out
}

interface CpuMark {
  cpuMs: number
  at: number
  /** Distinguishes a reused id from the same process or thread. */
  startKey: number
}

/** Intervals shorter than this give noisy percentages at 10 ms clock ticks: keep the older mark. */
const MIN_INTERVAL_MS = 200
/** Marks not refreshed for this long are forgotten, so the map cannot grow without bound. */
const FORGET_MS = PROCESS_TREE_FORGET_MS

/**
 * CPU percent (of one core) from total CPU time: against the previous sample of the same
 * process or thread when there is one at least 200 ms old, else averaged since it started.
 */
export class CpuTracker {
  private readonly marks = new Map<string, CpuMark>()
  private lastPrune = 0

  percent(key: string, startKey: number, cpuMs: number, now: number, startedAt: number | undefined): { percent: number; basis: 'interval' | 'lifetime' } {
    const mark = this.marks.get(key)
    if (mark && mark.startKey === startKey && now - mark.at >= 50) {
      const percent = Math.max(0, ((cpuMs - mark.cpuMs) / (now - mark.at)) * 100)
      if (now - mark.at >= MIN_INTERVAL_MS) this.marks.set(key, { cpuMs, at: now, startKey })
      return { percent: round1(percent), basis: 'interval' }
    }
    if (!mark || mark.startKey !== startKey) this.marks.set(key, { cpuMs, at: now, startKey })
    const lived = startedAt !== undefined ? now - startedAt : 0
    return { percent: lived > 0 ? round1(Math.max(0, (cpuMs / lived) * 100)) : 0, basis: 'lifetime' }
  }

  /** Drops marks older than a minute (call once per sample). */
  prune(now: number): void {
    if (now - this.lastPrune < 5_000) return
    this.lastPrune = now
    for (const [key, mark] of this.marks) if (now - mark.at > FORGET_MS) this.marks.delete(key)
  }
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10
}
