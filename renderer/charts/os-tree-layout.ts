/**
 * Pure helpers for the live process tree: build indented rows from the OS's flat list, and
 * remember which processes are new (highlight) and which just exited (shown fading for a
 * while). No Vue, no DOM: unit-tested in tests/unit/proc-ui-tree.test.ts.
 */
import type { OsProcess, OsTreeSnapshot } from '../../shared/contract/os'

export interface TreeRow {
  proc: OsProcess
  depth: number
  hasChildren: boolean
  /** Appeared in a recent snapshot (highlighted for a moment). */
  isNew: boolean
  /** Gone from the OS; kept a little while so the learner sees it leave. */
  exited: boolean
}

/**
 * Depth-first rows from a flat list: children under their parent (by PPID), siblings by PID.
 * A process whose parent is not in the list is a root (the list's `rootPid` first). Processes
 * under a collapsed PID are left out. Cycles (PID reuse races) cannot loop: each PID is visited once.
 */
export function buildTreeRows(
  processes: readonly OsProcess[],
  opts: { rootPid?: number; newPids?: ReadonlySet<number>; exitedPids?: ReadonlySet<number>; collapsed?: ReadonlySet<number> } = {},
): TreeRow[] {
  const byPid = new Map<number, OsProcess>()
  for (const p of processes) if (!byPid.has(p.pid)) byPid.set(p.pid, p)
  const children = new Map<number, OsProcess[]>()
  const roots: OsProcess[] = []
  for (const p of byPid.values()) {
    if (p.pid !== opts.rootPid && p.ppid !== p.pid && byPid.has(p.ppid)) {
      let list = children.get(p.ppid)
      if (!list) children.set(p.ppid, (list = []))
      list.push(p)
    } else roots.push(p)
  }
  roots.sort((a, b) => (a.pid === opts.rootPid ? -1 : b.pid === opts.rootPid ? 1 : a.pid - b.pid))
  for (const list of children.values()) list.sort((a, b) => a.pid - b.pid)
  const rows: TreeRow[] = []
  const seen = new Set<number>()
  const visit = (p: OsProcess, depth: number) => {
    if (seen.has(p.pid)) return
    seen.add(p.pid)
    const kids = children.get(p.pid) ?? []
    rows.push({ proc: p, depth, hasChildren: kids.length > 0, isNew: opts.newPids?.has(p.pid) ?? false, exited: opts.exitedPids?.has(p.pid) ?? false })
    if (opts.collapsed?.has(p.pid)) return
    for (const k of kids) visit(k, depth + 1)
  }
  for (const r of roots) visit(r, 0)
  return rows
}

/** How long a new process stays highlighted, and an exited one stays visible, in ms. */
export const HIGHLIGHT_MS = 3000
export const FADE_MS = 4000

export interface TreeTracker {
  /** The last snapshot's processes, by PID. */
  live: Map<number, OsProcess>
  /** PID → when it was first seen (for the highlight). */
  seenAt: Map<number, number>
  /** Exited processes still shown: PID → the last state we had and when it left. */
  ghosts: Map<number, { proc: OsProcess; goneAt: number }>
  /** TID → when it was first seen. */
  threadSeenAt: Map<number, number>
  first: boolean
}

export function newTracker(): TreeTracker {
  return { live: new Map(), seenAt: new Map(), ghosts: new Map(), threadSeenAt: new Map(), first: true }
}

/**
 * Folds a snapshot into the tracker (returns a new one). The first snapshot highlights nothing:
 * everything in it is "added", but none of it is news to the learner.
 */
export function trackSnapshot(prev: TreeTracker, snap: Pick<OsTreeSnapshot, 'processes' | 'added' | 'exited' | 'addedThreads'>, now: number): TreeTracker {
  const live = new Map(snap.processes.map((p) => [p.pid, p]))
  const seenAt = new Map<number, number>()
  for (const pid of live.keys()) {
    const before = prev.seenAt.get(pid)
    seenAt.set(pid, before ?? (prev.first ? 0 : now))
  }
  const ghosts = new Map<number, { proc: OsProcess; goneAt: number }>()
  for (const [pid, g] of prev.ghosts) if (!live.has(pid) && now - g.goneAt < FADE_MS) ghosts.set(pid, g)
  for (const pid of snap.exited) {
    const last = prev.live.get(pid)
    if (last && !live.has(pid)) ghosts.set(pid, { proc: last, goneAt: now })
  }
  // A process that vanished without being listed in `exited` (a watch restarted) still fades out.
  for (const [pid, last] of prev.live) if (!live.has(pid) && !ghosts.has(pid)) ghosts.set(pid, { proc: last, goneAt: now })
  const threadSeenAt = new Map<number, number>()
  for (const p of snap.processes) {
    for (const t of p.threads) threadSeenAt.set(t.tid, prev.threadSeenAt.get(t.tid) ?? (prev.first ? 0 : now))
  }
  return { live, seenAt, ghosts, threadSeenAt, first: false }
}

/** Rows for the view: live processes plus fading ghosts, with the highlight flags at `now`. */
export function trackerRows(t: TreeTracker, now: number, opts: { rootPid?: number; collapsed?: ReadonlySet<number> } = {}): TreeRow[] {
  const newPids = new Set([...t.seenAt].filter(([, at]) => at > 0 && now - at < HIGHLIGHT_MS).map(([pid]) => pid))
  const ghosts = [...t.ghosts.values()].filter((g) => now - g.goneAt < FADE_MS)
  return buildTreeRows([...t.live.values(), ...ghosts.map((g) => g.proc)], {
    rootPid: opts.rootPid,
    newPids,
    exitedPids: new Set(ghosts.map((g) => g.proc.pid)),
    collapsed: opts.collapsed,
  })
}

/** Threads that appeared within the highlight time (never those of the first snapshot). */
export function newThreadIds(t: TreeTracker, now: number): Set<number> {
  return new Set([...t.threadSeenAt].filter(([, at]) => at > 0 && now - at < HIGHLIGHT_MS).map(([tid]) => tid))
}

/** "12.3 MiB" style, for resident memory. */
export function formatBytes(n: number | null): string {
  if (n === null) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`
}

/** Shortens a command line for the table; the full text goes in the tooltip / expanded row. */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text
  const keep = max - 1
  const head = Math.ceil(keep * 0.6)
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`
}
