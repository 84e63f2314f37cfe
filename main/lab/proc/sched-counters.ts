/**
 * The scheduler's own counters for one thread, read from Linux /proc without privileges:
 *
 * - `/proc/<pid>/task/<tid>/schedstat`: "<ns on a CPU> <ns runnable but waiting for a CPU> <timeslices>"
 *   (nanoseconds: far finer than stat's utime/stime, which count clock ticks of 1/CLK_TCK s = 10 ms);
 * - `/proc/<pid>/task/<tid>/status`: voluntary_ctxt_switches (it blocked: sleep, I/O, a lock) and
 *   nonvoluntary_ctxt_switches (the OS took the CPU away: its time slice ran out or another task won);
 * - `/proc/<pid>/task/<tid>/stat` field 39 `processor`: the CPU it ran on last.
 *
 * Every read returns a coded result: a thread that exits between two reads, a file that cannot
 * be read or parsed, an OS without /proc each give an error that says what is missing — never a
 * number that is not the kernel's.
 */
import { readFileSync } from 'node:fs'
import { errorData, type LabErrorData } from '../../../shared/errors'

export interface ThreadCounters {
  /** schedstat field 1: ns this thread spent running on a CPU. */
  runNs: number
  /** schedstat field 2: ns it was runnable but waited in a run queue. */
  waitNs: number
  voluntary: number
  involuntary: number
  /** The CPU it last ran on. */
  processor: number
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: LabErrorData }

const bad = (file: string, what: string): Read<never> => ({ ok: false, error: errorData('ERR_INTERNAL', `${file}: ${what}`, { file }) })

/** "123 456 7\n" → run and wait ns. */
export function parseSchedstat(text: string, file = 'schedstat'): Read<{ runNs: number; waitNs: number }> {
  const parts = text.trim().split(/\s+/).map(Number)
  if (parts.length < 2 || !parts.slice(0, 2).every((n) => Number.isFinite(n) && n >= 0)) return bad(file, `unexpected contents ${JSON.stringify(text.slice(0, 60))}`)
  return { ok: true, value: { runNs: parts[0]!, waitNs: parts[1]! } }
}

/** The two context-switch counters of a status file. */
export function parseStatusSwitches(text: string, file = 'status'): Read<{ voluntary: number; involuntary: number }> {
  const v = /^voluntary_ctxt_switches:\s*(\d+)\s*$/m.exec(text)
  const n = /^nonvoluntary_ctxt_switches:\s*(\d+)\s*$/m.exec(text)
  if (!v || !n) return bad(file, 'no voluntary_ctxt_switches/nonvoluntary_ctxt_switches lines')
  return { ok: true, value: { voluntary: Number(v[1]), involuntary: Number(n[1]) } }
}

/** Field 39 (processor) of a stat line; comm (field 2) may hold spaces and ')' so count from the last ')'. */
export function parseStatProcessor(text: string, file = 'stat'): Read<number> {
  const close = text.lastIndexOf(')')
  const fields = close < 0 ? [] : text.slice(close + 2).trim().split(' ')
  const cpu = Number(fields[39 - 3])
  if (!Number.isInteger(cpu) || cpu < 0) return bad(file, 'no processor field (39)')
  return { ok: true, value: cpu }
}

/** Why the counters are not there on this OS; null on Linux. */
export function countersUnsupported(platform: NodeJS.Platform = process.platform): LabErrorData | null {
  if (platform === 'linux') return null
  const what =
    platform === 'darwin'
      ? 'macOS gives no per-thread switch counts or run-queue wait without privileges (proc_pidinfo needs a native call; ps shows neither)'
      : platform === 'win32'
        ? 'Windows keeps per-thread context-switch counts only in performance counters, which the lab does not read yet'
        : `${platform} has no /proc/<pid>/task/<tid>/schedstat`
  return errorData('ERR_UNSUPPORTED', what, { platform })
}

/** Reads a /proc file; a vanished thread or process is ERR_NOT_FOUND, anything else says what failed. */
export function readProcFile(file: string): Read<string> {
  try {
    return { ok: true, value: readFileSync(file, 'utf8') }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ESRCH') return { ok: false, error: errorData('ERR_NOT_FOUND', `${file} is gone: the thread or process ended`, { file }) }
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, error: errorData('ERR_UNSUPPORTED', `${file} cannot be read here (${code})`, { file }) }
    return { ok: false, error: errorData('ERR_INTERNAL', `${file} could not be read (${code ?? String(err)})`, { file }) }
  }
}

/**
 * All counters of one thread. `dir` is `/proc/<pid>/task/<tid>` (or `/proc/thread-self` for the
 * caller's own thread).
 */
export function readThreadCounters(dir: string): Read<ThreadCounters> {
  const unsupported = countersUnsupported()
  if (unsupported) return { ok: false, error: unsupported }
  const sched = readProcFile(`${dir}/schedstat`)
  if (!sched.ok) return sched
  const status = readProcFile(`${dir}/status`)
  if (!status.ok) return status
  const stat = readProcFile(`${dir}/stat`)
  if (!stat.ok) return stat
  const s = parseSchedstat(sched.value, `${dir}/schedstat`)
  if (!s.ok) return s
  const w = parseStatusSwitches(status.value, `${dir}/status`)
  if (!w.ok) return w
  const p = parseStatProcessor(stat.value, `${dir}/stat`)
  if (!p.ok) return p
  return { ok: true, value: { ...s.value, ...w.value, processor: p.value } }
}

/** What one task cost the scheduler: the difference of two readings of the same thread. */
export interface CounterDelta {
  voluntarySwitches: number
  involuntarySwitches: number
  runQueueWaitMs: number
  runMs: number
}

export function counterDelta(a: ThreadCounters, b: ThreadCounters): Read<CounterDelta> {
  const d = {
    voluntarySwitches: b.voluntary - a.voluntary,
    involuntarySwitches: b.involuntary - a.involuntary,
    runQueueWaitMs: Math.round((b.waitNs - a.waitNs) / 1e4) / 100,
    runMs: Math.round((b.runNs - a.runNs) / 1e4) / 100,
  }
  // Counters only grow within one thread; a decrease means two different threads were read.
  if (Object.values(d).some((x) => x < 0)) return bad('counters', 'a counter went backwards between the two readings (not the same thread?)')
  return { ok: true, value: d }
}
