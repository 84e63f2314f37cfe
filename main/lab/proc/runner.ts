/**
 * Runs one task set in one mode on a fresh pool and measures it.
 *
 * - serial: a pool of 1 child; the tasks queue and run one after another.
 * - concurrent: one child per task, every child pinned to ONE CPU; all tasks are handed out
 *   at once, so the OS time-slices them on that CPU (and overlaps their I/O waits).
 * - parallel: `workers` children (default: CPU count, at most one per task) on every CPU.
 *
 * The pool is started (and pinned) before the clock starts, so start-up cost is reported
 * separately (`startupMs`), not inside `wallMs`. Times on the run clock are ms since the
 * clock started; the children's own start/end reports are put on it (same system clock).
 */
import type { RunCancelled } from '../../../shared/contract/runs'
import type { CompareResult, PinStatus, ProcProgress, RunMode, RunResult, SamplingInfo, TaskPhase, TaskResult } from '../../../shared/contract/proc'
import { idealWallMs, parseTaskSpec, type TaskSpec } from '../../../shared/task-spec'
import type { LabErrorData } from '../../../shared/errors'
import { LabError, toErrorData } from '../errors'
import { firstAllowedCpu } from './affinity'
import { CpuSampler, type SamplerReport } from './cpu-sampler'
import { taskSlices, type SpanOnChild } from './cpu-slices'
import { counterDelta } from './sched-counters'
import { nowAbs } from './messages'
import { SlowPeer } from './slow-peer'
import { WorkerPool, type TaskReport } from './worker-pool'

export interface RunInput {
  tasks: string
  mode: RunMode
  workers?: number
  deadlineMs?: number
  queueLimit?: number
}

export interface RunnerDeps {
  /** Absolute path of the built pool-child.js. */
  entry: string
  /** CPUs this lab may use. */
  cpus: number
  emit(p: ProcProgress): void
  /** Told about the run's pool when it starts (so it can be stopped) and with null when done. */
  onPool?(pool: WorkerPool | null): void
}

const r1 = (x: number) => Math.round(x * 10) / 10
const r3 = (x: number) => Math.round(x * 1000) / 1000

export function parseOrThrow(spec: string): TaskSpec[] {
  const parsed = parseTaskSpec(spec)
  if (!parsed.ok) throw new LabError(parsed.error.code, parsed.error.message, parsed.error.params)
  return parsed.tasks
}

export function poolSize(mode: RunMode, taskCount: number, cpus: number, workers?: number): number {
  if (mode === 'serial') return 1
  if (mode === 'concurrent') return Math.max(1, taskCount)
  return Math.max(1, Math.min(workers ?? cpus, Math.max(taskCount, 1)))
}

/** A generous default deadline: the task's own budget three times over, plus what it may wait for the CPU. */
export function defaultDeadlineMs(task: TaskSpec, mode: RunMode, all: readonly TaskSpec[]): number {
  const sumCpu = all.reduce((s, t) => s + t.cpuMs, 0)
  return 5_000 + 3 * (task.cpuMs + task.ioMs) + (mode === 'serial' ? 0 : 3 * sumCpu)
}

export async function runTasks(deps: RunnerDeps, input: RunInput, runId: string): Promise<RunResult> {
  const tasks = parseOrThrow(input.tasks)
  const { mode } = input
  const size = poolSize(mode, tasks.length, deps.cpus, input.workers)
  const pinCpu = mode === 'concurrent' ? firstAllowedCpu() : null
  const emit = (p: Record<string, unknown>) => deps.emit({ runId, mode, at: Date.now(), ...p } as ProcProgress)

  const startupAt = nowAbs()
  let sampler: ReturnType<typeof CpuSampler.start> = { ok: false, error: { code: 'ERR_BAD_STATE', message: 'not started' } }
  const peer = tasks.some((t) => t.ioVia === 'socket') ? await SlowPeer.start() : null
  const pool = await WorkerPool.start({
    entry: deps.entry,
    size,
    pinCpu,
    queueLimit: input.queueLimit,
    poolId: runId,
    onReplaced: (e) => {
      if (sampler.ok) sampler.sampler.track(e.newPid)
      emit({ event: 'child-replaced', ...e })
    },
  }).catch(async (err: unknown) => {
    await peer?.close()
    throw err
  })
  deps.onPool?.(pool)
  try {
    const startupMs = nowAbs() - startupAt
    const pinned: PinStatus = mode === 'concurrent' ? pool.pinStatus() : { ok: false, reason: `${mode} runs are not pinned to one CPU` }
    sampler = CpuSampler.start()
    if (sampler.ok) for (const pid of pool.pids()) sampler.sampler.track(pid)
    if (sampler.ok) sampler.sampler.tick()
    const runStart = nowAbs()
    const startedAt = Date.now()
    const clock = (abs: number) => r1(abs - runStart)
    emit({ event: 'pool-ready', workers: size, pinned, startupMs: r1(startupMs), tasks: tasks.length, pids: pool.pids() })

    const reports = new Map<number, TaskReport>()
    const results = await Promise.all(
      tasks.map((task, i) => {
        const id = i + 1
        let started: { pid: number; slot: number; at: number } | null = null
        const queuedAt = nowAbs()
        return pool
          .run(id, task, {
            deadlineMs: input.deadlineMs ?? defaultDeadlineMs(task, mode, tasks),
            ...(peer ? { peerPort: peer.port } : {}),
            onStart: (e) => {
              started = e
              emit({ event: 'task-started', taskId: id, pid: e.pid, slot: e.slot, startMs: clock(e.at) })
            },
          })
          .then(
            (report) => {
              reports.set(id, report)
              return fromReport(id, task, report, clock)
            },
            (err: unknown) => failed(id, task, err, started, queuedAt, clock),
          )
          .then((result) => {
            emit({ event: 'task-finished', task: result })
            return result
          })
      }),
    )
    const runEnd = nowAbs()
    const wallMs = r1(runEnd - runStart)
    const sampling = finishSampling(sampler.ok ? sampler.sampler.stop() : sampler.error, results, reports, runStart, wallMs)
    const cpuMsTotal = r1(results.reduce((s, t) => s + t.cpuMs, 0))
    const cpusUsable = mode === 'serial' || (mode === 'concurrent' && pinned.ok) ? 1 : Math.min(deps.cpus, size)
    const ok = results.every((t) => t.ok)
    emit({ event: 'run-finished', wallMs, ok })
    return {
      runId,
      mode,
      spec: input.tasks,
      wallMs,
      cpus: deps.cpus,
      workers: size,
      cpusUsable,
      pinned,
      cpuMsTotal,
      utilisation: wallMs > 0 ? r3(cpuMsTotal / (wallMs * cpusUsable)) : 0,
      startupMs: r1(startupMs),
      tasks: results,
      startedAt,
      sampling,
    }
  } finally {
    if (sampler.ok) sampler.sampler.stop()
    deps.onPool?.(null)
    await Promise.all([pool.close(), peer?.close()])
  }
}

function fromReport(id: number, task: TaskSpec, r: TaskReport, clock: (abs: number) => number): TaskResult {
  const startMs = clock(r.startAt)
  const endMs = clock(r.endAt)
  const phases: TaskPhase[] = r.phases.map((p) => {
    const phase: TaskPhase = { phase: p.phase, startMs: clock(p.startAt), endMs: clock(p.endAt), cpuMs: r1(p.cpuMs) }
    if (p.slices) phase.slices = p.slices.map(([a, b]) => [clock(a), clock(b)])
    return phase
  })
  return {
    id,
    kind: task.kind,
    spec: task.text,
    pid: r.pid,
    slot: r.slot,
    cpu: r.cpu,
    startMs,
    endMs,
    cpuMs: r1(r.cpuMs),
    wallMs: r1(endMs - startMs),
    waitMs: r1(Math.max(0, r.startAt - r.queuedAt)),
    ok: true,
    phases,
    ...countersOf(r),
  }
}

/** This task's switches and run-queue wait: the child's main thread read before and after the task. */
function countersOf(r: TaskReport): Partial<TaskResult> {
  const c = r.counters
  if (!c.ok) return { countersMissing: c.error }
  const d = counterDelta(c.start, c.end)
  if (!d.ok) return { countersMissing: d.error }
  return { voluntarySwitches: d.value.voluntarySwitches, involuntarySwitches: d.value.involuntarySwitches, runQueueWaitMs: d.value.runQueueWaitMs }
}

/**
 * Puts the sampled CPU slices on each finished task (run clock) and says what sampling cost.
 * Tasks that failed have no span on their child to attribute samples to, so they get none.
 */
function finishSampling(
  report: SamplerReport | LabErrorData,
  results: TaskResult[],
  reports: Map<number, TaskReport>,
  runStart: number,
  wallMs: number,
): SamplingInfo {
  if (!('at' in report)) return { ok: false, error: report }
  const spans: SpanOnChild[] = [...reports.values()].map((r) => ({ taskId: r.taskId, pid: r.pid, startAt: r.startAt, endAt: r.endAt }))
  const slices = taskSlices(report, spans)
  for (const t of results) {
    const s = slices.get(t.id)
    if (!s) continue
    // 0.01 ms: finer than the run clock's 0.1 ms, so slices of a few µs keep their length; rounding
    // both ends the same way keeps slices that did not overlap from overlapping.
    const at = (abs: number) => Math.round((abs - runStart) * 100) / 100
    t.ran = s.ran.map(([a, b]): [number, number] => [at(a), at(b)]).filter(([a, b]) => b > a)
    const cpus = new Set(s.cpus)
    if (t.cpu !== null) cpus.add(t.cpu)
    t.cpus = [...cpus].sort((a, b) => a - b)
  }
  const ticks = report.at.length
  const info: SamplingInfo = {
    ok: true,
    method: 'schedstat',
    intervalMs: report.intervalMs,
    ticks,
    meanIntervalMs: ticks > 1 ? r3((report.at[ticks - 1]! - report.at[0]!) / (ticks - 1)) : 0,
    samplerCpuMs: r3(report.samplerCpuMs),
    samplerShare: wallMs > 0 ? Math.round((report.samplerCpuMs / wallMs) * 1e5) / 1e5 : 0,
  }
  if (report.truncated) info.truncated = report.truncated
  return info
}

function failed(
  id: number,
  task: TaskSpec,
  err: unknown,
  started: { pid: number; slot: number; at: number } | null,
  queuedAt: number,
  clock: (abs: number) => number,
): TaskResult {
  const error = toErrorData(err)
  const now = nowAbs()
  const startMs = clock(started?.at ?? now)
  const endMs = clock(now)
  const pid = started?.pid ?? (typeof error.params?.pid === 'number' ? error.params.pid : null)
  return {
    id,
    kind: task.kind,
    spec: task.text,
    pid,
    slot: started?.slot ?? null,
    cpu: null,
    startMs,
    endMs,
    cpuMs: 0,
    wallMs: r1(endMs - startMs),
    waitMs: r1(Math.max(0, (started?.at ?? now) - queuedAt)),
    ok: false,
    error,
    phases: [],
  }
}

/** Runs serial, concurrent, parallel one after another (fresh pool each) and compares. */
export async function compareModes(
  deps: RunnerDeps,
  input: { tasks: string; workers?: number; deadlineMs?: number },
  nextRunId: () => string,
  stopped: () => boolean,
  /** run.cancel (main/lab/runs.ts): a cancelled comparison returns the modes that finished, marked. */
  cancelled?: () => RunCancelled | undefined,
): Promise<CompareResult> {
  const tasks = parseOrThrow(input.tasks)
  const runs: RunResult[] = []
  for (const mode of ['serial', 'concurrent', 'parallel'] as const) {
    if (stopped()) break
    let run: RunResult
    try {
      run = await runTasks(deps, { ...input, mode }, nextRunId())
    } catch (err) {
      if (stopped()) break
      throw err
    }
    // Stopped while this mode ran: its tasks were cut off, so its figures are not kept.
    if (stopped()) break
    runs.push(run)
  }
  const marker = cancelled?.()
  if (runs.length < 3 && !marker) throw new LabError('ERR_POOL_STOPPED', 'the comparison was stopped')
  const byMode = (m: RunMode) => runs.find((r) => r.mode === m)
  const serial = byMode('serial')
  const parallel = byMode('parallel')
  const ideal = idealWallMs(tasks, deps.cpus, parallel?.workers ?? poolSize('parallel', tasks.length, deps.cpus, input.workers))
  const ratio = (a: number, b: number) => (b > 0 ? r3(a / b) : 0)
  const speedupOf = (m: RunMode) => {
    const run = byMode(m)
    return serial && run ? ratio(serial.wallMs, run.wallMs) : null
  }
  return {
    runs,
    ...(marker ? { cancelled: marker } : {}),
    speedup: { concurrent: speedupOf('concurrent'), parallel: speedupOf('parallel') },
    ideal: {
      wallMs: { serial: r1(ideal.serial), concurrent: r1(ideal.concurrent), parallel: r1(ideal.parallel) },
      speedup: { concurrent: ratio(ideal.serial, ideal.concurrent), parallel: ratio(ideal.serial, ideal.parallel) },
    },
  }
}
