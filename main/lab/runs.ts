/**
 * The long runs in flight, by run id: each has an AbortController (what `run.cancel` aborts) and
 * a plan (shared/run-estimate.ts) from which its `run.progress` events carry an estimate. A runner
 * gets a `RunHandle`: it passes `signal` down to whatever waits (sockets, sleeps, pools), reports
 * finished units with `progress(done, step?)`, and, when the signal fired, returns what finished with
 * `handle.cancelled()` as the result's `cancelled` marker. `run.progress` is the only progress
 * topic of a long run: a run made of parts (net.compare's rows) reports its part as `step`.
 */
import type { RunCancelled, RunKind, RunProgress, RunStep } from '../../shared/contract/runs'
import { estimateMs, planUnits, type RunPlan } from '../../shared/run-estimate'
import { LabError } from './errors'

/** At most this often a run reports progress (plus its start and its end). */
const PROGRESS_EVERY_MS = 100

export interface RunHandle {
  readonly runId: string
  readonly signal: AbortSignal
  /** Units finished so far (of the plan's total), and the part now running; a new part is sent at once. */
  progress(done: number, step?: RunStep): void
  /** The run learnt what it will do (net.compare: which Python rows exist): total and estimate follow the new plan. */
  replan(plan: RunPlan): void
  /** The `cancelled` marker for the result when the run was cancelled, else undefined. */
  cancelled(): RunCancelled | undefined
}

export class RunRegistry {
  private readonly running = new Map<string, { controller: AbortController; cancelAt: number | null; done: number; started: number }>()
  private nextId = 1

  constructor(private readonly emit: (p: RunProgress) => void) {}

  /** Runs `work` as a cancellable run: registered under `runId` (or a fresh id) until it settles. */
  async track<T>(kind: RunKind, requestedId: string | undefined, plan: RunPlan, work: (run: RunHandle) => Promise<T>): Promise<T> {
    const runId = requestedId ?? `${kind.replace('.', '-')}-${this.nextId++}`
    if (this.running.has(runId)) throw new LabError('ERR_BAD_STATE', `a run with id ${runId} is already running`, { runId })
    const entry = { controller: new AbortController(), cancelAt: null as number | null, done: 0, started: performance.now() }
    this.running.set(runId, entry)
    let total = planUnits(plan)
    let lastEmit = 0
    let step: RunStep | undefined
    const send = (phase: RunProgress['phase']) => {
      const elapsedMs = performance.now() - entry.started
      const ended = phase === 'done' || phase === 'cancelled'
      const whole = ended ? elapsedMs : estimateMs(plan, entry.done, elapsedMs)
      this.emit({
        runId,
        kind,
        phase,
        done: entry.done,
        total,
        elapsedMs: Math.round(elapsedMs),
        estimateMs: Math.round(whole),
        leftMs: Math.max(0, Math.round(whole - elapsedMs)),
        ...(step && !ended ? { step: { ...step } } : {}),
        at: Date.now(),
      })
    }
    const handle: RunHandle = {
      runId,
      signal: entry.controller.signal,
      progress: (done, next) => {
        entry.done = Math.min(total, Math.max(entry.done, done))
        const newStep = next !== undefined && (step === undefined || next.index !== step.index || next.count !== step.count)
        if (next !== undefined) step = next
        const now = performance.now()
        if (!newStep && now - lastEmit < PROGRESS_EVERY_MS) return
        lastEmit = now
        send('progress')
      },
      replan: (next) => {
        plan = next
        total = planUnits(next)
        entry.done = Math.min(total, entry.done)
      },
      cancelled: () =>
        entry.cancelAt === null
          ? undefined
          : {
              code: 'ERR_CANCELLED',
              message: `cancelled after ${Math.round(entry.cancelAt)} ms with ${entry.done} of ${total} done`,
              done: entry.done,
              total,
              atMs: Math.round(entry.cancelAt),
            },
    }
    send('start')
    lastEmit = performance.now()
    let finished = false
    try {
      const result = await work(handle)
      finished = true
      return result
    } finally {
      this.running.delete(runId)
      if (finished && entry.cancelAt === null) entry.done = total
      send(entry.cancelAt === null ? 'done' : 'cancelled')
    }
  }

  /** Aborts the run; false when no run has that id. */
  cancel(runId: string): boolean {
    const entry = this.running.get(runId)
    if (!entry) return false
    if (entry.cancelAt === null) entry.cancelAt = performance.now() - entry.started
    entry.controller.abort(new LabError('ERR_CANCELLED', `run ${runId} was cancelled`, { runId }))
    return true
  }

  /** The lab is closing: every run stops. */
  cancelAll(): void {
    for (const id of [...this.running.keys()]) this.cancel(id)
  }

  get size(): number {
    return this.running.size
  }
}

/** A sleep that ends early when the run is cancelled (resolves; the caller checks `signal.aborted`). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
