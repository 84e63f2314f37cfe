import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ServeStartup, ServedBy } from '../../../shared/contract'
import { LabError, limitError } from '../errors'
import { UDP_MAX_THREADS, UDP_MAX_WAITING } from '../../../shared/budgets'
import { registerThread } from '../proc/roles'
import { endWorker } from '../worker-end'
import { budgetError, threadBudget } from './budgets'
import { UDP_MAX_STARTING_THREADS, UDP_THREAD_RETIRE_IDLE_MS } from '../../../shared/budgets'

/** Main → a datagram thread: handle this datagram. */
export interface ToUdpThread {
  id: number
  data: Uint8Array
}
/** A datagram thread → main: started (its OS thread id), or the reply to datagram `id`. */
export type FromUdpThread = { ready: true; tid: number | null } | { id: number; data: Uint8Array }

// Threads one UDP server runs at most, and datagrams that may wait for one: said in shared/budgets.ts.
export { UDP_MAX_THREADS, UDP_MAX_WAITING }
/**
 * Threads starting at once, at most: each costs the CPU ~20 ms, and a burst of datagrams starting 30
 * at once starves the threads already running (a busy thread is usually free again long before a
 * new one is ready, and then takes the waiting datagram).
 */
const MAX_STARTING = UDP_MAX_STARTING_THREADS
/** A thread beyond the spares that has had nothing to do this long ends (Python's ends after every datagram). */
const RETIRE_IDLE_MS = UDP_THREAD_RETIRE_IDLE_MS

/** What the server learns once a datagram's thread answered it. */
export interface UdpServed {
  reply: Buffer
  servedBy: ServedBy
  startup: ServeStartup
  /** From arrival until its thread began the handler (waiting for a free or a starting thread). */
  waitedMs: number
}

interface Job {
  data: Buffer
  arrived: number
  /** Called once the datagram's thread is known and is about to run the handler. */
  begin(servedBy: ServedBy, startup: ServeStartup, waitedMs: number): void
  done(reply: Buffer): void
  fail(err: LabError): void
}

/** The datagram thread's entry in the workers folder (an ES module: see worker-end.ts for why that matters when it is ended). */
export const DATAGRAM_THREAD_FILE = 'udp-handler-thread.js'

/** One datagram thread: a real `worker_threads` thread with its own OS thread id. */
class DatagramThread {
  readonly worker: Worker
  readonly startedAt = performance.now()
  readyAt: number | null = null
  tid: number | null = null
  job: { id: number; job: Job } | null = null
  idleSince = performance.now()
  readonly exited: Promise<void>
  /** Settles with the thread's "ready" (or its exit): what endWorker waits for before terminating. */
  readonly loaded: Promise<void>
  private nextId = 1

  constructor(workersDir: string, handler: string, stop: SharedArrayBuffer, onReady: (t: DatagramThread) => void, onReply: (t: DatagramThread, data: Uint8Array) => void) {
    this.worker = new Worker(path.join(workersDir, DATAGRAM_THREAD_FILE), {
      workerData: { handler, stop },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    })
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()))
    this.loaded = new Promise((resolve) => this.worker.once('message', () => resolve()))
    this.worker.on('error', () => {}) // reported through exit
    this.worker.on('message', (m: FromUdpThread) => {
      if ('ready' in m) {
        this.readyAt = performance.now()
        this.tid = m.tid
        void this.exited.then(registerThread(m.tid, 'connection', 'datagram thread'))
        onReady(this)
      } else onReply(this, m.data)
    })
  }

  get startMs(): number | null {
    return this.readyAt === null ? null : this.readyAt - this.startedAt
  }

  run(job: Job): void {
    const id = this.nextId++
    this.job = { id, job }
    const data = new Uint8Array(job.data.length)
    data.set(job.data)
    const msg: ToUdpThread = { id, data }
    this.worker.postMessage(msg, [data.buffer])
  }
}

/**
 * The UDP `threading` mode's threads. `ThreadingUDPServer` starts a new thread for every datagram
 * (~0.1 ms in CPython); a Node worker takes ~20 ms of CPU to start, so the lab keeps the threads it
 * started: each datagram is handed to a thread that is free — never to one still busy with another
 * datagram — and a new thread is started when all are busy (up to UDP_MAX_THREADS and the lab's
 * thread budget). `spares` threads are started ahead; threads beyond them end after RETIRE_IDLE_MS
 * idle. Every datagram's wait for its thread (a free one: ~0; one still starting: its start-up) is
 * measured and reported, never hidden.
 */
export class UdpThreads {
  private readonly threads = new Set<DatagramThread>()
  private readonly waiting: Job[] = []
  private readonly stopCell = new SharedArrayBuffer(4)
  private readonly retire: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly workersDir: string,
    private readonly handler: string,
    private readonly spares: number,
  ) {
    for (let i = 0; i < spares; i++) this.start()
    this.retire = setInterval(() => this.retireIdle(), 1_000)
    this.retire.unref()
  }

  /** Live threads (starting, free or busy). */
  get count(): number {
    return this.threads.size
  }

  private start(): DatagramThread | null {
    if (this.closed || this.threads.size >= UDP_MAX_THREADS || !threadBudget.take(1)) return null
    const t = new DatagramThread(
      this.workersDir,
      this.handler,
      this.stopCell,
      (ready) => this.free(ready),
      (thread, data) => this.replied(thread, data),
    )
    this.threads.add(t)
    void t.exited.then(() => {
      threadBudget.give(1)
      this.threads.delete(t)
      // A thread that died mid-datagram: that datagram gets no reply, and says why.
      const lost = t.job
      t.job = null
      if (lost && !this.closed) lost.job.fail(new LabError('ERR_INTERNAL', 'the datagram thread ended before it answered'))
      if (!this.closed) this.startForWaiting()
    })
    return t
  }

  /** Hands a datagram to a free thread, or queues it for the next one (starting one if none is on its way). */
  submit(job: Job): void {
    if (this.closed) return
    const free = [...this.threads].find((t) => t.readyAt !== null && t.job === null)
    if (free) return this.assign(free, job)
    if (this.waiting.length >= UDP_MAX_WAITING) {
      return job.fail(limitError('UDP_MAX_WAITING', this.waiting.length, 'this datagram is not answered'))
    }
    this.waiting.push(job)
    this.startForWaiting()
    if (this.threads.size === 0) {
      this.waiting.splice(this.waiting.indexOf(job), 1)
      job.fail(budgetError('threads', threadBudget.limit))
    }
  }

  /** Enough threads on their way for the datagrams waiting (those still starting count). */
  private startForWaiting(): void {
    const starting = [...this.threads].filter((t) => t.readyAt === null).length
    for (let n = starting; n < Math.min(this.waiting.length, MAX_STARTING); n++) if (!this.start()) break
  }

  private assign(t: DatagramThread, job: Job): void {
    const now = performance.now()
    // A spare: the thread was ready before this datagram arrived; otherwise it was waited for.
    const startup: ServeStartup = { spare: t.readyAt !== null && t.readyAt <= job.arrived, waitedMs: now - job.arrived, threadStartMs: t.startMs }
    job.begin({ kind: 'thread', pid: process.pid, tid: t.tid }, startup, now - job.arrived)
    t.run(job)
  }

  private free(t: DatagramThread): void {
    t.idleSince = performance.now()
    const next = this.waiting.shift()
    if (next) this.assign(t, next)
    if (!this.closed) this.startForWaiting()
  }

  private replied(t: DatagramThread, data: Uint8Array): void {
    const current = t.job
    t.job = null
    if (current) current.job.done(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    if (!this.closed) this.free(t)
  }

  private retireIdle(): void {
    const now = performance.now()
    let keep = this.spares
    for (const t of this.threads) {
      if (t.job !== null || t.readyAt === null) continue
      if (keep > 0) {
        keep--
        continue
      }
      if (now - t.idleSince > RETIRE_IDLE_MS) void t.worker.terminate()
    }
  }

  /** Wakes sleeping handlers and ends every thread; waiting datagrams are not answered. */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.retire)
    this.waiting.length = 0
    Atomics.store(new Int32Array(this.stopCell), 0, 1)
    Atomics.notify(new Int32Array(this.stopCell), 0)
    const all = [...this.threads]
    await Promise.all(all.map((t) => endWorker(t.worker, t.loaded, t.exited)))
  }
}
