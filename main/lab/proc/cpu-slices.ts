/**
 * From the sampler's readings to "when did each task run": pure, unit-tested in
 * tests/unit/cpu-slices.test.ts.
 *
 * Between two ticks (a window of ~10 ms) a thread's schedstat grew by d ms: it ran d ms somewhere
 * in that window, on the CPU the second reading names. Within one window several tasks may have
 * shared a CPU (Linux's slices are often 1–4 ms); the samples do not say in which order, so on
 * each CPU the window's slices are laid end to end — the task that ran last in the previous
 * window first (it was running when the window opened), then the others by task id — and scaled
 * down if they add up to more than the window (a task that migrated mid-window). So no two slices
 * on one CPU overlap, each window's totals are exactly what the kernel counted, and the position
 * inside a window is accurate to the window's length: the chart says so.
 */

/** A task's span on one child, absolute ms. */
export interface SpanOnChild {
  taskId: number
  pid: number
  startAt: number
  endAt: number
}

export interface Readings {
  at: readonly number[]
  series: readonly { pid: number; runNs: readonly number[]; cpu: readonly number[] }[]
}

export interface TaskSlices {
  /** [start, end] absolute ms, in order, adjacent ones merged. */
  ran: [number, number][]
  /** The CPUs it was seen running on, ascending. */
  cpus: number[]
  /** Total of `ran`, ms. */
  sampledMs: number
}

/** Gaps shorter than this between two slices of one task are closed (rounding of packed windows). */
const MERGE_GAP_MS = 0.05

export function taskSlices(readings: Readings, spans: readonly SpanOnChild[]): Map<number, TaskSlices> {
  const out = new Map<number, TaskSlices>()
  for (const s of spans) out.set(s.taskId, { ran: [], cpus: [], sampledMs: 0 })
  const byPid = new Map<number, SpanOnChild[]>()
  for (const s of spans) {
    const list = byPid.get(s.pid) ?? []
    list.push(s)
    byPid.set(s.pid, list)
  }
  const lastOnCpu = new Map<number, number>()
  const { at } = readings
  for (let k = 1; k < at.length; k++) {
    const w0 = at[k - 1]!
    const w1 = at[k]!
    const len = w1 - w0
    if (!(len > 0)) continue
    // cpu → [taskId, ms] that ran in this window
    const perCpu = new Map<number, [number, number][]>()
    for (const s of readings.series) {
      const a = s.runNs[k - 1]!
      const b = s.runNs[k]!
      const cpu = s.cpu[k]!
      if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isInteger(cpu)) continue
      const ms = (b - a) / 1e6
      if (!(ms > 0)) continue
      const span = byPid.get(s.pid)?.find((t) => t.startAt < w1 && t.endAt > w0)
      if (!span) continue
      const list = perCpu.get(cpu) ?? []
      list.push([span.taskId, ms])
      perCpu.set(cpu, list)
    }
    for (const [cpu, list] of perCpu) {
      const first = lastOnCpu.get(cpu)
      list.sort((x, y) => (x[0] === first ? -1 : y[0] === first ? 1 : x[0] - y[0]))
      const total = list.reduce((sum, [, ms]) => sum + ms, 0)
      const scale = total > len ? len / total : 1
      let x = w0
      for (const [taskId, ms] of list) {
        const span = spans.find((t) => t.taskId === taskId)!
        const a = Math.max(x, span.startAt)
        const b = Math.min(x + ms * scale, span.endAt)
        x += ms * scale
        if (b <= a) continue
        const ts = out.get(taskId)!
        const prev = ts.ran[ts.ran.length - 1]
        if (prev && a - prev[1] < MERGE_GAP_MS) prev[1] = b
        else ts.ran.push([a, b])
        ts.sampledMs += b - a
        if (!ts.cpus.includes(cpu)) ts.cpus.push(cpu)
      }
      lastOnCpu.set(cpu, list[list.length - 1]![0])
    }
  }
  for (const ts of out.values()) ts.cpus.sort((a, b) => a - b)
  return out
}
