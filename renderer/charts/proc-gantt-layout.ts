/**
 * Pure layout for the run timelines (Gantt charts): rows per process, a "nice" time axis,
 * bars with their CPU time inside. No Vue, no DOM: unit-tested in tests/unit/proc-ui-gantt.test.ts.
 */
import type { RunMode, RunResult, TaskResult } from '../../shared/contract/proc'
import { idealWallMs, parseTaskSpec } from '../../shared/task-spec'

export interface GanttRow {
  /** Stable key: the PID, or "slot-N" for tasks that never reached a process. */
  key: string
  pid: number | null
  slot: number | null
  /** The CPUs its tasks last ran on, ascending (empty where the OS does not say). */
  cpus: number[]
  tasks: TaskResult[]
}

/**
 * One row per process (PID), in the order of their pool slots: the reader sees which
 * process ran which task. A child that was replaced after a crash gets a row of its own.
 */
export function ganttRows(tasks: readonly TaskResult[]): GanttRow[] {
  const rows = new Map<string, GanttRow>()
  for (const t of tasks) {
    const key = t.pid !== null ? String(t.pid) : `slot-${t.slot ?? 'none'}`
    let row = rows.get(key)
    if (!row) rows.set(key, (row = { key, pid: t.pid, slot: t.slot, cpus: [], tasks: [] }))
    row.tasks.push(t)
    if (t.cpu !== null && !row.cpus.includes(t.cpu)) row.cpus.push(t.cpu)
  }
  const firstStart = (r: GanttRow) => Math.min(...r.tasks.map((t) => t.startMs))
  return [...rows.values()]
    .map((r) => ({ ...r, cpus: [...r.cpus].sort((a, b) => a - b), tasks: [...r.tasks].sort((a, b) => a.startMs - b.startMs) }))
    .sort((a, b) => (a.slot ?? Infinity) - (b.slot ?? Infinity) || firstStart(a) - firstStart(b))
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over [0, max]. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0) || !(count > 0)) return 1
  const raw = max / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  const f = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10
  return f * mag
}

/** Tick values from 0 up to the first tick ≥ max (so the axis covers every bar). */
export function niceTicks(max: number, count = 5): number[] {
  const step = niceStep(max, count)
  const ticks: number[] = []
  const end = Math.max(step, Math.ceil(max / step - 1e-9) * step)
  for (let v = 0; v <= end + step / 1e6; v += step) ticks.push(Math.round(v * 1e6) / 1e6)
  return ticks
}

/** Maps [0, domainMax] linearly onto [x0, x1]; values outside are clamped. */
export function linearScale(domainMax: number, x0: number, x1: number): (v: number) => number {
  const span = domainMax > 0 ? domainMax : 1
  return (v) => x0 + (Math.min(Math.max(v, 0), span) / span) * (x1 - x0)
}

export interface GanttBar {
  task: TaskResult
  x: number
  w: number
  /**
   * How the bar shows its CPU time:
   * - `sampled`: `cpu` holds the slices in which the task was on a CPU (TaskResult.ran);
   * - `unplaced`: the run could not be sampled: its CPU time is somewhere inside the bar, not drawn at a place;
   * - `live`: still running, nothing known yet.
   */
  placement: 'sampled' | 'unplaced' | 'live'
  cpu: { x: number; w: number }[]
  /** I/O phases (waiting), drawn hatched. */
  io: { x: number; w: number }[]
  /** Where the bar's "#id" goes: inside its right end, or just outside it (after, else before). */
  label: { x: number; anchor: 'start' | 'end'; inside: boolean }
}

export interface GanttLayout {
  width: number
  height: number
  /** Where the plot starts (after the row labels) and ends. */
  plotX0: number
  plotX1: number
  rowHeight: number
  axisY: number
  ticks: { x: number; ms: number }[]
  rows: { row: GanttRow; y: number; bars: GanttBar[] }[]
}

export interface GanttOptions {
  width: number
  /** Common time span (ms) so several charts side by side share one scale. */
  maxMs: number
  labelWidth?: number
  rowHeight?: number
  top?: number
  ticks?: number
  /** Tasks without `ran` are still running (the live chart), not unsampled. */
  live?: boolean
}

/** Bars never vanish: a 0.3 ms task still gets a sliver the eye (and the mouse) can find. */
const MIN_BAR = 2
/** A CPU slice of a few µs still shows as a hairline. */
const MIN_SLICE = 0.75
/** Rough width of a bar label such as "#12" at the chart's font size. */
const labelWidthPx = (id: number) => 8 + 6 * String(id).length

/** Places each bar's label: inside when it fits, else in the free space after it, else before it. */
function placeLabels(bars: GanttBar[], plotX0: number, plotX1: number): void {
  const sorted = [...bars].sort((a, b) => a.x - b.x)
  sorted.forEach((bar, i) => {
    const need = labelWidthPx(bar.task.id)
    const nextX = sorted[i + 1]?.x ?? plotX1 + 16
    const prevEnd = i > 0 ? sorted[i - 1]!.x + sorted[i - 1]!.w : plotX0
    if (bar.w >= need + 4) bar.label = { x: bar.x + bar.w - 3, anchor: 'end', inside: true }
    else if (nextX - (bar.x + bar.w) >= need + 2 || bar.x - prevEnd < need + 2) bar.label = { x: bar.x + bar.w + 2, anchor: 'start', inside: false }
    else bar.label = { x: bar.x - 2, anchor: 'end', inside: false }
  })
}

export function ganttLayout(tasks: readonly TaskResult[], opts: GanttOptions): GanttLayout {
  const labelWidth = opts.labelWidth ?? 92
  const rowHeight = opts.rowHeight ?? 22
  const top = opts.top ?? 4
  const plotX0 = labelWidth
  // Room on the right for the last tick's label and a bar label placed after the last bar.
  const plotX1 = Math.max(plotX0 + 20, opts.width - 26)
  // The plot spans exactly the data (every pixel used); ticks are the nice ones inside it.
  const domain = opts.maxMs > 0 ? opts.maxMs : 1
  const tickValues = niceTicks(domain, opts.ticks ?? 4).filter((v) => v <= domain * (1 + 1e-9))
  const x = linearScale(domain, plotX0, plotX1)
  const rows = ganttRows(tasks).map((row, i) => {
    const y = top + i * rowHeight
    const bars = row.tasks.map<GanttBar>((task) => {
      const bx = x(task.startMs)
      const w = Math.max(MIN_BAR, x(task.endMs) - bx)
      const io: GanttBar['io'] = []
      for (const p of task.phases) if (p.phase === 'io') io.push({ x: x(p.startMs), w: Math.max(0, x(p.endMs) - x(p.startMs)) })
      const cpu = (task.ran ?? []).map(([a, b]) => ({ x: x(a), w: Math.max(MIN_SLICE, x(b) - x(a)) }))
      const placement: GanttBar['placement'] = task.ran ? 'sampled' : opts.live && task.ok ? 'live' : 'unplaced'
      return { task, x: bx, w, placement, cpu, io, label: { x: bx, anchor: 'start', inside: false } }
    })
    placeLabels(bars, plotX0, plotX1)
    return { row, y, bars }
  })
  const axisY = top + rows.length * rowHeight + 4
  return {
    width: opts.width,
    height: axisY + 22,
    plotX0,
    plotX1,
    rowHeight,
    axisY,
    ticks: tickValues.map((ms) => ({ x: x(ms), ms })),
    rows,
  }
}

/** The longest end time over several runs: the shared time span of side-by-side charts. */
export function commonSpan(runs: readonly ({ tasks: readonly TaskResult[]; wallMs: number } | null | undefined)[]): number {
  let max = 0
  for (const r of runs) {
    if (!r) continue
    max = Math.max(max, r.wallMs, ...r.tasks.map((t) => t.endMs))
  }
  return max
}

export interface RunMetrics {
  mode: RunMode
  wallMs: number
  cpuMsTotal: number
  utilisation: number
  /** Measured: serial wall / this wall (null without a serial run of the same tasks). */
  speedup: number | null
  /** What the ideal machine would give: ideal serial / ideal for this mode. */
  idealSpeedup: number | null
  idealWallMs: number | null
  /** ideal wall / measured wall, 0..1: how close the run came to the ideal. */
  efficiency: number | null
}

/** The results table's numbers for one run, given the serial run of the same spec (if any). */
export function runMetrics(run: RunResult, serial: RunResult | null): RunMetrics {
  const parsed = parseTaskSpec(run.spec)
  const ideal = parsed.ok ? idealWallMs(parsed.tasks, run.cpus, run.mode === 'parallel' ? run.workers : undefined) : null
  const idealMode = ideal ? (run.mode === 'concurrent' && !run.pinned.ok ? ideal.parallel : ideal[run.mode]) : null
  const round = (v: number) => Math.round(v * 100) / 100
  return {
    mode: run.mode,
    wallMs: run.wallMs,
    cpuMsTotal: run.cpuMsTotal,
    utilisation: run.utilisation,
    speedup: serial && serial.spec === run.spec && run.wallMs > 0 ? round(serial.wallMs / run.wallMs) : null,
    idealSpeedup: ideal && idealMode ? round(ideal.serial / idealMode) : null,
    idealWallMs: idealMode,
    efficiency: idealMode && run.wallMs > 0 ? Math.min(1, idealMode / run.wallMs) : null,
  }
}

/**
 * Which i18n key explains a task-spec error from `parseTaskSpec` (its messages are English;
 * the UI shows the learner's language). Returns null when the message is not recognised.
 */
export function specErrorKey(message: string): string | null {
  const table: [RegExp, string][] = [
    [/is empty \(two commas/, 'emptyItem'],
    [/tasks is empty/, 'empty'],
    [/longer than/, 'tooLong'],
    [/count after "\*"/, 'countWhole'],
    [/count must be between/, 'countRange'],
    [/needs a duration/, 'needsDuration'],
    [/mixed needs/, 'mixedNeeds'],
    [/is not a duration/, 'notDuration'],
    [/a task may take at most/, 'taskMax'],
    [/exit code must be/, 'exitCode'],
    [/hang takes/, 'hangArgs'],
    [/unknown task kind/, 'unknownKind'],
    [/a run takes at most \d+ tasks/, 'maxTasks'],
    [/add up to/, 'maxTotal'],
  ]
  for (const [re, key] of table) if (re.test(message)) return key
  return null
}
