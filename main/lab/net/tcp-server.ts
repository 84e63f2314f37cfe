import net from 'node:net'
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_SERVER_MODE,
  type ConnectionInfo,
  type ServerEvent,
  type ServerInfo,
  type ServerMode,
  type ServerState,
  type ServerStats,
} from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'
import { ForkedConnection } from './fork-mode'
import { applyHandler, parseHandler, type HandlerPlan } from './handlers'
import { SerialQueue } from './serial-queue'
import { servedHere, type Emit, type EventBody } from './server-events'
import { bufferedCap, Session, type SessionEvent, type SessionHooks, type SessionOptions } from './session'
import { ThreadHandler } from './thread-mode'

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
}

/** One thread or one process per connection: a cap keeps a connection flood from exhausting the machine. */
export const MAX_WORKER_CONNECTIONS = 256
const DEFAULT_MAX_CONNECTIONS: Record<ServerMode, number> = { serial: 2_000, async: 2_000, threading: 64, forking: 64 }

interface Conn {
  info: ConnectionInfo
  socket: net.Socket
  since: number
  /** The `connection` event went out (threading waits for its thread's id first). */
  announced: boolean
  stop(): void
  kill(): void
  /** Resolves once the socket is closed and its thread or process is gone. */
  done: Promise<void>
  resolveDone(): void
}

/**
 * The course's TCP server: an accept loop (Node's `net.Server`) and, per connection, a communication
 * loop (`Session`) served the way `mode` says. Sockets are accepted paused so that nothing is read
 * before the connection's turn (serial), its thread (threading) or its process (forking) is ready.
 * Lifecycle: idle → listening → closing → closed.
 */
export class TcpServer {
  state: ServerState = 'idle'
  readonly startedAt = Date.now()
  readonly mode: ServerMode
  private readonly server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })
  private readonly plan: HandlerPlan
  private readonly session: SessionOptions
  private readonly maxConnections: number
  private readonly conns = new Map<number, Conn>()
  private readonly queue = new SerialQueue<Conn & { conn: number }>()
  private readonly stats: ServerStats = { accepted: 0, dropped: 0, datagrams: 0, oversize: 0, bytesIn: 0, bytesOut: 0 }
  private nextConn = 1
  private closing: Promise<void> | null = null
  private boundPort = 0

  constructor(
    readonly id: string,
    private readonly options: TcpServerOptions,
    private readonly emit: Emit,
  ) {
    this.mode = options.mode ?? DEFAULT_SERVER_MODE
    this.plan = parseHandler(options.handler)
    const frame = options.frame ?? 'none'
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.session = {
      recvSize: options.recvSize ?? null,
      readDelayMs: options.readDelayMs ?? 0,
      frame,
      maxFrameBytes,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      maxBufferedBytes: options.maxBufferedBytes ?? bufferedCap(frame, maxFrameBytes),
    }
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS[this.mode]
  }

  private send(body: EventBody): void {
    this.emit({ ...body, serverId: this.id, at: Date.now() } as never)
  }

  async listen(): Promise<ServerInfo> {
    if (this.state !== 'idle') throw new LabError('ERR_BAD_STATE', `server ${this.id} is ${this.state}, not idle`)
    if ((this.mode === 'threading' || this.mode === 'forking') && !this.options.workersDir) {
      throw new LabError('ERR_UNSUPPORTED', `the ${this.mode} mode needs the lab's worker files`, { mode: this.mode })
    }
    if ((this.mode === 'threading' || this.mode === 'forking') && this.maxConnections > MAX_WORKER_CONNECTIONS) {
      throw new LabError('ERR_LIMIT', `the ${this.mode} mode starts one ${this.mode === 'threading' ? 'thread' : 'process'} per connection: at most ${MAX_WORKER_CONNECTIONS} connections`, {
        max: MAX_WORKER_CONNECTIONS,
        option: 'maxConnections',
      })
    }
    const { host, port } = this.options
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(fromNodeError(err, { host, port }))
      this.server.once('error', onError)
      // `[::1]` is how a URL writes an IPv6 address; listen() wants it bare.
      this.server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true, backlog: 1024 }, () => {
        this.server.off('error', onError)
        resolve()
      })
    })
    this.boundPort = (this.server.address() as net.AddressInfo).port
    this.state = 'listening'
    this.server.on('connection', (socket) => this.accept(socket))
    this.server.on('error', (err) => this.send({ event: 'error', error: fromNodeError(err, { host, port }).toData() }))
    this.send({ event: 'listening', proto: 'tcp', host, port: this.boundPort })
    return this.info()
  }

  private accept(socket: net.Socket): void {
    const remote = { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }
    if (this.state !== 'listening') {
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
    this.send({ event: 'connection', conn: c.info.conn, remote: c.info.remote, servedBy: c.info.servedBy })
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
    const thread = new ThreadHandler(this.options.workersDir!, this.plan.spec)
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
    let exited: Promise<void> = Promise.resolve()
    const hooks = this.hooks(c, () => exited, false)
    const child = new ForkedConnection(this.options.workersDir!, c.socket, this.plan.spec, this.session, {
      event: hooks.event,
      closed: hooks.closed,
      totals: (bytesIn, bytesOut, messages) => {
        this.stats.bytesIn += bytesIn - c.info.bytesIn
        this.stats.bytesOut += bytesOut - c.info.bytesOut
        Object.assign(c.info, { bytesIn, bytesOut, messages })
      },
    })
    exited = child.exited
    c.info.servedBy = { kind: 'process', pid: child.pid, tid: process.platform === 'linux' ? child.pid : null }
    c.stop = () => child.stop()
    c.kill = () => child.kill()
    this.announce(c)
  }

  info(): ServerInfo {
    const copy = (i: ConnectionInfo): ConnectionInfo => ({ ...i, remote: { ...i.remote }, servedBy: { ...i.servedBy } })
    return {
      id: this.id,
      proto: 'tcp',
      host: this.options.host,
      port: this.boundPort || this.options.port,
      state: this.state,
      handler: this.plan.spec,
      mode: this.mode,
      frame: this.session.frame,
      recvSize: this.session.recvSize,
      readDelayMs: this.session.readDelayMs,
      maxFrameBytes: this.session.maxFrameBytes,
      idleTimeoutMs: this.session.idleTimeoutMs,
      maxConnections: this.maxConnections,
      startedAt: this.startedAt,
      connections: [...this.conns.values()].filter((c) => c.announced).map((c) => copy(c.info)),
      queue: this.queue.list().map((c) => ({ conn: c.info.conn, remote: { ...c.info.remote }, since: c.since })),
      stats: { ...this.stats },
    }
  }

  /**
   * Stops accepting, drops the waiting line, asks every served client to finish (FIN), and after
   * the grace period destroys stragglers and kills their threads or processes. Resolves when every
   * connection, thread and process is gone. Safe to call twice.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing
    if (this.state === 'idle') {
      this.state = 'closed'
      this.closing = Promise.resolve()
      return this.closing
    }
    this.state = 'closing'
    const graceMs = this.options.graceMs ?? 500
    this.closing = (async () => {
      const listening = new Promise<void>((resolve) => this.server.close(() => resolve()))
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
      clearTimeout(timer)
      this.state = 'closed'
      this.send({ event: 'closed' })
    })()
    return this.closing
  }
}
