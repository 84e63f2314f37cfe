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
import type { CounterKind, CounterResult, CounterWorkerResult } from '../../../shared/contract/os'
import { LabError } from '../errors'
import { processCounter, SHARED_SLOTS, SLOT, type CounterChildStart, type CounterMessage } from './counter-shared'
import { registerProcess, registerThread } from './roles'

export interface CounterOptions {
  kind: CounterKind
  n: number
  increments?: number
  atomic?: boolean
  holdMs?: number
}

/** Startup + counting may not take longer than this (plus holdMs); then everything is stopped. */
const DEADLINE_MS = 60_000

interface Running {
  stop(): void
}

const shuttingDown = () => new LabError('ERR_BAD_STATE', 'the counter run was stopped (the lab is shutting down)')

export class CounterLab {
  private readonly running = new Set<Running>()

  constructor(private readonly workersDir: string) {}

  async run(opts: CounterOptions): Promise<CounterResult> {
    if (this.running.size > 0) throw new LabError('ERR_BAD_STATE', 'a counter run is already going; wait for it to finish')
    const increments = opts.increments ?? 100_000
    const atomic = opts.atomic ?? false
    const holdMs = opts.holdMs ?? 0
    const run = opts.kind === 'threads' ? this.threads(opts.n, increments, atomic, holdMs) : this.processes(opts.n, increments, holdMs)
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

  private threads(n: number, increments: number, atomic: boolean, holdMs: number): Running & { done: Promise<Outcome> } {
    const shared = new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT)
    const cells = new Int32Array(shared)
    const workers: Worker[] = []
    const unregister: (() => void)[] = []
    let abort: (err: LabError) => void = () => {}
    let timer: NodeJS.Timeout | undefined
    const done = new Promise<Outcome>((resolve, reject) => {
      abort = reject
      const results: CounterWorkerResult[] = []
      let ready = 0
      let exited = 0
      let releasedAt = 0
      let finishedAt = 0
      timer = setTimeout(() => reject(timeout()), DEADLINE_MS + holdMs)
      const fail = (err: unknown) => {
        clearTimeout(timer)
        reject(err instanceof LabError ? err : new LabError('ERR_INTERNAL', `counter thread failed: ${String((err as Error)?.message ?? err)}`))
      }
      for (let i = 0; i < n; i++) {
        const worker = new Worker(path.join(this.workersDir, 'counter-thread.js'), {
          workerData: { shared, increments, atomic, holdMs },
          name: `counter ${i + 1}/${n}`,
        })
        workers.push(worker)
        const slot: CounterWorkerResult = { pid: process.pid, tid: null, final: 0, increments: 0 }
        results.push(slot)
        worker.on('message', (m: CounterMessage) => {
          if (m.type === 'ready') {
            slot.tid = m.tid
            unregister.push(registerThread(m.tid, 'counter', `counter thread ${i + 1}/${n}`))
            if (++ready === n) {
              // Every thread is at the barrier: release them together so they really overlap.
              releasedAt = performance.now()
              Atomics.store(cells, SLOT.go, 1)
              Atomics.notify(cells, SLOT.go)
            }
          } else if (m.type === 'done') {
            slot.final = m.final
            slot.increments = m.increments
            finishedAt = Math.max(finishedAt, performance.now())
          }
        })
        worker.on('error', fail)
        worker.on('exit', () => {
          if (++exited < n) return
          clearTimeout(timer)
          if (results.some((r) => r.increments === 0 && increments > 0)) return fail(new Error('a thread exited before counting'))
          resolve({ final: Atomics.load(cells, SLOT.counter), perWorker: results, elapsedMs: round2(finishedAt - releasedAt) })
        })
      }
    })
    return {
      done,
      stop: () => {
        clearTimeout(timer)
        abort(shuttingDown())
        for (const w of workers) void w.terminate()
        for (const u of unregister) u()
      },
    }
  }

  private processes(n: number, increments: number, holdMs: number): Running & { done: Promise<Outcome> } {
    const children: ChildProcess[] = []
    const unregister: (() => void)[] = []
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
        reject(new LabError('ERR_INTERNAL', `counter child failed: ${message}`))
      }
      for (let i = 0; i < n; i++) {
        const child = forkLabChild(path.join(this.workersDir, 'counter-child.js'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
        children.push(child)
        unregister.push(registerProcess(child.pid, 'counter', `counter child ${i + 1}/${n}`))
        const slot: CounterWorkerResult = { pid: child.pid ?? 0, tid: null, final: 0, increments: 0 }
        results.push(slot)
        let stderr = ''
        child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)))
        child.on('message', (m: CounterMessage) => {
          if (m.type === 'ready') {
            slot.tid = m.tid
            if (++ready === n) {
              releasedAt = performance.now()
              const go: CounterChildStart = { type: 'go', increments, holdMs }
              for (const c of children) c.send(go)
            }
          } else if (m.type === 'done') {
            slot.final = m.final
            slot.increments = m.increments
            finishedAt = Math.max(finishedAt, performance.now())
          }
        })
        child.on('error', (err) => fail(err.message))
        child.on('exit', (code, signal) => {
          if (slot.increments === 0) return fail(`child ${slot.pid} exited (${signal ?? code}) before counting ${stderr.trim()}`)
          if (++exited < n) return
          clearTimeout(timer)
          // The children incremented their own copies; this is the parent's, untouched.
          resolve({ final: processCounter.value, perWorker: results, elapsedMs: round2(finishedAt - releasedAt) })
        })
      }
    })
    return {
      done,
      stop: () => {
        clearTimeout(timer)
        abort(shuttingDown())
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
        for (const u of unregister) u()
      },
    }
  }

  async close(): Promise<void> {
    for (const r of this.running) r.stop()
    this.running.clear()
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
