/**
 * The process lab's task language, parsed the same way in the engine, the CLI and the UI.
 *
 *   spec   := item ("," item)*
 *   item   := kind [":" args] ["*" count]
 *   cpu:<dur>            compute until <dur> of CPU time is used (CPU time, not wall time)
 *   io:<dur>             wait <dur> on a timer, using almost no CPU
 *   io:<dur>@socket      wait on a TCP socket for a reply a local server sends after <dur>
 *   mixed:<dur>/<dur>    first compute <cpu dur>, then wait <io dur> (also with @socket)
 *   crash[:<code>]       teaching/test task: the child exits with <code> (default 1) mid-task
 *   hang[:noterm]        teaching/test task: the child stops answering; `noterm` also ignores SIGTERM
 *   dur    := number ["ms" | "s"]   (plain numbers are milliseconds; "0.4s" = 400 ms)
 *
 * Examples: "cpu:400ms*4,io:200ms*8", "mixed:100/200*3", "cpu:1s,crash:3,hang".
 * Pure: no Node or browser API, so the renderer can validate as the learner types.
 */
import { errorData, type LabErrorData } from './errors'

export const TASK_KINDS = ['cpu', 'io', 'mixed', 'crash', 'hang'] as const
export type TaskKind = (typeof TASK_KINDS)[number]

/** At most this many tasks in one run (after expanding `*count`). */
export const MAX_TASKS = 64
/** At most this much work (CPU + I/O budget) in one task, in ms. */
export const MAX_TASK_MS = 10_000
/** At most this much work (sum of every task's CPU + I/O budget) in one run, in ms. */
export const MAX_TOTAL_MS = 120_000
/** Longest spec string accepted. */
export const MAX_SPEC_CHARS = 1_000

/** One task, expanded (a `*4` item gives four of these). */
export interface TaskSpec {
  kind: TaskKind
  /** CPU time to burn, ms (cpu, mixed; 0 otherwise). */
  cpuMs: number
  /** Time to wait on I/O, ms (io, mixed; 0 otherwise). */
  ioMs: number
  /** crash only: the exit code the child exits with (1–255). */
  exitCode?: number
  /** io, mixed: what the I/O wait is on; absent = a timer. */
  ioVia?: 'timer' | 'socket'
  /** hang only: the child also ignores SIGTERM, so only SIGKILL ends it. */
  ignoreTerm?: boolean
  /** The item written back in normal form, e.g. "cpu:400ms", "mixed:100ms/200ms", "crash:3". */
  text: string
}

export type TaskSpecResult = { ok: true; tasks: TaskSpec[] } | { ok: false; error: LabErrorData }

function bad(message: string, part: string): TaskSpecResult {
  return { ok: false, error: errorData('ERR_INVALID_INPUT', message, { option: 'tasks', part }) }
}

/** Parses "400", "400ms", "0.4s" to whole ms; null when it is not a duration. */
function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim())
  if (!m) return null
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1)
  return Number.isFinite(n) ? Math.round(n) : null
}

/** Parses a task spec, expanding counts. Errors are ERR_INVALID_INPUT and quote the bad part. */
export function parseTaskSpec(spec: string): TaskSpecResult {
  if (typeof spec !== 'string') return bad('tasks must be a text such as "cpu:400ms*4,io:200ms*8"', '')
  if (spec.length > MAX_SPEC_CHARS) return bad(`tasks is longer than ${MAX_SPEC_CHARS} characters`, spec.slice(0, 40))
  const items = spec.split(',').map((s) => s.trim())
  if (items.length === 1 && items[0] === '') return bad('tasks is empty; write e.g. "cpu:400ms*4,io:200ms*8"', '')
  const tasks: TaskSpec[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    const where = `item ${i + 1} ${JSON.stringify(item)}`
    if (item === '') return bad(`${where} is empty (two commas in a row?)`, item)
    const star = /^(.*?)\s*\*\s*(\S*)$/.exec(item)
    let body = item
    let count = 1
    if (star) {
      body = star[1]!
      if (!/^\d+$/.test(star[2]!)) return bad(`${where}: the count after "*" must be a whole number`, item)
      count = Number(star[2])
      if (count < 1 || count > MAX_TASKS) return bad(`${where}: the count must be between 1 and ${MAX_TASKS}`, item)
    }
    let via: 'timer' | 'socket' | undefined
    const at = body.lastIndexOf('@')
    if (at >= 0) {
      const what = body.slice(at + 1).trim().toLowerCase()
      if (what !== 'timer' && what !== 'socket') return bad(`${where}: the I/O after "@" must be timer or socket`, item)
      via = what
      body = body.slice(0, at)
    }
    const colon = body.indexOf(':')
    const kind = (colon < 0 ? body : body.slice(0, colon)).trim().toLowerCase()
    const args = colon < 0 ? null : body.slice(colon + 1).trim()
    if (via && kind !== 'io' && kind !== 'mixed') return bad(`${where}: only io and mixed tasks take "@${via}"`, item)
    let task: TaskSpec
    switch (kind) {
      case 'cpu':
      case 'io': {
        if (args === null || args === '') return bad(`${where}: ${kind} needs a duration, e.g. "${kind}:400ms"`, item)
        const ms = parseDuration(args)
        if (ms === null) return bad(`${where}: ${JSON.stringify(args)} is not a duration; write e.g. 400ms or 0.4s`, item)
        if (ms > MAX_TASK_MS) return bad(`${where}: a task may take at most ${MAX_TASK_MS} ms`, item)
        task = kind === 'cpu' ? { kind, cpuMs: ms, ioMs: 0, text: `cpu:${ms}ms` } : { kind, cpuMs: 0, ioMs: ms, text: `io:${ms}ms` }
        break
      }
      case 'mixed': {
        const parts = args === null ? [] : args.split('/')
        if (parts.length !== 2) return bad(`${where}: mixed needs CPU and I/O durations, e.g. "mixed:100ms/200ms"`, item)
        const cpu = parseDuration(parts[0]!)
        const io = parseDuration(parts[1]!)
        if (cpu === null) return bad(`${where}: ${JSON.stringify(parts[0]!.trim())} is not a duration`, item)
        if (io === null) return bad(`${where}: ${JSON.stringify(parts[1]!.trim())} is not a duration`, item)
        if (cpu + io > MAX_TASK_MS) return bad(`${where}: a task may take at most ${MAX_TASK_MS} ms (CPU + I/O)`, item)
        task = { kind, cpuMs: cpu, ioMs: io, text: `mixed:${cpu}ms/${io}ms` }
        break
      }
      case 'crash': {
        const code = args === null || args === '' ? 1 : /^\d+$/.test(args) ? Number(args) : NaN
        if (!(code >= 1 && code <= 255)) return bad(`${where}: the exit code must be a whole number from 1 to 255`, item)
        task = { kind, cpuMs: 0, ioMs: 0, exitCode: code, text: `crash:${code}` }
        break
      }
      case 'hang': {
        if (args !== null && args.toLowerCase() !== 'noterm') return bad(`${where}: hang takes nothing or "noterm"`, item)
        const ignoreTerm = args !== null
        task = { kind, cpuMs: 0, ioMs: 0, ignoreTerm, text: ignoreTerm ? 'hang:noterm' : 'hang' }
        break
      }
      default:
        return bad(`${where}: unknown task kind ${JSON.stringify(kind)}; use cpu, io, mixed, crash or hang`, item)
    }
    if (tasks.length + count > MAX_TASKS) return bad(`${where}: a run takes at most ${MAX_TASKS} tasks`, item)
    if (via === 'socket') {
      task.ioVia = via
      task.text += '@socket'
    }
    for (let k = 0; k < count; k++) tasks.push({ ...task })
    const total = tasks.reduce((sum, t) => sum + t.cpuMs + t.ioMs, 0)
    if (total > MAX_TOTAL_MS) return bad(`${where}: the tasks add up to ${total} ms of work; a run takes at most ${MAX_TOTAL_MS} ms`, item)
  }
  return { ok: true, tasks }
}

/** Writes tasks back as a compact spec ("cpu:400ms*4,io:200ms*8"), grouping runs of equal items. */
export function formatTaskSpec(tasks: readonly TaskSpec[]): string {
  const out: string[] = []
  let i = 0
  while (i < tasks.length) {
    let j = i
    while (j < tasks.length && tasks[j]!.text === tasks[i]!.text) j++
    out.push(j - i > 1 ? `${tasks[i]!.text}*${j - i}` : tasks[i]!.text)
    i = j
  }
  return out.join(',')
}

/**
 * The best wall time each mode could reach for these tasks, in ms, ignoring start-up and
 * scheduling costs: serial = every CPU and I/O budget one after another; concurrent (one CPU,
 * one process per task) = the CPU work cannot overlap, the I/O can; parallel on `cpus` CPUs
 * with `workers` processes = the CPU work spread over min(cpus, workers) CPUs, and never less
 * than the longest task or than serial over each worker's share.
 */
export function idealWallMs(tasks: readonly TaskSpec[], cpus: number, workers?: number): Record<'serial' | 'concurrent' | 'parallel', number> {
  const work = tasks.filter((t) => t.kind === 'cpu' || t.kind === 'io' || t.kind === 'mixed')
  const sumCpu = work.reduce((s, t) => s + t.cpuMs, 0)
  const sumAll = work.reduce((s, t) => s + t.cpuMs + t.ioMs, 0)
  const longest = work.reduce((m, t) => Math.max(m, t.cpuMs + t.ioMs), 0)
  const w = Math.max(1, Math.min(workers ?? Math.max(cpus, 1), Math.max(work.length, 1)))
  const p = Math.max(1, Math.min(cpus, w))
  return {
    serial: sumAll,
    concurrent: Math.max(sumCpu, longest),
    parallel: Math.max(sumCpu / p, longest, sumAll / w),
  }
}
