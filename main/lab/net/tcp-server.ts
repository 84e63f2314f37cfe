import net from 'node:net'
import { EVENT_HEX_BYTES, type ConnectionInfo, type ServerEvent, type ServerInfo, type ServerState } from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'
import { applyHandler, parseHandler } from './handlers'

export interface TcpServerOptions {
  host: string
  port: number
  handler: string
  workersDir?: string
  /** How long `close()` lets connections finish before destroying them. */
  graceMs?: number
  /** Bytes a connection may have queued for a client that does not read before it is cut (SECURITY.md 16). */
  maxBufferedBytes?: number
}

type Emit = (event: ServerEvent) => void
type EventBody = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'serverId' | 'at'> : never) : never

interface Connection {
  info: ConnectionInfo
  socket: net.Socket
}

/**
 * The course's TCP server: an accept loop (Node's `net.Server`) and, per connection, a
 * communication loop that answers each chunk read. Lifecycle: idle → listening → closing → closed.
 */
export class TcpServer {
  state: ServerState = 'idle'
  readonly startedAt = Date.now()
  private readonly server = net.createServer()
  private readonly connections = new Map<number, Connection>()
  private nextConn = 1
  private closing: Promise<void> | null = null
  private boundPort = 0

  constructor(
    readonly id: string,
    private readonly options: TcpServerOptions,
    private readonly emit: Emit,
  ) {}

  private send(body: EventBody): void {
    this.emit({ ...body, serverId: this.id, at: Date.now() } as ServerEvent)
  }

  async listen(): Promise<ServerInfo> {
    if (this.state !== 'idle') throw new LabError('ERR_BAD_STATE', `server ${this.id} is ${this.state}, not idle`)
    const { host, port } = this.options
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(fromNodeError(err, { host, port }))
      this.server.once('error', onError)
      this.server.listen({ host, port, exclusive: true }, () => {
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
    if (this.state !== 'listening') {
      socket.destroy()
      return
    }
    const conn = this.nextConn++
    const info: ConnectionInfo = {
      conn,
      remote: { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 },
      openedAt: Date.now(),
      bytesIn: 0,
      bytesOut: 0,
      state: 'serving',
      servedBy: { kind: 'loop', pid: process.pid, tid: process.platform === 'linux' ? process.pid : null },
      messages: 0,
    }
    this.connections.set(conn, { info, socket })
    this.send({ event: 'connection', conn, remote: info.remote, servedBy: info.servedBy })
    const maxBuffered = this.options.maxBufferedBytes ?? 4 * 1024 * 1024
    let reason: 'client' | 'reset' | 'server' | 'error' = 'client'

    socket.on('data', (chunk: Buffer) => {
      info.bytesIn += chunk.length
      this.send({
        event: 'recv',
        conn,
        bytes: chunk.length,
        hex: chunk.subarray(0, EVENT_HEX_BYTES).toString('hex'),
        truncated: chunk.length > EVENT_HEX_BYTES,
      })
      const reply = applyHandler(parseHandler(this.options.handler).name, chunk)
      info.bytesOut += reply.length
      // Backpressure: a client that does not read makes write() return false; stop reading
      // until it drains, and cut it off if it lets too much pile up.
      if (!socket.write(reply)) {
        socket.pause()
        socket.once('drain', () => socket.resume())
      }
      if (socket.writableLength > maxBuffered) {
        reason = 'error'
        socket.destroy()
      }
      this.send({ event: 'send', conn, bytes: reply.length })
    })
    // An empty read (the peer's FIN) ends the communication loop, as `if not data: break`.
    socket.on('end', () => socket.end())
    socket.on('error', (err: NodeJS.ErrnoException) => {
      reason = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'error'
    })
    socket.on('close', () => {
      this.connections.delete(conn)
      if (this.state === 'closing' && reason === 'client') reason = 'server'
      this.send({ event: 'close', conn, reason })
    })
  }

  info(): ServerInfo {
    return {
      id: this.id,
      proto: 'tcp',
      host: this.options.host,
      port: this.boundPort || this.options.port,
      state: this.state,
      handler: this.options.handler,
      mode: 'async',
      frame: 'none',
      recvSize: null,
      readDelayMs: 0,
      maxFrameBytes: 16 * 1024 * 1024,
      idleTimeoutMs: 0,
      maxConnections: 2000,
      startedAt: this.startedAt,
      connections: [...this.connections.values()].map((c) => ({ ...c.info, remote: { ...c.info.remote } })),
      queue: [],
      stats: { accepted: 0, dropped: 0, datagrams: 0, oversize: 0, bytesIn: 0, bytesOut: 0 },
    }
  }

  /** Stops accepting, asks every client to finish, destroys stragglers after the grace period. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing
    if (this.state === 'idle') {
      this.state = 'closed'
      this.closing = Promise.resolve()
      return this.closing
    }
    this.state = 'closing'
    const graceMs = this.options.graceMs ?? 500
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => {
        this.state = 'closed'
        this.send({ event: 'closed' })
        resolve()
      })
      for (const { socket } of this.connections.values()) socket.end()
      const timer = setTimeout(() => {
        for (const { socket } of this.connections.values()) socket.destroy()
      }, graceMs)
      timer.unref()
    })
    return this.closing
  }
}
