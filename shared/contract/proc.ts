/**
 * Process lab, part 1: a real process pool and the same task set run serial, concurrent
 * (time-sliced on ONE CPU) and parallel (across every CPU). Every number is measured:
 * PIDs, CPUs and CPU times come from the OS, times from a clock shared by the lab and its
 * children. Task language: see `shared/task-spec.ts` (`parseTaskSpec`).
 */
import type { LabErrorData } from '../errors'
import { int, object, oneOf, optional, refine, string, type Schema } from '../schema'
import { MAX_SPEC_CHARS, parseTaskSpec, type TaskKind } from '../task-spec'
import { method } from './spec'
import { runIdInput, type RunCancelled } from './runs'

export { MAX_TASKS, MAX_TASK_MS, MAX_TOTAL_MS, TASK_KINDS, formatTaskSpec, idealWallMs, parseTaskSpec } from '../task-spec'
export type { TaskKind, TaskSpec, TaskSpecResult } from '../task-spec'

export const RUN_MODES = ['serial', 'concurrent', 'parallel'] as const
/**
 * - `serial`: one child process runs the tasks one after another.
 * - `concurrent`: one child per task, all in flight at once, every child pinned to ONE CPU
 *   (the OS time-slices them: multiprogramming). If pinning is impossible, `pinned.ok` is false.
 * - `parallel`: a pool of `workers` children (default: one per CPU) on all CPUs.
 */
export type RunMode = (typeof RUN_MODES)[number]

/** Most children one pool may hold. */
export const MAX_WORKERS = 64
/** Most tasks a pool lets wait for a free child (the default); a run may ask for fewer. */
export const MAX_QUEUE_LIMIT = 256
/** Deadline bounds for one task (ms after it was handed to a child). */
export const MIN_DEADLINE_MS = 100
export const MAX_DEADLINE_MS = 120_000

/** What happened when the lab tried to pin the concurrent run's children to one CPU. */
export interface PinStatus {
  /** True only if every child was pinned and the OS confirmed its allowed CPU list. */
  ok: boolean
  /** The CPU the children were pinned to (when ok). */
  cpu?: number
  /** How: `taskset` (Linux util-linux), `python` (os.sched_setaffinity per thread), `powershell` (Windows). */
  method?: 'taskset' | 'python' | 'powershell'
  /** Why pinning did not happen or was not needed, in English (e.g. "serial and parallel runs are not pinned"). */
  reason?: string
}

/** One stretch of a task inside its wall span, for drawing CPU time inside the Gantt bar. */
export interface TaskPhase {
  phase: 'cpu' | 'io'
  /** Run clock, ms since the run started (same clock as the task's startMs/endMs). */
  startMs: number
  endMs: number
  /** CPU time the child used in this phase (from the OS). */
  cpuMs: number
  /**
   * cpu phases only: the stretches [startMs, endMs] (run clock) in which the process was
   * actually running, seen from inside it: a jump of the wall clock between two rounds of a
   * few µs of work means the OS had switched it out (≥ 0.5 ms gaps; at most 255 stretches,
   * neighbours merged beyond that). On a shared CPU these are the scheduler's time slices.
   * Their total is close to, and usually somewhat below, `cpuMs` (switching and the
   * process's other threads are not inside them).
   */
  slices?: [number, number][]
}

/** One task's outcome. Times are on the run clock: ms since the run started. */
export interface TaskResult {
  /** 1-based position in the expanded task list (the order written in the spec). */
  id: number
  kind: TaskKind
  /** The task in normal form, e.g. "cpu:400ms". */
  spec: string
  /** The child process that ran it; null if it never reached a child. */
  pid: number | null
  /** Which pool slot (0-based) ran it: one Gantt row per slot/process. */
  slot: number | null
  /** The CPU the child last ran on (/proc/<pid>/stat field 39); null where the OS does not say. */
  cpu: number | null
  /** When the child began the task (child's clock, comparable with the lab's: both use the system clock). */
  startMs: number
  /** When the child finished it, or when the lab saw it fail. */
  endMs: number
  /** CPU time (user + system) the child used for this task, from the OS (process.cpuUsage). */
  cpuMs: number
  /** endMs − startMs. */
  wallMs: number
  /** Time the task waited for a free child before it started (queueing), ms. */
  waitMs: number
  ok: boolean
  /** ERR_TASK_CRASHED (params: exitCode/signal), ERR_TASK_TIMEOUT (params: deadlineMs, signal), ERR_POOL_STOPPED … */
  error?: LabErrorData
  /** CPU and I/O stretches inside [startMs, endMs] (empty for failed tasks). */
  phases: TaskPhase[]
  /**
   * When the task's thread was on a CPU, from the lab's ~10 ms samples of its schedstat
   * ([startMs, endMs] on the run clock, in order). Each ~10 ms window holds exactly the CPU time
   * the kernel counted in it; where several tasks shared one CPU in a window their slices are laid
   * end to end, so the position inside a window is accurate to the window. Absent when the run
   * could not be sampled (see RunResult.sampling): then the CPU time is somewhere inside the bar.
   */
  ran?: [number, number][]
  /** The CPUs it was seen running on (samples and its last CPU), ascending. Absent where unknown. */
  cpus?: number[]
  /** Times the task's thread gave the CPU up (sleep, I/O, a lock): status voluntary_ctxt_switches, this task only. */
  voluntarySwitches?: number
  /** Times the OS took the CPU away from it (its slice ran out): nonvoluntary_ctxt_switches, this task only. */
  involuntarySwitches?: number
  /** Time it was runnable but waited for a CPU: schedstat field 2, this task only, ms. */
  runQueueWaitMs?: number
  /** Why the three counters above are absent (ERR_UNSUPPORTED on an OS without them, ERR_NOT_FOUND …). */
  countersMissing?: LabErrorData
}

/** How the run's CPU time was sampled (Linux schedstat), or why it could not be. */
export type SamplingInfo =
  | {
      ok: true
      method: 'schedstat'
      /** Asked-for interval, ms. */
      intervalMs: number
      /** Readings taken (one tick reads every child). */
      ticks: number
      /** Measured mean time between ticks, ms (the engine's event loop may stretch it). */
      meanIntervalMs: number
      /** CPU time the sampler itself used, ms (its thread's schedstat around every tick). */
      samplerCpuMs: number
      /** samplerCpuMs / wallMs: the share of one CPU the sampling cost while the run lived. */
      samplerShare: number
      /** Set when sampling stopped early (its budget), with why. */
      truncated?: string
    }
  | { ok: false; error: LabErrorData }

export interface RunResult {
  /** Unique per run; matches the `runId` of its 'proc.progress' events. */
  runId: string
  mode: RunMode
  /** The spec as given. */
  spec: string
  /** Wall time from the first task handed out to the last one finished, ms. Pool start-up is not included. */
  wallMs: number
  /** CPUs this lab may use (os.availableParallelism()). */
  cpus: number
  /** Children in the run's pool. */
  workers: number
  /** CPUs the run could use at most: 1 for serial and pinned concurrent, else min(cpus, workers). */
  cpusUsable: number
  pinned: PinStatus
  /** Sum of the tasks' cpuMs. */
  cpuMsTotal: number
  /** cpuMsTotal / (wallMs × cpusUsable), 0–1: how busy the CPUs the run could use were. */
  utilisation: number
  /** Time (ms) spent starting the pool's children before the clock started. */
  startupMs: number
  tasks: TaskResult[]
  /** Epoch ms when the run's clock started. */
  startedAt: number
  /** How the tasks' CPU slices (TaskResult.ran) were sampled, and what that cost. Absent in runs saved by older versions. */
  sampling?: SamplingInfo
}

export interface CompareResult {
  /** In this order: serial, concurrent, parallel; all three unless `cancelled` (then the modes that finished). */
  runs: RunResult[]
  /** Measured: serial wall time / that mode's wall time (> 1 = faster than serial); null for a mode a cancel left unfinished. */
  speedup: { concurrent: number | null; parallel: number | null }
  /** The best each mode could do for these tasks (idealWallMs), and the speedups that would give. */
  ideal: {
    wallMs: { serial: number; concurrent: number; parallel: number }
    speedup: { concurrent: number; parallel: number }
  }
  /** Set when the comparison was cancelled (run.cancel): `runs` holds the modes that finished before it. */
  cancelled?: RunCancelled
}

/** One pool child, for the process tree ("pool child 2 of run r-3, busy with task 5"). */
export interface PoolChildInfo {
  pid: number
  role: 'pool-child'
  /** The pool (one per run) it belongs to. */
  poolId: string
  slot: number
  state: 'starting' | 'idle' | 'busy' | 'stopping'
  /** The task it is running (TaskResult.id), if busy. */
  taskId?: number
  /** The CPU it is pinned to, if any. */
  pinnedCpu?: number
}

export interface PoolStatus {
  /** Live pools (a run owns one while it runs; none between runs). */
  pools: { poolId: string; size: number; busy: number; queued: number; queueLimit: number; replaced: number }[]
  children: PoolChildInfo[]
}

/** Live progress of a run, for animating the timeline. `at` is epoch ms; other times are on the run clock. */
export type ProcProgress = { runId: string; mode: RunMode; at: number } & (
  | { event: 'pool-ready'; workers: number; pinned: PinStatus; startupMs: number; tasks: number; pids: number[] }
  | { event: 'task-started'; taskId: number; pid: number; slot: number; startMs: number }
  | { event: 'task-finished'; task: TaskResult }
  | { event: 'child-replaced'; slot: number; oldPid: number; newPid: number; reason: 'crashed' | 'timeout' }
  | { event: 'run-finished'; wallMs: number; ok: boolean }
)

/** The `tasks` input: a spec string, validated by parseTaskSpec (the message names the bad item). */
export function taskSpecInput(): Schema<string> {
  return refine(string({ max: MAX_SPEC_CHARS }), (v) => {
    const r = parseTaskSpec(v)
    if (r.ok) return null
    const part = String(r.error.params?.part ?? '')
    return { en: r.error.message, zh: `任务写法不对${part ? `（问题在“${part}”）` : ''}；例如写成 "cpu:400ms*4,io:200ms*8"` }
  })
}

// ─── scheduling policies: a SIMULATION after OSTEP's cpu-sched/scheduler.py ───

export const SCHED_POLICIES = ['FIFO', 'SJF', 'RR'] as const
export type SchedPolicy = (typeof SCHED_POLICIES)[number]
export const SCHED_MAX_JOBS = 20
/** Longest job (time units) and largest quantum the lab simulates. */
export const SCHED_MAX_LENGTH = 1000
/** One job length as the lab takes it: a plain decimal number (Python's float() takes more forms; the lab does not). */
const SCHED_LENGTH = String.raw`\d{1,7}(\.\d{1,6})?`
export const SCHED_LENGTH_PATTERN = new RegExp(`^${SCHED_LENGTH}$`)
/** `--list`: lengths, comma-separated (e.g. "5,3,8" or "2.5,7"), at most SCHED_MAX_JOBS. */
export const SCHED_LIST_PATTERN = new RegExp(`^${SCHED_LENGTH}(,${SCHED_LENGTH}){0,19}$`)

export interface SchedInput {
  policy: SchedPolicy
  /** Job lengths, e.g. "5,3,8" (scheduler.py -l). Excludes jobs/seed/maxlen. */
  list?: string
  /** Random jobs as scheduler.py draws them: -j (default 3), -s (default 0), -m (default 10). */
  jobs?: number
  seed?: number
  maxlen?: number
  /** RR's time slice (-q, default 1). */
  quantum?: number
}

export interface SchedJob {
  id: number
  length: number
  /** The length as scheduler.py prints it ("5.0" for a listed 5, "5" for a drawn one). */
  lengthText: string
}

/** One stretch of the trace: `job` ran from `start` for `length`; `done` when it finished then. */
export interface SchedRun {
  job: number
  start: number
  length: number
  done: boolean
}

export interface SchedResult {
  simulation: true
  policy: SchedPolicy
  quantum: number
  source: { list: string } | { jobs: number; seed: number; maxlen: number }
  jobs: SchedJob[]
  runs: SchedRun[]
  /** Per job, in the order scheduler.py prints them (run order for FIFO/SJF, job id for RR). */
  stats: { job: number; response: number; turnaround: number; wait: number }[]
  average: { response: number; turnaround: number; wait: number }
}

const workers = optional(int({ min: 1, max: MAX_WORKERS }))
const deadlineMs = optional(int({ min: MIN_DEADLINE_MS, max: MAX_DEADLINE_MS }))

export const procMethods = {
  /**
   * Runs a task set in one mode and resolves when every task has finished or failed.
   * `workers` sizes the parallel pool (default: CPU count, at most the number of tasks);
   * serial always uses 1 child, concurrent one per task. `deadlineMs` overrides each task's
   * deadline (default: generous, from the budgets). `queueLimit` bounds how many tasks may wait
   * for a free child (default ${MAX_QUEUE_LIMIT}); tasks beyond it fail with ERR_QUEUE_FULL, which shows
   * the pool's bounded queue. One run at a time: ERR_BAD_STATE otherwise.
   */
  'proc.run': method<RunResult>()(
    object({ tasks: taskSpecInput(), mode: oneOf(RUN_MODES), workers, deadlineMs, queueLimit: optional(int({ min: 0, max: MAX_QUEUE_LIMIT })) }),
  ),
  /** Runs the same tasks serial, then concurrent, then parallel. */
  'proc.compare': method<CompareResult>()(object({ tasks: taskSpecInput(), workers, deadlineMs, runId: runIdInput() })),
  /** Stops the run in progress (its pool is closed; unfinished tasks fail with ERR_POOL_STOPPED). */
  'proc.stop': method<{ stopped: boolean }>()(object({})),
  /** The live pools and their children (pids, slots, states). */
  'proc.pool.status': method<PoolStatus>()(object({})),
  /**
   * A SIMULATION of FIFO, SJF and RR scheduling with the semantics of OSTEP's
   * cpu-sched/scheduler.py: jobs from `list` or drawn from `seed` as that program does;
   * per-job response, turnaround and wait, and their averages.
   */
  'sim.schedule': method<SchedResult>()(
    object({
      policy: oneOf(SCHED_POLICIES),
      list: optional(string({ min: 1, max: 300, pattern: SCHED_LIST_PATTERN, patternHint: { en: 'must look like "5,3,8": job lengths, comma-separated, at most 20', zh: '应写成 "5,3,8" 这样：各作业的长度，用逗号分隔，最多 20 个' } })),
      /** scheduler.py's own defaults: -j 3, -s 0, -m 10, -q 1. */
      jobs: optional(int({ min: 1, max: SCHED_MAX_JOBS }), 3),
      seed: optional(int({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), 0),
      maxlen: optional(int({ min: 1, max: SCHED_MAX_LENGTH }), 10),
      quantum: optional(int({ min: 1, max: SCHED_MAX_LENGTH }), 1),
    }),
  ),
}

export interface ProcEvents {
  'proc.progress': ProcProgress
}
