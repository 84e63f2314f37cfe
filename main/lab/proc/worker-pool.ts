/**
 * A bounded pool of pre-started child processes (docs/SECURITY.md items 22–24).
 *
 * - `size` children are forked from the fixed entry `pool-child.js` (no shell, no learner
 *   string on any command line) and must say "ready" before the pool is usable.
 * - Tasks beyond the free children wait in a bounded queue; past `queueLimit` → ERR_QUEUE_FULL.
 * - Each task has a deadline counted from when a child got it. Past it the child is sent
 *   SIGTERM, then SIGKILL after `killGraceMs`; the task fails with ERR_TASK_TIMEOUT.
 * - A child that exits mid-task fails it with ERR_TASK_CRASHED (exit code or signal).
 * - Either way the child is replaced by a fresh one in the same slot.
 * - `close()` (idempotent) fails what is queued or running with ERR_POOL_STOPPED and ends every
 *   child (SIGTERM, then SIGKILL). Children also exit on their own when the engine dies.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { MAX_QUEUE_LIMIT, type PinStatus, type PoolChildInfo, type PoolStatus } from '../../../shared/contract/proc'
import type { TaskSpec } from '../../../shared/task-spec'
import { LabError } from '../errors'
import { pinToCpu } from './affinity'
import { isFromChild, nowAbs, type ChildPhase, type FromChild, type ToChild } from './messages'
import { forkLabChild } from './fork-child'
import { registerProcess } from './roles'
import { POOL_KILL_GRACE_MS, POOL_STARTUP_TIMEOUT_MS } from '../../../shared/budgets'

export const DEFAULT_QUEUE_LIMIT = MAX_QUEUE_LIMIT
export const DEFAULT_KILL_GRACE_MS = POOL_KILL_GRACE_MS
const STARTUP_TIMEOUT_MS = POOL_STARTUP_TIMEOUT_MS

/**
 * A pool child counts its main thread's context switches per task (pool-child.ts). Node 24's V8
 * (Electron 41's Node 24.14) compiles Sparkplug baseline code on a background thread by default
 * (`--concurrent-sparkplug`; off by default on Node 20). Pinned to one CPU, as the `concurrent` mode
 * pins every child, that V8 thread then preempts the task's own thread a few times per task: an
 * io:200ms task counted 2–4 involuntary switches against 0–1 on Node 20 (measured, 8 children on
 * CPU 0), switches the lesson would blame on the other tasks. Compiling on the main thread, as
 * Node 20 does, keeps the count the task's own. The flag exists on Node 20 (default off) and 24.
 */
export const POOL_CHILD_V8_FLAGS = ['--no-concurrent-sparkplug'] as const

export interface PoolOptions {
  /** Absolute path of the built pool-child.js. */
  entry: string
  size: number
  queueLimit?: number
  /** Pin every child (and every replacement) to this CPU. */
  pinCpu?: number | null
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number
  /** Shown in status and in the process tree's labels. */
  poolId?: string
  onReplaced?(e: { slot: number; oldPid: number; newPid: number; reason: 'crashed' | 'timeout' }): void
}

/** What a finished task reports; times are absolute ms (see messages.ts). */
export interface TaskReport {
  taskId: number
  pid: number
  slot: number
  queuedAt: number
  dispatchedAt: number
  startAt: number
  endAt: number
  cpuMs: number
  cpu: number | null
  phases: ChildPhase[]
  counters: Extract<FromChild, { type: 'done' }>['counters']
}

export interface TaskRunOptions {
  /** ms after the task reaches a child. */
  deadlineMs: number
  /** For `@socket` I/O: the slow peer's port. */
  peerPort?: number
  onStart?(e: { taskId: number; pid: number; slot: number; at: number }): void
}

interface Job {
  taskId: number
  task: TaskSpec
  opts: TaskRunOptions
  queuedAt: number
  dispatchedAt: number
  timer: NodeJS.Timeout | null
  timedOut: boolean
  resolve(r: TaskReport): void
  reject(e: LabError): void
}

interface Slot {
  index: number
  child: ChildProcess
  pid: number
  state: PoolChildInfo['state']
  job: Job | null
  pin: PinStatus | null
  exited: Promise<void>
  alive: boolean
  stderrTail: string
  unregister(): void
}

const livePools = new Set<WorkerPool>()
let nextPoolId = 1

/** Every live pool in this engine process (for status and the process tree). */
export function listPools(): WorkerPool[] {
  return [...livePools]
}

export class WorkerPool {
  readonly poolId: string
  readonly size: number
  readonly queueLimit: number
  private readonly slots: Slot[] = []
  private queue: Job[] = []
  private closing: Promise<void> | null = null
  private replaced = 0

  private constructor(private readonly opts: PoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new LabError('ERR_INVALID_INPUT', `pool size must be at least 1, got ${opts.size}`)
    this.size = opts.size
    this.queueLimit = opts.queueLimit ?? DEFAULT_QUEUE_LIMIT
    this.poolId = opts.poolId ?? `pool-${nextPoolId++}`
  }

  /** Starts `size` children and resolves when all are ready (and pinned, if asked). */
  static async start(opts: PoolOptions): Promise<WorkerPool> {
    if (!existsSync(opts.entry)) throw new LabError('ERR_INTERNAL', `the pool child ${opts.entry} is not built; run \`npm run build\``)
    const pool = new WorkerPool(opts)
    livePools.add(pool)
    try {
      await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.spawn(i)))
    } catch (err) {
      await pool.close()
      throw err
    }
    return pool
  }

  /** Pin status of the children: ok only if every live child was pinned and confirmed. */
  pinStatus(): PinStatus {
    if (this.opts.pinCpu === null || this.opts.pinCpu === undefined) return { ok: false, reason: 'not pinned' }
    const pins = this.slots.map((s) => s.pin)
    const failed = pins.find((p) => !p?.ok)
    if (failed) return { ok: false, reason: failed.reason ?? 'a child could not be pinned' }
    return { ok: true, cpu: this.opts.pinCpu, method: pins[0]?.method }
  }

  /** Runs one task on the next free child. Rejects with a LabError (queue full, crash, timeout, stopped). */
  run(taskId: number, task: TaskSpec, opts: TaskRunOptions): Promise<TaskReport> {
    if (this.closing) return Promise.reject(new LabError('ERR_POOL_STOPPED', 'the process pool was stopped'))
    if (!this.slots.some((s) => s.alive)) return Promise.reject(new LabError('ERR_POOL_STOPPED', 'no pool child is running (replacements failed to start)'))
    const hasIdle = this.slots.some((s) => s.state === 'idle')
    if (!hasIdle && this.queue.length >= this.queueLimit) {
      return Promise.reject(
        new LabError('ERR_QUEUE_FULL', `${this.queue.length} task${this.queue.length === 1 ? '' : 's'} already waiting (queue limit ${this.queueLimit})`, { queueLimit: this.queueLimit }),
      )
    }
    return new Promise<TaskReport>((resolve, reject) => {
      this.queue.push({ taskId, task, opts, queuedAt: nowAbs(), dispatchedAt: 0, timer: null, timedOut: false, resolve, reject })
      this.pump()
    })
  }

  children(): PoolChildInfo[] {
    return this.slots
      .filter((s) => s.alive)
      .map((s) => {
        const info: PoolChildInfo = { pid: s.pid, role: 'pool-child', poolId: this.poolId, slot: s.index, state: s.state }
        if (s.job) info.taskId = s.job.taskId
        if (s.pin?.ok && s.pin.cpu !== undefined) info.pinnedCpu = s.pin.cpu
        return info
      })
  }

  status(): PoolStatus['pools'][number] {
    return {
      poolId: this.poolId,
      size: this.size,
      busy: this.slots.filter((s) => s.state === 'busy').length,
      queued: this.queue.length,
      queueLimit: this.queueLimit,
      replaced: this.replaced,
    }
  }

  pids(): number[] {
    return this.slots.filter((s) => s.alive).map((s) => s.pid)
  }

  /** Fails queued and running tasks with ERR_POOL_STOPPED and ends every child. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const queued = this.queue
      this.queue = []
      for (const job of queued) job.reject(new LabError('ERR_POOL_STOPPED', 'the process pool was stopped before the task started'))
      await Promise.all(this.slots.map((s) => this.stopChild(s)))
      livePools.delete(this)
    })()
    return this.closing
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private spawn(index: number): Promise<Slot> {
    // Fixed entry, no shell, no inherited loader flags (vitest, --inspect) and no learner input.
    const child = forkLabChild(this.opts.entry, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], v8Flags: POOL_CHILD_V8_FLAGS })
    let markExited!: () => void
    const slot: Slot = {
      index,
      child,
      pid: child.pid ?? 0,
      state: 'starting',
      job: null,
      pin: null,
      exited: new Promise<void>((r) => (markExited = r)),
      alive: true,
      stderrTail: '',
      unregister: () => {},
    }
    this.slots[index] = slot
    slot.unregister = registerProcess(slot.pid, 'pool', `${this.poolId} child ${index + 1}/${this.size}`)
    child.stderr?.on('data', (d: Buffer) => (slot.stderrTail = (slot.stderrTail + d.toString('utf8')).slice(-2_000)))

    return new Promise<Slot>((resolve, reject) => {
      let ready = false
      const fail = (message: string) => {
        if (ready) return
        ready = true
        clearTimeout(startupTimer)
        reject(new LabError('ERR_INTERNAL', message, { pid: slot.pid }))
      }
      const startupTimer = setTimeout(() => {
        fail(`pool child ${slot.pid} did not start within ${STARTUP_TIMEOUT_MS} ms`)
        void this.stopChild(slot)
      }, STARTUP_TIMEOUT_MS)

      child.on('message', (raw: unknown) => {
        if (!isFromChild(raw)) return
        if (raw.type === 'ready' && !ready) {
          ready = true
          clearTimeout(startupTimer)
          void this.afterReady(slot).then(resolve, reject)
          return
        }
        this.onMessage(slot, raw)
      })
      child.on('error', (err) => fail(`could not start a pool child: ${err.message}`))
      child.on('exit', (code, signal) => {
        slot.alive = false
        slot.unregister()
        clearTimeout(startupTimer)
        fail(`pool child exited during start-up (${signal ?? `code ${code}`})${slot.stderrTail ? `: ${slot.stderrTail.trim().slice(-300)}` : ''}`)
        this.onExit(slot, code, signal)
        markExited()
      })
    })
  }

  private async afterReady(slot: Slot): Promise<Slot> {
    if (this.opts.pinCpu !== null && this.opts.pinCpu !== undefined) slot.pin = await pinToCpu(slot.pid, this.opts.pinCpu)
    if (this.closing || !slot.alive) throw new LabError('ERR_POOL_STOPPED', 'the process pool was stopped while starting')
    slot.state = 'idle'
    this.pump()
    return slot
  }

  private pump(): void {
    if (this.closing) return
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (slot.state !== 'idle' || !slot.alive) continue
      this.dispatch(slot, this.queue.shift()!)
    }
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.state = 'busy'
    slot.job = job
    job.dispatchedAt = nowAbs()
    job.timer = setTimeout(() => {
      job.timedOut = true
      this.kill(slot)
    }, job.opts.deadlineMs)
    const message: ToChild = { type: 'run', taskId: job.taskId, task: job.task }
    if (job.opts.peerPort !== undefined) message.peerPort = job.opts.peerPort
    // If the child died just now, 'exit' fails the job; the send error adds nothing.
    slot.child.send(message, () => {})
  }

  private onMessage(slot: Slot, m: FromChild): void {
    const job = slot.job
    if (!job || m.type === 'ready' || m.taskId !== job.taskId || job.timedOut) return
    if (m.type === 'started') {
      job.opts.onStart?.({ taskId: job.taskId, pid: slot.pid, slot: slot.index, at: m.at })
      return
    }
    this.finish(slot, job)
    if (m.type === 'done') {
      const { startAt, endAt, cpuMs, cpu, phases, counters } = m
      job.resolve({ taskId: job.taskId, pid: slot.pid, slot: slot.index, queuedAt: job.queuedAt, dispatchedAt: job.dispatchedAt, startAt, endAt, cpuMs, cpu, phases, counters })
    } else {
      job.reject(new LabError('ERR_INTERNAL', `task ${job.taskId} failed in its child: ${m.message}`, { pid: slot.pid }))
    }
    this.pump()
  }

  private finish(slot: Slot, job: Job): void {
    if (job.timer) clearTimeout(job.timer)
    job.timer = null
    slot.job = null
    if (slot.state === 'busy') slot.state = 'idle'
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    const job = slot.job
    const wasStarting = slot.state === 'starting'
    const wasStopping = slot.state === 'stopping' && !job?.timedOut
    if (job) {
      this.finish(slot, job)
      const how = signal ?? `exit code ${code}`
      const params: Record<string, string | number> = { pid: slot.pid, taskId: job.taskId }
      if (signal) params.signal = signal
      else if (code !== null) params.exitCode = code
      if (this.closing && !job.timedOut) job.reject(new LabError('ERR_POOL_STOPPED', 'the process pool was stopped while the task ran', params))
      else if (job.timedOut) {
        job.reject(
          new LabError('ERR_TASK_TIMEOUT', `task ${job.taskId} ran past its ${job.opts.deadlineMs} ms deadline; child ${slot.pid} was ended (${how})`, {
            ...params,
            deadlineMs: job.opts.deadlineMs,
          }),
        )
      } else job.reject(new LabError('ERR_TASK_CRASHED', `the child ${slot.pid} running task ${job.taskId} exited unexpectedly (${how})`, params))
    }
    slot.state = 'stopping'
    if (this.closing || wasStarting || wasStopping || this.slots[slot.index] !== slot) return
    // Replace the child, in the same slot (a child that exits while idle is replaced too).
    const reason = job?.timedOut ? 'timeout' : 'crashed'
    this.replaced++
    this.spawn(slot.index).then(
      (fresh) => this.opts.onReplaced?.({ slot: slot.index, oldPid: slot.pid, newPid: fresh.pid, reason }),
      () => {
        // Could not start a replacement: if no child is left, fail what waits instead of hanging.
        if (!this.slots.some((s) => s.alive)) {
          const queued = this.queue
          this.queue = []
          for (const j of queued) j.reject(new LabError('ERR_POOL_STOPPED', 'no pool child could be started'))
        }
      },
    )
  }

  /** SIGTERM now, SIGKILL after the grace period if it is still there. */
  private kill(slot: Slot): void {
    if (!slot.alive) return
    slot.child.kill('SIGTERM')
    const grace = setTimeout(() => {
      if (slot.alive) slot.child.kill('SIGKILL')
    }, this.opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS)
    void slot.exited.then(() => clearTimeout(grace))
  }

  private async stopChild(slot: Slot): Promise<void> {
    if (!slot.alive) return slot.exited
    if (!slot.job?.timedOut) slot.state = 'stopping'
    if (slot.child.connected) slot.child.disconnect()
    this.kill(slot)
    return slot.exited
  }
}
