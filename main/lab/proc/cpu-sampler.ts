/**
 * Samples, about every 10 ms while a run lives, how much CPU time each pool child's main thread
 * (the thread that runs its task) has used so far, and on which CPU it ran last: Linux
 * `/proc/<pid>/task/<pid>/schedstat` (ns, much finer than stat's 10 ms ticks) and `stat`
 * field 39. The difference between two samples is the CPU time the thread got in that window;
 * cpu-slices.ts turns those differences into the slices drawn on the Gantt bars.
 *
 * Cost is bounded and measured: the files stay open and are re-read at offset 0 (one pread per
 * file, no open/close per sample), at most MAX_TRACKED threads and MAX_SAMPLES readings in all,
 * and the sampler's own CPU time is read from its own thread's schedstat around every tick.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import type { LabErrorData } from '../../../shared/errors'
import { errorData } from '../../../shared/errors'
import { nowAbs } from './messages'
import { countersUnsupported, parseSchedstat, parseStatProcessor } from './sched-counters'
import { CPU_SAMPLER_MAX_SAMPLES, CPU_SAMPLER_MAX_TRACKED } from '../../../shared/budgets'

export const SAMPLE_INTERVAL_MS = 10
/** More children than a pool may hold are never tracked (shared/budgets.ts). */
const MAX_TRACKED = CPU_SAMPLER_MAX_TRACKED
/** Readings kept in all (pids × ticks); past it sampling stops, and says so (shared/budgets.ts). */
export const MAX_SAMPLES = CPU_SAMPLER_MAX_SAMPLES

/** One thread's readings, index-aligned with the sampler's tick times (NaN where not read). */
export interface SampleSeries {
  pid: number
  runNs: number[]
  cpu: number[]
}

export interface SamplerReport {
  /** Tick times, absolute ms. */
  at: number[]
  series: SampleSeries[]
  intervalMs: number
  /** The sampler's own CPU time (its thread's schedstat around every tick), ms. */
  samplerCpuMs: number
  /** Why sampling stopped early, if it did. */
  truncated?: string
  /** Threads that could not be read at some tick (ended, unreadable), with the first error of each. */
  missing: { pid: number; error: LabErrorData }[]
}

interface Tracked {
  series: SampleSeries
  schedFd: number
  statFd: number
  gone: boolean
}

const buf = Buffer.alloc(1024)

function preadText(fd: number): string {
  const n = readSync(fd, buf, 0, buf.length, 0)
  return buf.toString('latin1', 0, n)
}

function selfRunNs(fd: number | null): number {
  if (fd === null) return 0
  try {
    const r = parseSchedstat(preadText(fd))
    return r.ok ? r.value.runNs : 0
  } catch {
    return 0
  }
}

export class CpuSampler {
  private readonly at: number[] = []
  private readonly tracked = new Map<number, Tracked>()
  private readonly missing: { pid: number; error: LabErrorData }[] = []
  private timer: NodeJS.Timeout | null = null
  private samplerNs = 0
  private readings = 0
  private truncated: string | undefined
  private readonly selfFd: number | null
  private report: SamplerReport | null = null

  private constructor(private readonly intervalMs: number) {
    let fd: number | null = null
    try {
      fd = openSync('/proc/thread-self/schedstat', 'r')
    } catch {
      fd = null
    }
    this.selfFd = fd
  }

  /** A running sampler, or the coded reason there can be none on this OS. */
  static start(intervalMs = SAMPLE_INTERVAL_MS): { ok: true; sampler: CpuSampler } | { ok: false; error: LabErrorData } {
    const unsupported = countersUnsupported()
    if (unsupported) return { ok: false, error: unsupported }
    const sampler = new CpuSampler(intervalMs)
    sampler.timer = setInterval(() => sampler.tick(), intervalMs)
    sampler.timer.unref?.()
    return { ok: true, sampler }
  }

  /** Starts sampling the main thread of `pid` (a pool child, or its replacement). */
  track(pid: number): void {
    if (this.report || this.tracked.has(pid) || this.tracked.size >= MAX_TRACKED || !Number.isInteger(pid) || pid <= 0) return
    let schedFd = -1
    let statFd = -1
    try {
      schedFd = openSync(`/proc/${pid}/task/${pid}/schedstat`, 'r')
      statFd = openSync(`/proc/${pid}/task/${pid}/stat`, 'r')
    } catch (err) {
      if (schedFd >= 0) closeSync(schedFd)
      this.miss(pid, errorData('ERR_NOT_FOUND', `/proc/${pid}/task/${pid} could not be opened (${(err as NodeJS.ErrnoException).code ?? err}): the process ended`, { pid }))
      return
    }
    const series: SampleSeries = { pid, runNs: Array<number>(this.at.length).fill(NaN), cpu: Array<number>(this.at.length).fill(NaN) }
    this.tracked.set(pid, { series, schedFd, statFd, gone: false })
  }

  /** One reading of every tracked thread, at one time. */
  tick(): void {
    if (this.truncated) return
    if (this.readings + this.tracked.size > MAX_SAMPLES) {
      this.truncated = `sampling stopped after ${this.readings} readings (the budget is ${MAX_SAMPLES})`
      return
    }
    const self0 = selfRunNs(this.selfFd)
    this.at.push(nowAbs())
    for (const [pid, t] of this.tracked) {
      let runNs = NaN
      let cpu = NaN
      if (!t.gone) {
        try {
          const s = parseSchedstat(preadText(t.schedFd))
          const p = parseStatProcessor(preadText(t.statFd))
          if (s.ok && p.ok) {
            runNs = s.value.runNs
            cpu = p.value
          } else this.miss(pid, (s.ok ? (p as { error: LabErrorData }) : s).error)
        } catch (err) {
          // An exited thread: its open /proc file now answers ESRCH. Stop reading it.
          t.gone = true
          this.miss(pid, errorData('ERR_NOT_FOUND', `/proc/${pid}/task/${pid} went away mid-run (${(err as NodeJS.ErrnoException).code ?? err})`, { pid }))
        }
      }
      t.series.runNs.push(runNs)
      t.series.cpu.push(cpu)
      this.readings++
    }
    this.samplerNs += Math.max(0, selfRunNs(this.selfFd) - self0)
  }

  /** Takes a last reading, stops, closes every file and returns what was seen. */
  stop(): SamplerReport {
    if (this.report) return this.report
    if (this.timer) {
      clearInterval(this.timer)
      this.timer = null
      this.tick()
    }
    for (const t of this.tracked.values()) {
      closeSync(t.schedFd)
      closeSync(t.statFd)
    }
    if (this.selfFd !== null) closeSync(this.selfFd)
    const report: SamplerReport = {
      at: this.at,
      series: [...this.tracked.values()].map((t) => t.series),
      intervalMs: this.intervalMs,
      samplerCpuMs: this.samplerNs / 1e6,
      missing: this.missing,
    }
    if (this.truncated) report.truncated = this.truncated
    this.tracked.clear()
    this.report = report
    return report
  }

  private miss(pid: number, error: LabErrorData): void {
    if (!this.missing.some((m) => m.pid === pid)) this.missing.push({ pid, error })
  }
}
