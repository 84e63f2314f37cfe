import type net from 'node:net'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { CloseReason } from '../../../shared/contract'
import { LabError } from '../errors'
import { registerThread } from '../proc/roles'
import { bufferBudget, bufferError, budgetError, threadBudget } from './budgets'
import { abortConnection, descriptorOf, setBlocking } from './node-handles'
import type { SessionEvent, SessionOptions } from './session'
import { SharedConn } from './shared-conn'
import { RECHECK_MS, SparePool, type Startable } from './spare-pool'
import { endWorker } from '../worker-end'
import type { FromConnThread, SpareThreadData } from './thread-messages'
import { writeFromPanel } from './owned-send'

interface Pending {
  resolve(b: Buffer): void
  reject(e: Error): void
}

/** The connection thread's entry in the workers folder (built self-contained, electron.config.ts). */
export const CONNECTION_THREAD_FILE = 'tcp-handler-thread.cjs'

/**
 * The `threading` mode's relay design, where a thread cannot own a descriptor (Windows, macOS): a real `worker_threads` thread that runs the handler
 * for one connection and is terminated when the connection closes (like `ThreadingMixIn`, where the
 * thread lives as long as `handle()` runs).
 */
export class ThreadHandler {
  readonly ready: Promise<number | null>
  readonly exited: Promise<void>
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private failure: Error | null = null

  constructor(workersDir: string, handler: string) {
    this.worker = new Worker(path.join(workersDir, CONNECTION_THREAD_FILE), {
      workerData: { handler },
      // One thread per connection: keep each one's heap small.
      resourceLimits: { maxOldGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    })
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { ready?: boolean; tid?: number | null }) => {
        if (m.ready) resolve(m.tid ?? null)
        this.worker.on('message', (r: { id: number; data: Uint8Array }) => this.replied(r))
      })
      this.worker.once('error', reject)
      this.worker.once('exit', () => reject(new LabError('ERR_INTERNAL', 'the handler thread exited before it started')))
    })
    this.ready.catch(() => {})
    this.worker.on('error', (err) => this.failAll(err))
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()))
    this.exited.then(() => this.failAll(new LabError('ERR_INTERNAL', 'the handler thread ended')))
    // Label the thread in the process tree while it lives (Node names every thread "node").
    this.ready.then(
      (tid) => {
        const unregister = registerThread(tid, 'connection', 'connection thread')
        void this.exited.then(unregister)
      },
      () => {},
    )
  }

  private replied(r: { id: number; data: Uint8Array }): void {
    const p = this.pending.get(r.id)
    if (!p) return
    this.pending.delete(r.id)
    p.resolve(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength))
  }

  private failAll(err: Error): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }

  handle(payload: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // A Buffer is often a view into a larger (pooled or 64 KB read) ArrayBuffer, and structured
      // cloning copies the whole of it: hand over an exact copy, transferred, instead.
      const data = new Uint8Array(payload.length)
      data.set(payload)
      this.worker.postMessage({ id, data }, [data.buffer])
    })
  }

  /** Ends the thread; resolves once the OS thread is gone. Safe to call twice. */
  async stop(): Promise<void> {
    await endWorker(this.worker, this.ready, this.exited)
  }
}

/** How long a collected connection's events wait on the main thread at most (the UI batches at 50 ms too). */
const COLLECT_MS = 50

/**
 * A connection thread, started ahead of time or for a connection that found no spare: waits for one
 * descriptor, serves it, exits. Its `Worker` is created only when `begin()` is called, so that the
 * spares pool can start threads a few at a time (spare-pool.ts).
 */
export class SpareThread implements Startable {
  private w: Worker | null = null
  /** What the thread and the main thread share once it serves: allocated as it starts, off the accept path (256 KB). */
  shared: SharedConn | null = null
  /** When `begin()` created the Worker (performance clock); null while it waits for a start slot. */
  startedAt: number | null = null
  /** Milliseconds from `new Worker` to the thread saying it is ready (its start-up cost). */
  startMs: number | null = null
  tid: number | null = null
  readonly ready: Promise<number | null>
  readonly exited: Promise<void>
  private settleReady!: { resolve(tid: number | null): void; reject(e: Error): void }
  private resolveExited!: () => void
  /** stop() came before begin(): it never starts. */
  private cancelled = false

  constructor(
    private readonly workersDir: string,
    private readonly handler: string,
    /** The server's session options: given to the thread as it starts, not at the hand-over. */
    private readonly options: SessionOptions,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }))
    this.ready.catch(() => {})
    void this.ready.then(
      (tid) => void this.exited.then(registerThread(tid, 'connection', 'connection thread')),
      () => {},
    )
  }

  get begun(): boolean {
    return this.startedAt !== null
  }

  get worker(): Worker {
    if (!this.w) throw new LabError('ERR_INTERNAL', 'the connection thread has not started')
    return this.w
  }

  /** Starts the OS thread. */
  begin(): void {
    if (this.w || this.cancelled) return
    this.startedAt = performance.now()
    this.shared = new SharedConn()
    const workerData: SpareThreadData = {
      handler: this.handler,
      options: this.options,
      shared: this.shared.sab,
      bufferBudget: bufferBudget.sab,
      bufferLimit: bufferBudget.limit,
    }
    const w = new Worker(path.join(this.workersDir, CONNECTION_THREAD_FILE), {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    })
    this.w = w
    w.once('exit', () => this.resolveExited())
    w.once('message', (m: FromConnThread) => {
      if ('ready' in m) {
        this.startMs = performance.now() - this.startedAt!
        this.tid = m.tid
        this.settleReady.resolve(m.tid)
      }
    })
    w.once('error', (e) => this.settleReady.reject(e))
    w.once('exit', () => this.settleReady.reject(new LabError('ERR_INTERNAL', 'the connection thread exited before it started')))
    w.on('error', () => {}) // reported through exit
  }

  async stop(): Promise<void> {
    if (!this.w) {
      // Never started: nothing to end.
      this.cancelled = true
      this.settleReady.reject(new LabError('ERR_INTERNAL', 'the connection thread was not started: the server stopped'))
      this.resolveExited()
      return
    }
    // A spare waiting for a connection sits in a futex wait: let it go, then end it.
    this.shared?.release()
    await endWorker(this.w, this.ready, this.exited)
  }
}

/** How a connection got its thread, shown in the comparison: a spare, or one started for it (the wait is not hidden). */
export interface ThreadStartup {
  spare: boolean
  /** From accept to the thread being ready for this connection. */
  waitedMs: number
  /** What starting that thread took (ms), wherever it was started. */
  threadStartMs: number | null
}

/** Each threading server's spare threads, from the lab-wide thread budget (spare-pool.ts). */
export function threadSpares(workersDir: string, handler: string, options: SessionOptions, count: number, mayStart?: () => boolean): SparePool<SpareThread> {
  return new SparePool(
    () => {
      if (!threadBudget.take(1)) return null
      const t = new SpareThread(workersDir, handler, options)
      void t.exited.then(() => threadBudget.give(1))
      return t
    },
    () => budgetError('threads', threadBudget.limit),
    count,
    undefined,
    mayStart,
    // A replacement starts a recheck period after a take, not at the hand-over: the taken thread's first reply goes first.
    RECHECK_MS,
  )
}

export interface OwnedHooks {
  event(e: SessionEvent): void
  totals(bytesIn: number, bytesOut: number, messages: number): void
  closed(reason: CloseReason): void
}

/**
 * One connection served by a thread that owns it (the `owns` design, Linux): the main thread hands
 * over the descriptor and afterwards only collects what the thread recorded; it closes the socket
 * once the thread says its loop ended. Stopping: FIN first (`stop`), and if the client stays silent,
 * `kill` aborts the connection, which wakes the thread's blocked `recv`.
 */
export class OwnedConnection {
  private readonly shared: SharedConn
  private readonly timer: NodeJS.Timeout
  private reason: CloseReason | null = null
  private finished = false
  private lastActive = Date.now()
  /** Bytes the server panel wrote on this connection (owned-send.ts), added to the thread's own count. */
  private panelBytesOut = 0

  constructor(
    private readonly socket: net.Socket,
    readonly thread: SpareThread,
    options: SessionOptions,
    private readonly hooks: OwnedHooks,
  ) {
    if (!thread.shared) throw new LabError('ERR_INTERNAL', 'the connection thread has not started')
    this.shared = thread.shared
    const fd = descriptorOf(socket)
    if (fd === null || !setBlocking(socket)) throw new LabError('ERR_INTERNAL', 'this socket has no descriptor a thread could own')
    this.fd = fd
    // Errors on the main thread's copy (there should be none: it is never read) must not throw.
    socket.on('error', () => {})
    this.frame = options.frame
    this.timer = setInterval(() => this.collect(options.idleTimeoutMs), COLLECT_MS)
    this.timer.unref()
    this.thread.worker.on('message', (m: FromConnThread) => {
      if ('done' in m) this.finish(m.reason)
    })
    void this.thread.exited.then(() => this.finish('error'))
    // The thread waits in a futex on the shared memory (tcp-handler-thread.ts): wake it with the descriptor.
    // Measured, one connection at a time with a ready spare: from the hand-over to the thread running,
    // 1.0–1.5 ms as a posted message (its event loop woke and deserialised it), 0.1–0.15 ms so.
    this.shared.handOver(fd)
  }

  private readonly fd: number
  private readonly frame: SessionOptions['frame']

  private collect(idleTimeoutMs: number): void {
    for (const e of this.shared.drain(this.frame)) this.hooks.event(e)
    const t = this.shared.totals()
    this.hooks.totals(t.bytesIn, t.bytesOut + this.panelBytesOut, t.messages)
    if (t.lastActive > this.lastActive) this.lastActive = t.lastActive
    if (idleTimeoutMs > 0 && !this.finished && Date.now() - this.lastActive > idleTimeoutMs) this.abort('idle')
  }

  private finish(threadReason: CloseReason): void {
    if (this.finished) return
    this.finished = true
    clearInterval(this.timer)
    this.collect(0)
    // The thread's budget refusal, coded here: the budget registry lives on this side only.
    if (this.shared.wasOverBudget()) this.hooks.event({ event: 'error', error: bufferError(bufferBudget.limit).toData() })
    this.socket.destroy()
    this.hooks.closed(this.reason ?? threadReason)
  }

  private abort(reason: CloseReason): void {
    if (this.finished) return
    this.reason ??= reason
    this.shared.stop()
    abortConnection(this.fd)
  }

  /**
   * The server panel's message, written by the main thread between the thread's replies (owned-send.ts
   * says when it can be, and refuses otherwise); `written` runs once it is in the kernel.
   */
  panelSend(conn: number, bytes: Buffer, written: () => void): Promise<number> {
    const target = { fd: this.fd, shared: this.shared, ended: () => this.finished, collect: () => this.collect(0) }
    return writeFromPanel(target, conn, bytes, () => {
      this.panelBytesOut += bytes.length
      written()
    })
  }

  /** Server stopping: say goodbye (FIN) and cut the handler's sleeps; a course client then closes and the loop ends. */
  stop(): void {
    if (this.finished) return
    this.reason ??= 'server'
    this.shared.stop()
    this.socket.end()
  }

  /** The grace period is over: abort the connection, which wakes a thread blocked in `recv` or `send`. */
  kill(): void {
    this.abort('server')
  }
}
