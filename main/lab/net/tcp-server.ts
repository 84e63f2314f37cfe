import { readFileSync } from 'node:fs'
import net from 'node:net'
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_REQUEST_QUEUE_SIZE,
  DEFAULT_SERVER_MODE,
  DEFAULT_SPARES,
  EVENT_HEX_BYTES,
  netMethods,
  type ConnectionInfo,
  type ServerEvent,
  type ServerMode,
} from '../../../shared/contract'
import { fromNodeError, LabError, limitError } from '../errors'
import { childSpares, ForkedConnection, ForkGuard, type SpareChild } from './fork-mode'
import { applyHandler, parseHandler } from './handlers'
import { SerialQueue } from './serial-queue'
import { LabServer, type ServedNow, type ServerSettings } from './server-base'
import { noteListenBacklog } from './socket-table'
import { hexOf, servedHere, type Emit } from './server-events'
import { bufferedCap, Session, type SessionEvent, type SessionHooks, type SessionOptions } from './session'
import { budgetError, threadBudget } from './budgets'
import { CONNECTION_CLOSE_GRACE_MS, DEFAULT_MAX_CONNECTIONS, MAX_WORKER_CONNECTIONS } from '../../../shared/budgets'
import { alreadyReset, descriptorOf, threadsCanOwnDescriptors, watchReset } from './node-handles'
import { STARTING_AT_ONCE, type SparePool } from './spare-pool'
import { OwnedConnection, ThreadHandler, threadSpares, type SpareThread } from './thread-mode'

const round2 = (ms: number) => Math.round(ms * 100) / 100

/** The OS's cap on any listen backlog (Linux `net.core.somaxconn`); null where it cannot be read. */
export function listenQueueCap(): number | null {
  if (process.platform !== 'linux') return null
  try {
    const n = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim())
    return Number.isInteger(n) && n > 0 ? n : null
  } catch {
    return null
  }
}

export interface TcpServerOptions {
  host: string
  port: number
  /** `upper`, `echo`, `reverse` or `delay:<ms>`. */
  handler: string
  mode?: ServerMode
  recvSize?: number
  readDelayMs?: number
  frame?: SessionOptions['frame']
  maxFrameBytes?: number
  idleTimeoutMs?: number
  maxConnections?: number
  /** Folder of the built worker entries; needed by the `threading` and `forking` modes. */
  workersDir?: string
  /** How long `close()` lets connections finish before destroying them. */
  graceMs?: number
  /** Bytes a connection may have queued for a client that does not read before it is cut (docs/SECURITY.md item 16). */
  maxBufferedBytes?: number
  /** The listen backlog, socketserver's `request_queue_size` (default 5, like Python's). */
  requestQueueSize?: number
  /** Threads or processes kept ready ahead of connections (threading, forking). */
  spares?: number
}

/** One thread or one process per connection: a cap keeps a connection flood from exhausting the machine (said in shared/budgets.ts). */
export { MAX_WORKER_CONNECTIONS }

/** A connection that moved bytes this recently (or was just accepted) is being served: it keeps a CPU busy. */
const BUSY_WINDOW_MS = 250

interface Conn {
  info: ConnectionInfo
  socket: net.Socket
  since: number
  /** Date.now() of its last traffic (or its accept): replacement spares wait while enough are busy. */
  activeAt: number
  /** The `connection` event went out (threading waits for its thread's id first). */
  announced: boolean
  stop(): void
  kill(): void
  /** Where the connection's own thread does its I/O: the panel's send written between its replies (owned-send.ts). */
  panelSend?(bytes: Buffer, written: () => void): Promise<number>
  /** Resolves once the socket is closed and its thread or process is gone. */
  done: Promise<void>
  resolveDone(): void
}

/**
 * The course's TCP server: an accept loop (Node's `net.Server`) and, per connection, a communication
 * loop (`Session`) served the way `mode` says. Sockets are accepted paused so that nothing is read
 * before the connection's turn (serial), its thread (threading) or its process (forking) is ready.
 * Lifecycle and info: `LabServer` (server-base.ts).
 */
export class TcpServer extends LabServer {
  private readonly server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })
  private readonly session: SessionOptions
  private readonly maxConnections: number
  private readonly conns = new Map<number, Conn>()
  private readonly queue = new SerialQueue<Conn & { conn: number }>()
  private nextConn = 1
  private spares: SparePool<SpareThread> | null = null
  private childSpares: SparePool<SpareChild> | null = null
  /** Forking on Linux: children run the blocking loop; this process kills them if the lab dies. */
  private forkGuard: ForkGuard | null = null
  private readonly backlog: number
  /** Connections the client reset before they were served: never handed to a thread or process. */
  private resetEarly = 0

  constructor(
    id: string,
    private readonly options: TcpServerOptions,
    emit: Emit,
  ) {
    super(id, 'tcp', options.mode ?? DEFAULT_SERVER_MODE, parseHandler(options.handler), options, emit)
    const frame = options.frame ?? netMethods['net.tcpServer.start'].input.shape.frame.default
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.session = {
      recvSize: options.recvSize ?? null,
      readDelayMs: options.readDelayMs ?? 0,
      frame,
      maxFrameBytes,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxBufferedBytes: options.maxBufferedBytes ?? bufferedCap(frame, maxFrameBytes),
    }
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS[this.mode]
    this.backlog = options.requestQueueSize ?? DEFAULT_REQUEST_QUEUE_SIZE
  }

  /** Who does a threading connection's recv/send: its thread (`thread`), or the main thread relaying (`relay`). */
  get threadIo(): 'thread' | 'relay' | null {
    if (this.mode !== 'threading') return null
    return threadsCanOwnDescriptors() ? 'thread' : 'relay'
  }

  protected async bind(): Promise<number> {
    if ((this.mode === 'threading' || this.mode === 'forking') && !this.options.workersDir) {
      throw new LabError('ERR_UNSUPPORTED', `the ${this.mode} mode needs the lab's worker files`, { mode: this.mode })
    }
    if ((this.mode === 'threading' || this.mode === 'forking') && this.maxConnections > MAX_WORKER_CONNECTIONS) {
      throw limitError('MAX_WORKER_CONNECTIONS', this.maxConnections, `the ${this.mode} mode starts one ${this.mode === 'threading' ? 'thread' : 'process'} per connection; lower maxConnections`, {
        use: 'asked',
        field: 'maxConnections',
        params: { option: 'maxConnections' },
      })
    }
    const somaxconn = listenQueueCap()
    if (somaxconn !== null && this.backlog > somaxconn) {
      throw new LabError('ERR_INVALID_INPUT', `requestQueueSize ${this.backlog} is over this OS's cap (somaxconn = ${somaxconn}); the kernel would silently use ${somaxconn}`, {
        option: 'requestQueueSize',
        max: somaxconn,
      })
    }
    const { host, port } = this.options
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(fromNodeError(err, { host, port }))
      this.server.once('error', onError)
      // `[::1]` is how a URL writes an IPv6 address; listen() wants it bare.
      this.server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true, backlog: this.backlog }, () => {
        this.server.off('error', onError)
        resolve()
      })
    })
    const boundPort = (this.server.address() as net.AddressInfo).port
    noteListenBacklog(boundPort, this.backlog) // the socket table's accept-queue limit where ss is missing
    return boundPort
  }

  protected serve(): void {
    const { host, port } = this.options
    if (this.mode === 'threading' && this.threadIo === 'thread') {
      this.spares = threadSpares(this.options.workersDir!, this.plan.spec, this.session, this.options.spares ?? DEFAULT_SPARES.threading, () => this.cpusFree())
    }
    if (this.mode === 'forking') {
      if (threadsCanOwnDescriptors()) this.forkGuard = new ForkGuard(this.options.workersDir!)
      this.childSpares = childSpares(this.options.workersDir!, this.options.spares ?? DEFAULT_SPARES.forking, this.forkGuard, () => this.cpusFree())
    }
    this.server.on('connection', (socket) => this.accept(socket))
    this.server.on('error', (err) => this.send({ event: 'error', error: fromNodeError(err, { host, port }).toData() }))
  }

  protected override listened(): void {
    this.reportSpares()
  }

  /**
   * Whether a replacement spare may start now: fewer connections busy (traffic in the last
   * BUSY_WINDOW_MS) than CPUs. Otherwise it would take its ~50 ms (thread) or ~150 ms (process) of
   * CPU from the connections being served; it starts when they pause or end (spare-pool.ts).
   */
  private cpusFree(): boolean {
    const now = Date.now()
    let busy = 0
    for (const c of this.conns.values()) if (now - c.activeAt < BUSY_WINDOW_MS && ++busy >= STARTING_AT_ONCE) return false
    return true
  }

  private get sparePool(): SparePool<SpareThread> | SparePool<SpareChild> | null {
    return this.spares ?? this.childSpares
  }

  /** A `spares` event whenever the number of ready spares changes (shown in the log; what the bench waits for). */
  private reportSpares(): void {
    const pool = this.sparePool
    if (!pool) return
    let last = ''
    pool.onChange(() => {
      const ready = pool.readyCount
      const deferred = pool.deferred
      if (`${ready}/${deferred}` === last || this.state !== 'listening') return
      last = `${ready}/${deferred}`
      this.send({ event: 'spares', ready, of: pool.count, deferred })
    })
  }

  /**
   * Resolves true once every spare thread or process is ready (threading/forking), false if the
   * server keeps none or stops first: what a test or benchmark waits for before its load.
   */
  sparesWarm(): Promise<boolean> {
    return this.sparePool?.whenWarm() ?? Promise.resolve(false)
  }

  private accept(socket: net.Socket): void {
    const remote = { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }
    if (this.state !== 'listening') {
      socket.destroy()
      return
    }
    if ((this.mode === 'threading' || this.mode === 'forking') && alreadyReset(socket)) {
      // A connect + RST storm must not cost a thread or a 46 MB process per connection (issue 12).
      this.resetEarly++
      socket.destroy()
      return
    }
    if (this.conns.size >= this.maxConnections) {
      this.stats.dropped++
      socket.destroy()
      this.send({ event: 'drop', remote, dropped: this.stats.dropped })
      return
    }
    this.stats.accepted++
    const conn = this.nextConn++
    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    const c: Conn = {
      info: { conn, remote, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, state: 'serving', servedBy: servedHere('loop'), messages: 0 },
      socket,
      since: Date.now(),
      activeAt: Date.now(),
      announced: false,
      stop: () => socket.end(),
      kill: () => socket.destroy(),
      done,
      resolveDone,
    }
    this.conns.set(conn, c)
    switch (this.mode) {
      case 'async':
        this.announce(c)
        this.serveHere(c)
        break
      case 'serial':
        this.enqueue(c)
        break
      case 'threading':
        this.serveOnThread(c)
        break
      case 'forking':
        this.serveInChild(c)
        break
    }
  }

  private announce(c: Conn): void {
    c.announced = true
    this.send({ event: 'connection', conn: c.info.conn, remote: c.info.remote, servedBy: c.info.servedBy, ...(c.info.startup ? { startup: c.info.startup } : {}) })
  }

  /** Counts and forwards what a connection's loop reports. */
  private hooks(c: Conn, onClosed: () => Promise<void> | void, countBytes = true): SessionHooks {
    const conn = c.info.conn
    return {
      event: (e: SessionEvent) => {
        if (countBytes) {
          if (e.event === 'recv') {
            c.info.bytesIn += e.bytes
            this.stats.bytesIn += e.bytes
          } else if (e.event === 'send') {
            c.info.bytesOut += e.bytes
            this.stats.bytesOut += e.bytes
          } else if (e.event === 'message') c.info.messages++
        }
        // The event object is fresh from the loop (or from IPC): stamp it rather than copy it, a hot path.
        const stamped = e as SessionEvent & { conn: number; serverId: string; at: number }
        stamped.conn = conn
        stamped.serverId = this.id
        stamped.at = Date.now()
        this.emit(stamped as ServerEvent)
      },
      closed: (reason) => {
        this.conns.delete(conn)
        if (this.state === 'closing' && reason === 'client') reason = 'server'
        if (c.announced) this.send({ event: 'close', conn, reason })
        void Promise.resolve(onClosed()).finally(c.resolveDone)
      },
    }
  }

  /** The async mode, and the serial mode once a connection's turn comes: the loop runs on this thread. */
  private serveHere(c: Conn, onClosed: () => void = () => {}): void {
    const { name, delayMs } = this.plan
    const handle =
      delayMs > 0
        ? async (p: Buffer) => {
            await session.sleep(delayMs)
            return applyHandler(name, p)
          }
        : (p: Buffer) => applyHandler(name, p)
    const session: Session = new Session(c.socket, this.session, handle, delayMs === 0 ? 'sync' : 'sequential', this.hooks(c, onClosed))
    c.stop = () => session.stop()
    c.kill = () => session.destroy()
    session.start()
  }

  // ---- serial ---------------------------------------------------------------------------------

  private enqueue(c: Conn): void {
    c.info.servedBy = servedHere('queue')
    const item = Object.assign(c, { conn: c.info.conn })
    this.announce(c)
    if (this.queue.arrive(item)) return this.serveSerial(c)
    c.info.state = 'waiting'
    this.send({ event: 'queued', conn: c.info.conn, remote: c.info.remote, position: this.queue.length })
    // Nothing reads a waiting socket, so this fires only when the server drops it (stop) or on an error.
    c.socket.once('close', () => {
      if (c.info.state !== 'waiting') return
      this.queue.remove(c.info.conn)
      this.conns.delete(c.info.conn)
      this.send({ event: 'close', conn: c.info.conn, reason: this.state === 'closing' ? 'server' : 'reset' })
      c.resolveDone()
    })
    c.socket.on('error', () => {})
  }

  private serveSerial(c: Conn): void {
    c.info.state = 'serving'
    this.send({ event: 'served', conn: c.info.conn, waitedMs: Date.now() - c.since, servedBy: c.info.servedBy })
    this.serveHere(c, () => {
      const next = this.queue.next(c.info.conn)
      if (next && this.state === 'listening') this.serveSerial(next)
    })
  }

  // ---- threading ------------------------------------------------------------------------------

  private serveOnThread(c: Conn): void {
    if (this.spares && descriptorOf(c.socket) !== null) return this.serveOnOwningThread(c, this.spares)
    this.serveOnRelayThread(c)
  }

  /** The thread owns the connection: it does the recv/send system calls on the descriptor (Linux). */
  private serveOnOwningThread(c: Conn, spares: SparePool<SpareThread>): void {
    let thread: SpareThread
    try {
      thread = spares.take()
    } catch (err) {
      this.refuse(c, err)
      return
    }
    // A spare counts as one only if it was ready when the connection came; otherwise the wait shows.
    const wasReady = thread.startMs !== null
    c.info.servedBy = { kind: 'thread', pid: process.pid, tid: null }
    c.kill = () => {
      c.socket.destroy()
      void thread.stop()
    }
    c.stop = c.kill
    // Until its thread serves it, nothing writes on it (the main thread's socket must never write on a descriptor a thread owns).
    c.panelSend = () => Promise.reject(new LabError('ERR_BAD_STATE', `connection #${c.info.conn}'s thread is not serving it yet`, { conn: c.info.conn }))
    const acceptedAt = performance.now()
    // The client reset before its thread got it: the thread, unused, goes back to the pool.
    let released = false
    const release = () => {
      released = true
      this.resetEarly++
      this.conns.delete(c.info.conn)
      c.socket.destroy()
      spares.giveBack(thread)
      c.resolveDone()
    }
    if (!wasReady) watchReset(c.socket, thread.ready, release)
    const serve = (tid: number | null) => {
      if (released) return
      if (this.state === 'listening' && alreadyReset(c.socket)) return release()
      c.info.servedBy = { kind: 'thread', pid: process.pid, tid }
      c.info.startup = { spare: wasReady, waitedMs: round2(performance.now() - acceptedAt), threadStartMs: thread.startMs === null ? null : round2(thread.startMs) }
      if (this.state !== 'listening' || c.socket.destroyed) {
        this.announce(c)
        this.conns.delete(c.info.conn)
        this.send({ event: 'close', conn: c.info.conn, reason: 'server' })
        c.socket.destroy()
        void thread.stop().finally(c.resolveDone)
        return
      }
      const hooks = this.hooks(c, () => thread.exited, false)
      let owned: OwnedConnection
      try {
        owned = new OwnedConnection(c.socket, thread, this.session, {
          event: hooks.event,
          closed: hooks.closed,
          totals: (bytesIn, bytesOut, messages) => this.setTotals(c, bytesIn, bytesOut, messages),
        })
      } catch (err) {
        this.announce(c)
        this.send({ event: 'error', conn: c.info.conn, error: fromNodeError(err).toData() })
        hooks.closed('error')
        c.socket.destroy()
        void thread.stop()
        return
      }
      // Announced just after the hand-over, so that the thread's first reply does not wait for the
      // event; it still comes before the thread's own events, which are collected on a timer.
      this.announce(c)
      c.stop = () => owned.stop()
      c.kill = () => owned.kill()
      c.panelSend = (bytes, written) => owned.panelSend(c.info.conn, bytes, written)
    }
    // A ready spare is handed the connection in this turn of the event loop, not in a later promise job.
    if (wasReady) return serve(thread.tid)
    thread.ready.then(serve, (err: unknown) => {
      if (released) return
      this.conns.delete(c.info.conn)
      if (this.state === 'listening') this.send({ event: 'error', conn: c.info.conn, error: (err instanceof LabError ? err : fromNodeError(err)).toData() })
      c.socket.destroy()
      void thread.stop().finally(c.resolveDone)
    })
  }

  private setTotals(c: Conn, bytesIn: number, bytesOut: number, messages: number): void {
    if (messages !== c.info.messages || bytesIn !== c.info.bytesIn) c.activeAt = Date.now()
    this.stats.bytesIn += bytesIn - c.info.bytesIn
    this.stats.bytesOut += bytesOut - c.info.bytesOut
    Object.assign(c.info, { bytesIn, bytesOut, messages })
  }

  /** A connection that cannot be served (a budget is spent): reported with the error, then closed. */
  private refuse(c: Conn, err: unknown): void {
    this.conns.delete(c.info.conn)
    this.stats.dropped++
    c.socket.destroy()
    this.send({ event: 'drop', remote: c.info.remote, dropped: this.stats.dropped })
    this.send({ event: 'error', error: (err instanceof LabError ? err : fromNodeError(err)).toData() })
    c.resolveDone()
  }

  /** Where no descriptor can be handed over: the socket stays here and each read is posted to the thread. */
  private serveOnRelayThread(c: Conn): void {
    if (!threadBudget.take(1)) return this.refuse(c, budgetError('threads', threadBudget.limit))
    const thread = new ThreadHandler(this.options.workersDir!, this.plan.spec)
    void thread.exited.then(() => threadBudget.give(1))
    const acceptedAt = performance.now()
    c.info.servedBy = { kind: 'thread', pid: process.pid, tid: null }
    c.kill = () => {
      c.socket.destroy()
      void thread.stop()
    }
    c.stop = c.kill
    const stopThread = () => thread.stop()
    thread.ready.then(
      (tid) => {
        c.info.servedBy = { kind: 'thread', pid: process.pid, tid }
        const waitedMs = round2(performance.now() - acceptedAt)
        c.info.startup = { spare: false, waitedMs, threadStartMs: waitedMs }
        this.announce(c)
        if (this.state !== 'listening' || c.socket.destroyed) {
          this.conns.delete(c.info.conn)
          this.send({ event: 'close', conn: c.info.conn, reason: 'server' })
          c.socket.destroy()
          void stopThread().finally(c.resolveDone)
          return
        }
        // Without a delay the thread answers in order, so reads go on while it works (as the
        // kernel keeps receiving while a Python thread runs its handler); a delaying handler is
        // awaited before the next read, as in the course's loop.
        const kind = this.plan.delayMs === 0 ? 'ordered' : 'sequential'
        const session = new Session(c.socket, this.session, (p) => thread.handle(p), kind, this.hooks(c, stopThread))
        c.stop = () => session.stop()
        c.kill = () => session.destroy()
        session.start()
      },
      (err: unknown) => {
        this.conns.delete(c.info.conn)
        // A thread ended by stop() before it started is no error worth reporting.
        if (this.state === 'listening') this.send({ event: 'error', conn: c.info.conn, error: (err instanceof LabError ? err : fromNodeError(err)).toData() })
        c.socket.destroy()
        void stopThread().finally(c.resolveDone)
      },
    )
  }

  // ---- forking --------------------------------------------------------------------------------

  private serveInChild(c: Conn): void {
    let spare: SpareChild
    try {
      spare = this.childSpares!.take()
    } catch (err) {
      this.refuse(c, err)
      return
    }
    const acceptedAt = performance.now()
    const wasSpare = spare.startMs !== null
    // A connection the client reset before its process got it gives the process back, unused.
    const hooks = this.hooks(c, () => (child.released ? undefined : spare.exited), false)
    const pool = this.childSpares!
    const child: ForkedConnection = new ForkedConnection(
      spare,
      c.socket,
      this.plan.spec,
      this.session,
      {
        event: hooks.event,
        closed: hooks.closed,
        totals: (bytesIn, bytesOut, messages) => this.setTotals(c, bytesIn, bytesOut, messages),
      },
      this.forkGuard !== null,
      () => {
        this.resetEarly++
        pool.giveBack(spare)
      },
    )
    c.info.servedBy = { kind: 'process', pid: spare.pid, tid: null }
    c.stop = () => child.stop()
    c.kill = () => child.kill()
    const announce = () => {
      if (child.released || !this.conns.has(c.info.conn)) return
      c.info.servedBy = { kind: 'process', pid: spare.pid, tid: process.platform === 'linux' ? spare.pid : null }
      c.info.startup = { spare: wasSpare, waitedMs: round2(performance.now() - acceptedAt), threadStartMs: spare.startMs === null ? null : round2(spare.startMs) }
      this.announce(c)
    }
    if (wasSpare) announce()
    else spare.ready.then(announce, () => (this.conns.has(c.info.conn) ? this.announce(c) : undefined))
  }

  /**
   * Server-side send (issue 14, server-send.ts): writes `bytes` on connection `conn` as the
   * handler's own `send()` would, where this thread does that connection's I/O (async, serial once
   * served, threading's relay design), or between the replies of the thread that owns it (threading
   * on Linux, owned-send.ts). Throws (or rejects with) the coded reason where it cannot.
   */
  writeOn(conn: number, bytes: Buffer): number | Promise<number> {
    const c = this.conns.get(conn)
    if (!c || !c.announced) throw new LabError('ERR_NOT_FOUND', `server ${this.id} has no connection #${conn}`, { id: this.id, conn })
    const where = `${this.options.host}:${this.boundPort}`
    if (c.info.state === 'waiting') {
      const serving = [...this.conns.values()].find((o) => o.info.state === 'serving')
      const position = this.queue.list().findIndex((q) => q.info.conn === conn) + 1
      throw new LabError(
        'ERR_SERVER_BUSY',
        `connection #${conn} waits in the serial queue (position ${position}) behind ${serving ? `#${serving.info.conn}` : 'another connection'}: like socketserver.TCPServer, the server has not taken it up yet, so it has no socket to send on`,
        { where, conn, position, ...(serving ? { serving: serving.info.conn } : {}) },
      )
    }
    const panelEvent = () => this.send({ event: 'send', conn, bytes: bytes.length, hex: hexOf(bytes), truncated: bytes.length > EVENT_HEX_BYTES, by: 'panel' })
    if (c.panelSend) return c.panelSend(bytes, panelEvent)
    if (this.mode === 'forking') {
      throw new LabError('ERR_OWNED_BY_HANDLER', `connection #${conn} is served by its own child process, which does every recv/send on it: like ForkingTCPServer's parent, which closes its copy after fork(), the lab's parent does not write to it (a write from another process could land inside the child's reply, and the child blocked in recv() cannot take a message until its client sends)`, {
        conn,
        mode: this.mode,
        where,
      })
    }
    const socket = c.socket
    if (socket.destroyed || socket.writableEnded) throw new LabError('ERR_BAD_STATE', `connection #${conn} is closing`, { conn })
    if (socket.writableLength + bytes.length > this.session.maxBufferedBytes) {
      throw limitError('SESSION_MAX_UNSENT_BYTES', socket.writableLength + bytes.length, `connection #${conn}'s client is not reading (${socket.writableLength} bytes already wait to be sent); send again once it reads`, {
        use: 'asked',
        max: this.session.maxBufferedBytes,
        params: { conn },
      })
    }
    socket.write(bytes)
    c.info.bytesOut += bytes.length
    this.stats.bytesOut += bytes.length
    panelEvent()
    return bytes.length
  }

  protected settings(): ServerSettings {
    return {
      frame: this.session.frame,
      recvSize: this.session.recvSize,
      readDelayMs: this.session.readDelayMs,
      maxFrameBytes: this.session.maxFrameBytes,
      idleTimeoutMs: this.session.idleTimeoutMs,
      maxConnections: this.maxConnections,
      requestQueueSize: this.backlog,
      spares: this.mode === 'threading' || this.mode === 'forking' ? (this.options.spares ?? DEFAULT_SPARES[this.mode]) : 0,
      ...(this.sparePool ? { sparesReady: this.sparePool.readyCount, sparesDeferred: this.sparePool.deferred } : {}),
      threadIo: this.threadIo,
    }
  }

  protected served(): ServedNow {
    const copy = (i: ConnectionInfo): ConnectionInfo => ({ ...i, remote: { ...i.remote }, servedBy: { ...i.servedBy } })
    return {
      connections: [...this.conns.values()].filter((c) => c.announced).map((c) => copy(c.info)),
      queue: this.queue.list().map((c) => ({ conn: c.info.conn, remote: { ...c.info.remote }, since: c.since })),
      stats: { ...this.stats, resetEarly: this.resetEarly },
    }
  }

  /**
   * Stops accepting, drops the waiting line, asks every served client to finish (FIN), and after
   * the grace period destroys stragglers and kills their threads or processes. Resolves when every
   * connection, thread and process is gone.
   */
  protected async shutdown(): Promise<void> {
    const graceMs = this.options.graceMs ?? CONNECTION_CLOSE_GRACE_MS
    const spares = Promise.all([this.spares?.close(), this.childSpares?.close()])
    const listening = new Promise<void>((resolve) => this.server.close(() => resolve()))
    if (this.boundPort) noteListenBacklog(this.boundPort, null)
    for (const c of this.queue.clear()) c.socket.destroy()
    for (const c of this.conns.values()) c.stop()
    const timer = setTimeout(() => {
      for (const c of this.conns.values()) c.kill()
    }, graceMs)
    await Promise.all([...this.conns.values()].map((c) => c.done))
    // The listening socket is closed at once by server.close(); its callback also waits for the
    // connections. After sockets were sent to children, Node asks those children for their count
    // and never calls back once they have all exited, so the forking mode relies on its own tracking.
    if (this.mode !== 'forking') await listening
    await spares
    await this.forkGuard?.close()
    clearTimeout(timer)
  }
}
