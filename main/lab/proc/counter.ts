/**
 * Threads versus processes, with one counter:
 * - `threads`: N worker threads increment ONE counter in shared memory (a SharedArrayBuffer).
 *   Without atomics the read-modify-write races and updates are lost; with Atomics.add none are.
 * - `processes`: N child processes (child_process.fork) run the same increment on "the same"
 *   variable, but each in its own memory: the parent's counter stays at 0.
 * Every thread and child is labelled in the process tree (role `counter`) while it lives.
 */
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { forkLabChild } from './fork-child'
import { osMethods, type CounterKind, type CounterResult, type CounterWorkerResult } from '../../../shared/contract/os'
import { LabError } from '../errors'
import { processCounter, SHARED_SLOTS, SLOT, type CounterChildStart, type CounterMessage } from './counter-shared'
import { registerProcess, registerThread } from './roles'
import { COUNTER_DEADLINE_MS } from '../../../shared/budgets'

/** What an absent option means: `proc.counter.run`'s schema defaults. */
const COUNTER = osMethods['proc.counter.run'].input.shape

export interface CounterOptions {
  kind: CounterKind
  n: number
  increments?: number
  atomic?: boolean
  holdMs?: number
}

/** Startup + counting may not take longer than this (plus holdMs); then everything is stopped (shared/budgets.ts). */
const DEADLINE_MS = COUNTER_DEADLINE_MS

interface Running {
  stop(): void
}

const shuttingDown = () => new LabError('ERR_BAD_STATE', 'the counter run was stopped (the lab is shutting down)')

export class CounterLab {
  private readonly running = new Set<Running>()

  constructor(private readonly workersDir: string) {}

  async run(opts: CounterOptions): Promise<CounterResult> {
    if (this.running.size > 0) throw new LabError('ERR_BAD_STATE', 'a counter run is already going; wait for it to finish')
    const increments = opts.increments ?? COUNTER.increments.default
    const atomic = opts.atomic ?? COUNTER.atomic.default
    const holdMs = opts.holdMs ?? COUNTER.holdMs.default
    const workers = opts.kind === 'threads' ? counterThreads(this.workersDir, increments, atomic, holdMs) : counterChildren(this.workersDir, increments, holdMs)
    const run = this.start(workers, opts.n, holdMs)
    this.running.add(run)
    try {
      const { final, perWorker, elapsedMs } = await run.done
      const expected = opts.n * increments
      return {
        kind: opts.kind,
        n: opts.n,
        increments,
        atomic: opts.kind === 'threads' ? atomic : false,
        expected,
        final,
        lost: expected - final,
        perWorker,
        elapsedMs,
      }
    } finally {
      run.stop()
      this.running.delete(run)
    }
  }

  /**
   * One run, whatever the kind: start n workers, release them together once every one is at the
   * barrier (so they really overlap), collect what each reports, and read the counter when all are gone.
   */
  private start(workers: CounterWorkers, n: number, holdMs: number): Running & { done: Promise<Outcome> } {
    let abort: (err: LabError) => void = () => {}
    let timer: NodeJS.Timeout | undefined
    const done = new Promise<Outcome>((resolve, reject) => {
      abort = reject
      const results: CounterWorkerResult[] = []
      let ready = 0
      let exited = 0
      let releasedAt = 0
      let finishedAt = 0
      let failed = false
      timer = setTimeout(() => reject(timeout()), DEADLINE_MS + holdMs)
      const fail = (message: string) => {
        if (failed) return
        failed = true
        clearTimeout(timer)
        reject(new LabError('ERR_INTERNAL', `counter ${workers.noun} failed: ${message}`))
      }
      for (let i = 0; i < n; i++) {
        const slot: CounterWorkerResult = workers.start(i, n, {
          message: (m) => {
            if (m.type === 'ready') {
              slot.tid = m.tid
              if (++ready === n) {
                releasedAt = performance.now()
                workers.release()
              }
            } else if (m.type === 'done') {
              slot.final = m.final
              slot.increments = m.increments
              finishedAt = Math.max(finishedAt, performance.now())
            }
          },
          failed: fail,
          exited: (how, output) => {
            if (slot.increments === 0) return fail(`${workers.noun} ${i + 1}/${n} (pid ${slot.pid}) exited (${how}) before counting ${output}`.trim())
            if (++exited < n) return
            clearTimeout(timer)
            resolve({ final: workers.final(), perWorker: results, elapsedMs: round2(finishedAt - releasedAt) })
          },
        })
        results.push(slot)
      }
    })
    return {
      done,
      stop: () => {
        clearTimeout(timer)
        abort(shuttingDown())
        workers.stop()
      },
    }
  }

  async close(): Promise<void> {
    for (const r of this.running) r.stop()
    this.running.clear()
  }
}

/** What a worker reports to its run. */
interface WorkerEvents {
  message(m: CounterMessage): void
  failed(message: string): void
  /** It is gone: `how` it ended (exit code or signal) and the last of what it wrote to stderr. */
  exited(how: string, output: string): void
}

/** What differs between the kinds of counter: one strategy per kind, the run is the same. */
interface CounterWorkers {
  readonly noun: 'thread' | 'child'
  /** Starts worker i of n; returns its slot in the result, which the run fills in. */
  start(i: number, n: number, on: WorkerEvents): CounterWorkerResult
  /** Every worker is at the barrier: let them all count. */
  release(): void
  /** The counter as this process reads it once every worker is gone. */
  final(): number
  /** Ends the workers still alive and drops their labels in the process tree. */
  stop(): void
}

/** Threads: one counter in shared memory (a SharedArrayBuffer); the barrier is a slot of it. */
function counterThreads(workersDir: string, increments: number, atomic: boolean, holdMs: number): CounterWorkers {
  const shared = new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT)
  const cells = new Int32Array(shared)
  const workers: Worker[] = []
  const unregister: (() => void)[] = []
  return {
    noun: 'thread',
    start(i, n, on) {
      const worker = new Worker(path.join(workersDir, 'counter-thread.js'), {
        workerData: { shared, increments, atomic, holdMs },
        name: `counter ${i + 1}/${n}`,
      })
      workers.push(worker)
      worker.on('message', (m: CounterMessage) => {
        // A thread's OS id is known once it runs: it is labelled in the tree from then on.
        if (m.type === 'ready') unregister.push(registerThread(m.tid, 'counter', `counter thread ${i + 1}/${n}`))
        on.message(m)
      })
      worker.on('error', (err) => on.failed(String(err?.message ?? err)))
      worker.on('exit', (code) => on.exited(`code ${code}`, ''))
      return { pid: process.pid, tid: null, final: 0, increments: 0 }
    },
    release() {
      Atomics.store(cells, SLOT.go, 1)
      Atomics.notify(cells, SLOT.go)
    },
    final: () => Atomics.load(cells, SLOT.counter),
    stop() {
      for (const w of workers) void w.terminate()
      for (const u of unregister) u()
    },
  }
}

/** Processes: each child counts in its own memory; the barrier is a `go` message to each. */
function counterChildren(workersDir: string, increments: number, holdMs: number): CounterWorkers {
  const children: ChildProcess[] = []
  const unregister: (() => void)[] = []
  return {
    noun: 'child',
    start(i, n, on) {
      const child = forkLabChild(path.join(workersDir, 'counter-child.js'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
      children.push(child)
      unregister.push(registerProcess(child.pid, 'counter', `counter child ${i + 1}/${n}`))
      let stderr = ''
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)))
      child.on('message', (m: CounterMessage) => on.message(m))
      child.on('error', (err) => on.failed(err.message))
      child.on('exit', (code, signal) => on.exited(String(signal ?? code), stderr.trim()))
      return { pid: child.pid ?? 0, tid: null, final: 0, increments: 0 }
    },
    release() {
      const go: CounterChildStart = { type: 'go', increments, holdMs }
      for (const c of children) c.send(go)
    },
    // The children incremented their own copies; this is the parent's, untouched.
    final: () => processCounter.value,
    stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
      for (const u of unregister) u()
    },
  }
}

interface Outcome {
  final: number
  perWorker: CounterWorkerResult[]
  elapsedMs: number
}

function timeout(): LabError {
  return new LabError('ERR_TIMEOUT', 'the counter threads or processes did not finish in time')
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
