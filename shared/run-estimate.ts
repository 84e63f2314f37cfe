/**
 * How long a long run will take: before it starts, from its settings (the engine, the page and the
 * CLI all use these, so "about 12 s" is said once), and while it runs, from how fast the part
 * already finished went. A plan is a list of segments (one per mode, or per half of a run), each
 * with its units of progress and its expected length; the run reports finished units.
 */
import { COMPARE_DEFAULTS, PYTHON_COMPARE_CLASSES, type CompareMode } from './contract/net-experiments'
import type { StickySettings } from './contract/net-experiments'
import { idealWallMs, type TaskSpec } from './task-spec'

export interface RunSegment {
  /** What the segment is (a mode's name, 'tcp', 'udp'): for logs and tests. */
  label: string
  units: number
  ms: number
}
export interface RunPlan {
  segments: RunSegment[]
}

export const planUnits = (plan: RunPlan): number => plan.segments.reduce((s, x) => s + x.units, 0)
export const planMs = (plan: RunPlan): number => plan.segments.reduce((s, x) => s + x.ms, 0)

/** Where the plan expects the run to be (ms) once `done` units have finished. */
export function plannedElapsedMs(plan: RunPlan, done: number): number {
  let left = done
  let ms = 0
  for (const seg of plan.segments) {
    if (left >= seg.units) {
      ms += seg.ms
      left -= seg.units
      continue
    }
    if (seg.units > 0) ms += (seg.ms * left) / seg.units
    break
  }
  return ms
}

/**
 * The whole run's expected length after `elapsedMs` with `done` units finished: the plan's
 * remainder scaled by how much slower (or faster) than planned the finished part went. Before
 * anything finished (or before a tenth of a second of planned work), the plan alone.
 */
export function estimateMs(plan: RunPlan, done: number, elapsedMs: number): number {
  const total = planMs(plan)
  const planned = plannedElapsedMs(plan, done)
  if (done <= 0 || planned < 100) return Math.max(total, elapsedMs)
  const pace = elapsedMs / planned
  return elapsedMs + (total - planned) * pace
}

/** Rough per-step costs on loopback: what a run spends besides the handler's own delay. */
const ROUND_TRIP_MS = 0.3
const SERVER_SETUP_MS = 60
const THREAD_START_MS = 8
const CHILD_START_MS = 45

/** Starting python3 with socketserver for a Python row (the interpreter and its imports). */
const PYTHON_SERVER_START_MS = 150

/**
 * Serial vs concurrent: one segment per row in the order run, units = round trips. A row is a mode
 * on the lab's server, followed by the same mode on Python's socketserver when `python` asks for
 * it: `true` = every chosen mode socketserver has (the estimate before the run), a list = the modes
 * the engine found Python rows for (it replans once it knows).
 */
export function comparePlan(s: { clients?: number; messages?: number; handler?: string; modes: readonly CompareMode[]; python?: boolean | readonly CompareMode[] }, cpus = 2): RunPlan {
  const k = s.clients ?? COMPARE_DEFAULTS.clients
  const m = s.messages ?? COMPARE_DEFAULTS.messages
  const delay = Number(/^delay:(\d+)$/.exec(s.handler ?? COMPARE_DEFAULTS.handler)?.[1] ?? 0)
  const step = delay + ROUND_TRIP_MS
  const hasPython = (mode: CompareMode) => (s.python === true ? mode in PYTHON_COMPARE_CLASSES : Array.isArray(s.python) && s.python.includes(mode))
  // serial: one client at a time; the others serve everyone at once.
  const serving = (mode: CompareMode) => (mode === 'serial' ? k * m * step : m * step)
  return {
    segments: s.modes.flatMap((mode) => {
      // The lab's threads and children start per connection (its spares aside); Python's threads and forks are cheap.
      const startup = mode === 'threading' ? k * THREAD_START_MS : mode === 'forking' ? (k * CHILD_START_MS) / Math.max(1, cpus) : 0
      const lab = { label: mode, units: k * m, ms: SERVER_SETUP_MS + serving(mode) + startup }
      return hasPython(mode) ? [lab, { label: `python ${mode}`, units: k * m, ms: PYTHON_SERVER_START_MS + serving(mode) }] : [lab]
    }),
  }
}

/**
 * The sticky-packet run: the TCP half (units = bytes the reader reads: it cannot finish before the
 * last send, and reads at most recvSize per readDelay) and the UDP half (units = datagrams).
 */
export function stickyPlan(s: Pick<StickySettings, 'gapMs' | 'recvSize' | 'readDelayMs' | 'udp'> & { messages: number }, totalBytes: number): RunPlan {
  const sendSpan = s.gapMs * Math.max(0, s.messages - 1)
  const reads = Math.ceil(totalBytes / Math.max(1, s.recvSize))
  const tcp = { label: 'tcp', units: totalBytes, ms: 20 + Math.max(sendSpan, reads * s.readDelayMs) + s.readDelayMs }
  // The UDP receiver sleeps readDelayMs before each recvfrom() too, one datagram each.
  return { segments: s.udp ? [tcp, { label: 'udp', units: s.messages, ms: 20 + Math.max(sendSpan, s.messages * s.readDelayMs) }] : [tcp] }
}

/** Serial, concurrent and parallel on fresh pools: units = tasks; each mode its ideal time plus starting its children. */
export function procComparePlan(tasks: readonly TaskSpec[], cpus: number, workers?: number): RunPlan {
  const ideal = idealWallMs(tasks, cpus, workers)
  const parallelChildren = Math.max(1, Math.min(workers ?? cpus, tasks.length))
  const children = { serial: 1, concurrent: tasks.length, parallel: parallelChildren }
  return {
    segments: (['serial', 'concurrent', 'parallel'] as const).map((mode) => ({
      label: mode,
      units: tasks.length,
      ms: ideal[mode] + 150 + (children[mode] * CHILD_START_MS * 2) / Math.max(1, cpus),
    })),
  }
}

/** "about N s": whole seconds, at least 1. */
export const aboutSeconds = (ms: number): number => Math.max(1, Math.round(ms / 1000))

/** The sticky run's byte count before it runs (the engine counts it exactly): UTF-8 exactly, GBK two bytes per non-ASCII character, plus each frame's header. */
export function stickyBytesEstimate(messages: readonly string[], encoding: 'utf8' | 'gbk', frame: 'none' | 'len32le' | 'len32be' | 'line'): number {
  const header = frame === 'none' ? 0 : frame === 'line' ? 1 : 4
  const utf8 = new TextEncoder()
  const bytes = (m: string) => (encoding === 'utf8' ? utf8.encode(m).length : m.length + m.replace(/[\u0000-\u007f]/g, '').length)
  return messages.reduce((n, m) => n + bytes(m) + header, 0)
}
