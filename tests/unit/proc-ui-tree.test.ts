import { describe, expect, it } from 'vitest'
import type { OsProcess } from '../../shared/contract/os'
import { buildTreeRows, FADE_MS, formatBytes, HIGHLIGHT_MS, newThreadIds, newTracker, trackerRows, trackSnapshot, truncateMiddle } from '../../renderer/charts/os-tree-layout'

function proc(pid: number, ppid: number, extra: Partial<OsProcess> = {}): OsProcess {
  return {
    pid, ppid, name: `p${pid}`, cmd: '', state: 'sleeping', stateCode: 'S', cpuPercent: 0, cpuBasis: 'interval', cpuMs: 0, rssBytes: 0, threadCount: 1,
    threads: [{ tid: pid, name: `p${pid}`, state: 'sleeping', stateCode: 'S', cpuPercent: 0 }],
    ...extra,
  }
}

const snap = (processes: OsProcess[], added: number[] = [], exited: number[] = []) => ({ processes, added, exited, addedThreads: [] as number[] })

describe('process tree rows', () => {
  it('nests children under their parent by PPID, whatever the input order, siblings by PID', () => {
    const rows = buildTreeRows([proc(30, 10), proc(12, 11), proc(11, 10), proc(10, 1), proc(20, 10)], { rootPid: 10 })
    expect(rows.map((r) => [r.proc.pid, r.depth])).toEqual([
      [10, 0],
      [11, 1],
      [12, 2],
      [20, 1],
      [30, 1],
    ])
    expect(rows.find((r) => r.proc.pid === 11)!.hasChildren).toBe(true)
    expect(rows.find((r) => r.proc.pid === 20)!.hasChildren).toBe(false)
  })

  it('puts the root first and processes whose parent is missing at the top level', () => {
    const rows = buildTreeRows([proc(5, 99), proc(10, 1), proc(11, 10)], { rootPid: 10 })
    expect(rows.map((r) => [r.proc.pid, r.depth])).toEqual([
      [10, 0],
      [11, 1],
      [5, 0],
    ])
  })

  it('hides the descendants of a collapsed process, not the process', () => {
    const rows = buildTreeRows([proc(10, 1), proc(11, 10), proc(12, 11)], { rootPid: 10, collapsed: new Set([11]) })
    expect(rows.map((r) => r.proc.pid)).toEqual([10, 11])
  })

  it('survives a PPID cycle and duplicate PIDs (PID reuse between reads)', () => {
    const rows = buildTreeRows([proc(10, 1), proc(11, 12), proc(12, 11), proc(10, 1)], { rootPid: 10 })
    expect(rows.map((r) => r.proc.pid).sort()).toEqual([10])
    const loose = buildTreeRows([proc(7, 7)])
    expect(loose.map((r) => r.proc.pid)).toEqual([7])
  })
})

describe('tree tracker (new and exited processes)', () => {
  it('highlights nothing in the first snapshot, then highlights newcomers for a while', () => {
    let t = trackSnapshot(newTracker(), snap([proc(10, 1)], [10]), 1000)
    expect(trackerRows(t, 1000).some((r) => r.isNew)).toBe(false)
    t = trackSnapshot(t, snap([proc(10, 1), proc(11, 10)], [11]), 2000)
    expect(trackerRows(t, 2000).find((r) => r.proc.pid === 11)!.isNew).toBe(true)
    expect(trackerRows(t, 2000 + HIGHLIGHT_MS).find((r) => r.proc.pid === 11)!.isNew).toBe(false)
    // Still not new after later snapshots.
    t = trackSnapshot(t, snap([proc(10, 1), proc(11, 10)]), 2000 + HIGHLIGHT_MS + 10)
    expect(trackerRows(t, 2000 + HIGHLIGHT_MS + 10).find((r) => r.proc.pid === 11)!.isNew).toBe(false)
  })

  it('keeps an exited process (its last known state) under its parent, fading, then drops it', () => {
    let t = trackSnapshot(newTracker(), snap([proc(10, 1), proc(11, 10, { name: 'child' })]), 0)
    t = trackSnapshot(t, snap([proc(10, 1)], [], [11]), 1000)
    const rows = trackerRows(t, 1500, { rootPid: 10 })
    expect(rows.map((r) => [r.proc.pid, r.depth, r.exited])).toEqual([
      [10, 0, false],
      [11, 1, true],
    ])
    expect(rows[1]!.proc.name).toBe('child')
    expect(trackerRows(t, 1000 + FADE_MS, { rootPid: 10 }).map((r) => r.proc.pid)).toEqual([10])
    t = trackSnapshot(t, snap([proc(10, 1)]), 1000 + FADE_MS)
    expect(t.ghosts.size).toBe(0)
  })

  it('fades a process that vanished without being reported as exited', () => {
    let t = trackSnapshot(newTracker(), snap([proc(10, 1), proc(11, 10)]), 0)
    t = trackSnapshot(t, snap([proc(10, 1)]), 500)
    expect(trackerRows(t, 600).find((r) => r.proc.pid === 11)?.exited).toBe(true)
  })
})

describe('new threads', () => {
  it('highlights threads that appear after the first snapshot, for a while', () => {
    const withThreads = (tids: number[]) => proc(10, 1, { threadCount: tids.length, threads: tids.map((tid) => ({ tid, name: 'node', state: 'sleeping' as const, stateCode: 'S', cpuPercent: 0 })) })
    let t = trackSnapshot(newTracker(), snap([withThreads([10, 11])]), 0)
    expect(newThreadIds(t, 0).size).toBe(0)
    t = trackSnapshot(t, snap([withThreads([10, 11, 12])]), 1000)
    expect([...newThreadIds(t, 1500)]).toEqual([12])
    expect(newThreadIds(t, 1000 + HIGHLIGHT_MS).size).toBe(0)
  })
})

describe('formatting', () => {
  it('formats memory in binary units', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(60.8 * 1024 * 1024)).toBe('60.8 MiB')
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB')
  })

  it('truncates long command lines in the middle, keeping both ends', () => {
    const cmd = '/usr/bin/node /work/main/out/main/workers/pool-child.js --slot 3'
    const short = truncateMiddle(cmd, 30)
    expect(short).toHaveLength(30)
    expect(short.startsWith('/usr/bin/node')).toBe(true)
    expect(short.endsWith('slot 3')).toBe(true)
    expect(truncateMiddle('short', 30)).toBe('short')
  })
})
