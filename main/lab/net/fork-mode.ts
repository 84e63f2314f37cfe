import type { ChildProcess, StdioOptions } from 'node:child_process'
import { readSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type net from 'node:net'
import path from 'node:path'
import type { CloseReason } from '../../../shared/contract'
import { LabError } from '../errors'
import { forkLabChild } from '../proc/fork-child'
import { registerProcess } from '../proc/roles'
import { bufferBudget, bufferError, budgetError, childBudget } from './budgets'
import { IoKind, RecordReader } from './event-records'
import { abortConnection, alreadyReset, descriptorOf, pauseReading, resumeReading, watchReset } from './node-handles'
import { toEvent } from './shared-conn'
import type { FromForkChild, ToForkChild } from './fork-messages'
import type { SessionEvent, SessionOptions } from './session'
import { RECHECK_MS, SparePool, type Startable } from './spare-pool'

export interface ForkHooks {
  event(e: SessionEvent): void
  totals(bytesIn: number, bytesOut: number, messages: number): void
  closed(reason: CloseReason): void
}

/**
 * A connection process forked ahead of time (`tcp-handler-child`), or for a connection that found no
 * spare: it starts, says it is ready, and waits for one socket. Each serves exactly one connection
 * and exits, as ForkingMixIn's children do; only the start-up is done before the connection comes.
 * It is forked only when `begin()` is called (the pool starts a few at a time, spare-pool.ts).
 */
export class SpareChild implements Startable {
  private c: ChildProcess | null = null
  /** fork() time (performance clock); null while it waits for a start slot. */
  startedAt: number | null = null
  /** Milliseconds from fork to the child saying it is ready. */
  startMs: number | null = null
  readonly ready: Promise<void>
  readonly exited: Promise<void>
  private settleReady!: { resolve(): void; reject(e: Error): void }
  private resolveExited!: () => void
  private cancelled = false

  constructor(
    private readonly workersDir: string,
    /** Runs the blocking loop: needs the event pipe (fd 4) and the server's guard. */
    private readonly guard: ForkGuard | null,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }))
    this.ready.catch(() => {})
  }

  get begun(): boolean {
    return this.startedAt !== null
  }

  get child(): ChildProcess {
    if (!this.c) throw new LabError('ERR_INTERNAL', 'the connection process has not started')
    return this.c
  }

  get pid(): number {
    return this.c?.pid ?? -1
  }

  begin(): void {
    if (this.c || this.cancelled) return
    this.startedAt = performance.now()
    const stdio: StdioOptions = this.guard ? ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'] : ['ignore', 'ignore', 'inherit', 'ipc']
    const child = forkLabChild(path.join(this.workersDir, 'tcp-handler-child.cjs'), { stdio, lean: true })
    this.c = child
    const pid = child.pid ?? -1
    if (this.guard && pid > 0) {
      this.guard.add(pid)
      void this.exited.then(() => this.guard!.remove(pid))
    }
    child.once('exit', () => this.resolveExited())
    // Label the child in the process tree while it lives.
    void this.exited.then(registerProcess(pid, 'connection', 'connection process'))
    child.on('error', () => {}) // reported through 'exit'
    const go = () => {
      this.startMs = performance.now() - this.startedAt!
      this.settleReady.resolve()
    }
    const onMessage = (m: FromForkChild) => {
      if (m.type === 'warmed') {
        child.off('message', onMessage)
        return void (this.guard ? this.guard.ready.then(go) : go())
      }
      if (m.type !== 'ready') return
      // A blocking child gets one socket before its connection's: the lab's end of its own event pipe,
      // which it closes at once. Node's path for a received socket (the IPC message, the handle, a new
      // net.Socket) is then compiled before a connection waits for it (measured, one connection at a
      // time with a ready spare: from the hand-over to the child's 'message' 3.4–4.8 ms cold, 1.0–1.2 ms so).
      const pipe = this.guard ? (child.stdio[4] as net.Socket | null) : null
      if (pipe) return void child.send({ type: 'warm' } satisfies ToForkChild, pipe, { keepOpen: true })
      child.off('message', onMessage)
      go()
    }
    child.on('message', onMessage)
    void this.exited.then(() => this.settleReady.reject(new LabError('ERR_INTERNAL', `the connection process ${pid} exited before it was ready`)))
  }

  kill(): void {
    const c = this.c
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }

  async stop(): Promise<void> {
    if (!this.c) {
      this.cancelled = true
      this.settleReady.reject(new LabError('ERR_INTERNAL', 'the connection process was not started: the server stopped'))
      this.resolveExited()
      return
    }
    this.kill()
    await this.exited
  }
}

/**
 * One per forking server whose children run the blocking loop (tcp-guard-child.ts): it kills them
 * if the lab dies, since a child blocked in recv cannot notice. Told each child's PID as it forks and
 * as it exits. One small process per server, outside the per-connection process budget.
 */
export class ForkGuard {
  private readonly child: ChildProcess
  private readonly exited: Promise<void>

  constructor(workersDir: string) {
    this.child = forkLabChild(path.join(workersDir, 'tcp-guard-child.js'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], lean: true })
    this.child.on('error', () => {})
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
    void this.exited.then(registerProcess(this.child.pid, 'utility', 'forking server guard'))
    let ready!: () => void
    this.ready = new Promise((resolve) => (ready = resolve))
    this.child.on('message', (m: { type?: string }) => {
      if (m?.type !== 'ready' || !this.queued) return
      this.guardReady()
      ready()
    })
    void this.exited.then(() => ready())
  }

  /**
   * Settles once the guard listens (or is gone). No connection is handed to a child before: a child
   * (now quicker to start than the guard) serving while the guard still loads would be orphaned if
   * the lab died then.
   */
  readonly ready: Promise<void>
  /** Told before the guard said it is ready: a message that arrives while its module still loads has no listener and is lost. */
  private queued: { add?: number; remove?: number }[] | null = []

  private tell(m: { add?: number; remove?: number }): void {
    if (this.queued) this.queued.push(m)
    else if (this.child.connected) this.child.send(m)
  }

  private guardReady(): void {
    const queued = this.queued ?? []
    this.queued = null
    for (const m of queued) this.tell(m)
  }

  add(pid: number): void {
    this.tell({ add: pid })
  }

  remove(pid: number): void {
    this.tell({ remove: pid })
  }

  /** After the server's children are gone: the guard exits when its channel closes. */
  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect()
    await this.exited
  }
}

/** Each forking server's spare processes, from the lab-wide process budget (spare-pool.ts). */
export function childSpares(workersDir: string, count: number, guard: ForkGuard | null, mayStart?: () => boolean): SparePool<SpareChild> {
  return new SparePool(
    () => {
      if (!childBudget.take(1)) return null
      const c = new SpareChild(workersDir, guard)
      void c.exited.then(() => childBudget.give(1))
      return c
    },
    () => budgetError('processes', childBudget.limit),
    count,
    undefined,
    mayStart,
    // A replacement starts a recheck period after a take, not at the hand-over: a child's start is
    // ~40 ms of CPU on a 2-core machine, and begun at once (the fork in the accept's own turn of the
    // event loop, then its start-up beside the taken child's first recv) it delayed the first reply:
    // measured, one connection at a time with a ready spare, p50 19.5 ms (Python 5.6 ms).
    RECHECK_MS,
  )
}

/**
 * The `forking` mode's per-connection process. The parent never reads the socket (it was accepted
 * with `pauseOnConnect`); once the child is ready the socket is sent to it.
 * - `blocking` (Linux): the child runs the blocking loop on the descriptor; the parent keeps its own
 *   copy, only to say goodbye (`end`: FIN) when the server stops and to abort it (which wakes the
 *   child's blocked `recv`) when an idle timeout or the buffered-bytes budget ends it. The child's
 *   events come on its event pipe; the bytes an unfinished message holds there count in the
 *   lab-wide buffered-bytes budget (reported with each round, so the parent enforces it).
 * - otherwise the child runs the event-loop Session, reports over IPC, and the parent's copy is closed.
 */
/** How often the lab reads a quiet child's event pipe (ms), like the threading mode's ring and the UI's batches. */
const PIPE_MS = 50
/** The soonest it reads a busy one again (ms). */
const PIPE_FAST_MS = 1
/** The first read after the hand-over (ms): the connection's first rounds are coming. */
const PIPE_FIRST_MS = 5
/**
 * How many of a child's writes (one per round) the lab lets pile up in its event pipe between two
 * reads, at the rate it just saw: a quarter of what the pipe holds. Why it matters: the kernel holds
 * only ~167 such writes in the pipe's socket pair (each is its own buffer of ~1.3 KB against the
 * pair's 208 KB), and a child whose pipe is full blocks in its write, not in recv. Measured (one
 * connection, 2,000 rounds of 64 B, strace -T): read every 50 ms unless 32 KB had come, the child sat
 * 283 ms of 410 ms blocked on the pipe, and 2,000 rounds took 410–520 ms where Python's
 * ForkingTCPServer takes 150 ms; 160–190 ms read like this. A child among 32 busy ones writes a few
 * hundred times a second and is still read every PIPE_MS.
 */
const PIPE_WRITES_BETWEEN_READS = 40
/** One tick's read: more than the kernel buffers for the pipe's socket pair at its defaults (~208 KB). */
const PIPE_READ_BYTES = 256 * 1024

/**
 * When to read a child's event pipe next (ms): `writes` of the child's came in the last read,
 * `sinceMs` after the one before. Soon enough that, at that rate, fewer than
 * PIPE_WRITES_BETWEEN_READS pile up; never sooner than PIPE_FAST_MS, never later than PIPE_MS.
 */
export function pipeReadDelay(writes: number, sinceMs: number): number {
  if (writes <= 0) return PIPE_MS
  const ms = Math.floor((PIPE_WRITES_BETWEEN_READS * Math.max(sinceMs, PIPE_FAST_MS)) / writes)
  return Math.min(PIPE_MS, Math.max(PIPE_FAST_MS, ms))
}

export class ForkedConnection {
  private done = false
  private stopping = false
  private reason: CloseReason | null = null
  private childReason: CloseReason | null = null
  private held = 0
  private lastActive = Date.now()
  private timer: NodeJS.Timeout | null = null
  private eventsEnded: Promise<void> = Promise.resolve()
  private fd: number | null = null
  /** The client reset before the child got the socket: the spare went back to the pool (never served). */
  released = false

  constructor(
    readonly spare: SpareChild,
    private readonly socket: net.Socket,
    handler: string,
    private readonly options: SessionOptions,
    private readonly hooks: ForkHooks,
    private readonly blocking: boolean,
    /** Returns the spare to its pool, unused (spare-pool.ts giveBack). */
    private readonly giveBack: () => void,
  ) {
    // The spare may still be waiting for its start slot: nothing touches its process before it is ready.
    void spare.exited.then(async () => {
      await this.eventsEnded
      if (this.done) return
      if (this.childReason === null && !this.stopping && spare.begun) {
        const { exitCode: code, signalCode: signal } = spare.child
        this.hooks.event({
          event: 'error',
          error: new LabError('ERR_INTERNAL', `the process serving this connection (pid ${spare.pid}) exited with ${signal ?? `code ${code}`}`, {
            pid: spare.pid,
          }).toData(),
        })
      }
      this.finish(this.childReason ?? (this.stopping ? 'server' : 'error'))
    })
    spare.ready.then(
      () => this.handOver(handler),
      () => {},
    )
    // Waiting for a process to start: a client that resets meanwhile lets it go, unused.
    if (spare.startMs === null) watchReset(socket, spare.ready, () => this.release())
  }

  /** Nothing to serve (the client reset before the hand-over): no child is spent on it. */
  private release(): void {
    if (this.done || this.stopping) return
    this.released = true
    this.finish('reset')
    this.giveBack()
  }

  private handOver(handler: string): void {
    const { spare, socket } = this
    if (this.done) return
    if (this.stopping) {
      this.finish('server')
      spare.kill()
      return
    }
    if (socket.destroyed || alreadyReset(socket)) return this.release()
    spare.child.on('message', (m: FromForkChild) => {
      if (m.type === 'events') {
        for (const e of m.events) this.hooks.event(e)
        this.hooks.totals(m.bytesIn, m.bytesOut, m.messages)
      } else if (m.type === 'closed') {
        this.childReason = m.reason
      }
    })
    if (this.blocking) {
      // The parent's copy is never read; an error on it (EPIPE after the FIN) must not throw.
      socket.on('error', () => {})
      this.readEvents()
    }
    const msg: ToForkChild = { type: 'serve', handler, options: this.options, blocking: this.blocking }
    this.fd = this.blocking ? descriptorOf(socket) : null
    spare.child.send(msg, socket, { keepOpen: this.blocking }, (err) => {
      if (!err) return
      this.hooks.event({ event: 'error', error: new LabError('ERR_INTERNAL', `could not hand the connection to process ${spare.pid}: ${err.message}`).toData() })
      socket.destroy()
      spare.kill()
    })
  }

  /** The blocking child's events, totals and buffered bytes, from its event pipe (fd 4). */
  private readEvents(): void {
    const pipe = this.spare.child.stdio[4] as Readable | null
    if (!pipe) return
    const reader = new RecordReader()
    const frame = this.options.frame
    this.eventsEnded = new Promise((resolve) => {
      pipe.once('end', resolve)
      pipe.once('close', resolve)
      pipe.once('error', resolve)
    })
    /** The child's writes since the last tick: each of its rounds ends with one totals record. */
    let writes = 0
    const take = (chunk: Buffer) => {
      for (const rec of reader.push(chunk)) {
        if (rec.kind !== IoKind.Totals) {
          this.hooks.event(toEvent(rec, frame))
          continue
        }
        writes++
        const [bytesIn, bytesOut, messages, held] = rec.totals!
        this.lastActive = Date.now()
        this.hooks.totals(bytesIn, bytesOut, messages)
        this.holdBytes(held)
      }
    }
    // Read the pipe on a timer (pipeReadDelay: PIPE_MS when quiet, sooner as the child writes faster),
    // not whenever the child writes (every round): a read per round would make the lab's process do
    // a system call for each of the child's messages, the cost the threading mode's shared ring
    // avoids. The kernel's socket buffer holds the rounds meanwhile. Reads stay in batches even
    // when busy: reading as it writes would again be one read per round (measured: the lab
    // then did 2,500–3,800 of the reads and writes of 6,000 fast round trips). Each tick is exactly
    // one read(2) of our own on the non-blocking descriptor. Node's stream must not read it: once
    // resumed, its read-ahead (Readable's maybeReadMore) starts the handle reading again after any
    // pause, and then it reads as the child writes (measured: the lab's share rose to 3,840 calls
    // beside the child's 18,002, as in one CI run). It stays paused until the child has exited, when
    // child_process resumes a child's unread pipes to reach their end: what is left arrives then.
    pipe.on('data', take)
    pauseReading(pipe as net.Socket)
    const fd = descriptorOf(pipe as net.Socket)
    const into = Buffer.allocUnsafe(PIPE_READ_BYTES)
    /** One read of what the child sent since the last tick: false once the pipe has ended. */
    const readOnce = (): boolean => {
      if (fd === null) {
        // No descriptor to read ourselves: one poll phase of the stream's reads, then paused again.
        resumeReading(pipe as net.Socket)
        setImmediate(() => pauseReading(pipe as net.Socket))
        return true
      }
      try {
        const n = readSync(fd, into, 0, into.length, null)
        if (n > 0) take(Buffer.from(into.subarray(0, n)))
        return n > 0
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EAGAIN'
      }
    }
    const idleMs = this.options.idleTimeoutMs
    let sinceIdleCheck = 0
    let lastRead = performance.now()
    const tick = () => {
      // The child closed its end: nothing more will come; free the descriptor.
      if (!readOnce()) return void pipe.destroy()
      const now = performance.now()
      const wait = pipeReadDelay(writes, now - lastRead)
      lastRead = now
      writes = 0
      sinceIdleCheck += wait
      if (idleMs > 0 && sinceIdleCheck >= Math.min(1_000, idleMs / 4)) {
        sinceIdleCheck = 0
        if (Date.now() - this.lastActive > idleMs) this.abort('idle')
      }
      if (this.done) return
      this.timer = setTimeout(tick, wait)
      this.timer.unref()
    }
    // The first read soon: the connection's first rounds are coming.
    this.timer = setTimeout(tick, PIPE_FIRST_MS)
    this.timer.unref()
  }

  /** The child's unfinished message, in the lab-wide budget; over it, the connection is closed. */
  private holdBytes(held: number): void {
    if (held === this.held) return
    if (!bufferBudget.take(held - this.held)) {
      this.hooks.event({ event: 'error', error: bufferError(bufferBudget.limit).toData() })
      this.abort('error')
      void this.spare.stop()
      return
    }
    this.held = held
  }

  /** Ends the connection at once (RST); the child's blocked recv returns and its loop ends. */
  private abort(reason: CloseReason): void {
    if (this.done) return
    this.reason ??= reason
    if (this.fd !== null) abortConnection(this.fd)
    else this.socket.destroy()
  }

  private finish(reason: CloseReason): void {
    if (this.done) return
    this.done = true
    if (this.timer) clearTimeout(this.timer)
    bufferBudget.give(this.held)
    this.held = 0
    this.socket.destroy()
    this.hooks.closed(this.reason ?? reason)
  }

  /** Server stopping: goodbye to the client (FIN: the parent's copy in blocking mode, the child's Session otherwise). */
  stop(): void {
    this.stopping = true
    this.reason ??= 'server'
    if (!this.spare.begun) return void this.spare.stop()
    if (this.blocking) {
      if (!this.socket.destroyed) this.socket.end()
    } else if (this.spare.child.connected) this.spare.child.send({ type: 'stop' } satisfies ToForkChild)
  }

  /** The grace period is over. */
  kill(): void {
    this.stopping = true
    this.reason ??= 'server'
    void this.spare.stop()
  }
}
