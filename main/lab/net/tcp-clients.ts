import net from 'node:net'
import {
  EVENT_HEX_BYTES,
  MAX_CLIENT_SEND_SPAN_MS,
  MAX_CLIENT_TOTAL_BYTES,
  MAX_TCP_CLIENTS,
  netClientMethods,
  type ClientEvent,
  type ClientFraming,
  type TcpClientInfo,
  type TcpClientSendResult,
  type TcpClientState,
  type TextEncoding,
} from '../../../shared/contract'
import { fromNodeError, LabError, limitError } from '../errors'
import { decodeText, eventText, socketHost, StreamTextDecoder } from './encoding'
import { macroPayload } from './macro-payload'
import { drained } from './drained'
import { takeDescriptors } from './descriptors'
import { encodeFrame, FrameDecoder } from './framing'
import { CONNECTION_CLOSE_GRACE_MS } from '../../../shared/budgets'

/** What an absent field of `net.tcpClient.send` means (its schema's default). */
const SEND = netClientMethods['net.tcpClient.send'].input.shape

type Emit = (event: ClientEvent) => void
type EventBody = ClientEvent extends infer E ? (E extends ClientEvent ? Omit<E, 'clientId' | 'at' | 'proto'> : never) : never

export interface TcpClientOptions {
  host: string
  port: number
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
  timeoutMs: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The hex of a chunk for an event: at most EVENT_HEX_BYTES bytes, the count stays exact. */
function hexOf(bytes: Buffer): { hex: string; truncated: boolean } {
  return { hex: bytes.subarray(0, EVENT_HEX_BYTES).toString('hex'), truncated: bytes.length > EVENT_HEX_BYTES }
}

/**
 * A persistent TCP client, like the course's client loop: connect once, then send and receive
 * for as long as the learner likes. Every read and write is an event. Lifecycle:
 * connecting → open → closed; `close()` is safe to call twice.
 */
export class TcpClient {
  state: TcpClientState = 'connecting'
  readonly openedAt = Date.now()
  private closedAt: number | null = null
  private readonly socket: net.Socket
  private readonly text: StreamTextDecoder
  private readonly decoder: FrameDecoder
  private local: { address: string; port: number } | null = null
  private remote: { address: string; port: number }
  private stats = { sends: 0, bytesSent: 0, recvs: 0, bytesReceived: 0, messages: 0 }
  private closeReason: 'local' | 'remote' | 'reset' | 'error' = 'remote'
  private closing: Promise<void> | null = null
  private readonly closedPromise: Promise<void>

  constructor(
    readonly id: string,
    private readonly options: TcpClientOptions,
    private readonly emit: Emit,
  ) {
    this.remote = { address: options.host, port: options.port }
    this.text = new StreamTextDecoder(options.encoding)
    this.decoder = new FrameDecoder(options.frame)
    this.socket = new net.Socket()
    this.socket.setNoDelay(options.nodelay)
    this.closedPromise = new Promise((resolve) => this.socket.once('close', () => resolve()))
  }

  /** Resolves when the socket is closed for good (its descriptor given back to the OS). */
  whenClosed(): Promise<void> {
    return this.closedPromise
  }

  private send(body: EventBody): void {
    this.emit({ ...body, clientId: this.id, proto: 'tcp', at: Date.now() } as ClientEvent)
  }

  connect(): Promise<TcpClientInfo> {
    const { host, port, timeoutMs } = this.options
    return new Promise<TcpClientInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy()
        reject(new LabError('ERR_TIMEOUT', `could not connect to ${host}:${port} within ${timeoutMs} ms`, { host, port, ms: timeoutMs }))
      }, timeoutMs)
      const onError = (err: Error) => {
        clearTimeout(timer)
        this.state = 'closed'
        this.closedAt = Date.now()
        reject(fromNodeError(err, { host, port }))
      }
      this.socket.once('error', onError)
      this.socket.connect({ host: socketHost(host), port }, () => {
        clearTimeout(timer)
        this.socket.off('error', onError)
        this.state = 'open'
        this.local = { address: this.socket.localAddress ?? '?', port: this.socket.localPort ?? 0 }
        this.remote = { address: this.socket.remoteAddress ?? host, port: this.socket.remotePort ?? port }
        this.wire()
        this.send({ event: 'connected', local: { ...this.local }, remote: { ...this.remote } })
        resolve(this.info())
      })
    })
  }

  private wire(): void {
    const socket = this.socket
    socket.on('data', (chunk: Buffer) => {
      this.stats.recvs++
      this.stats.bytesReceived += chunk.length
      const { text, cut } = eventText(this.text.write(chunk))
      const { hex, truncated } = hexOf(chunk)
      this.send({ event: 'received', bytes: chunk.length, hex, text, truncated: truncated || cut })
      if (this.options.frame === 'none') return
      let messages: Buffer[]
      try {
        messages = this.decoder.push(chunk)
      } catch (err) {
        // A declared length over the cap: say so and hang up, as the servers do.
        this.send({ event: 'error', error: fromNodeError(err).toData() })
        this.closeReason = 'error'
        socket.destroy()
        return
      }
      for (const message of messages) {
        this.stats.messages++
        const m = eventText(decodeText(message, this.options.encoding))
        const h = hexOf(message)
        this.send({ event: 'message', bytes: message.length, hex: h.hex, text: m.text, truncated: h.truncated || m.cut })
      }
    })
    // The server's FIN: the course's client would read b'' and stop; we finish our side too.
    socket.on('end', () => {
      if (this.closeReason !== 'local') this.closeReason = 'remote'
      socket.end()
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.closeReason === 'local') return
      this.closeReason = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'error'
      this.send({ event: 'error', error: fromNodeError(err, { host: this.options.host, port: this.options.port }).toData() })
    })
    socket.on('close', () => {
      this.state = 'closed'
      this.closedAt = Date.now()
      this.send({ event: 'closed', reason: this.closeReason })
    })
  }

  /** Writes the payload `repeat` times, `gapMs` apart; waits for `drain` when the kernel buffer is full. */
  async write(input: { payload: string; hex?: boolean; repeat?: number; gapMs?: number; macros?: boolean; counter?: number }): Promise<TcpClientSendResult> {
    if (this.state !== 'open') throw new LabError('ERR_BAD_STATE', `client ${this.id} is ${this.state}`, { id: this.id })
    const repeat = input.repeat ?? SEND.repeat.default
    const gapMs = input.gapMs ?? SEND.gapMs.default
    // With macros each write is expanded anew (its own {{COUNTER}}); the budget is checked with the widest one.
    const plan = macroPayload({ ...input, encoding: this.options.encoding }, repeat)
    const first = plan.bytesFor(0)
    const wireOf = (payload: Buffer) => encodeFrame(this.options.frame, payload)
    let wire = wireOf(first)
    const widest = wire.length - first.length + plan.maxBytes
    if (widest * repeat > MAX_CLIENT_TOTAL_BYTES) {
      throw limitError('MAX_CLIENT_TOTAL_BYTES', widest * repeat, `${repeat} × ${widest} bytes is too much for one send; lower the repeat`, { use: 'asked', field: 'repeat' })
    }
    if (gapMs * (repeat - 1) > MAX_CLIENT_SEND_SPAN_MS) {
      throw limitError('MAX_CLIENT_SEND_SPAN_MS', gapMs * (repeat - 1), `${repeat} sends ${gapMs} ms apart take too long; lower the gap or the repeat`, { use: 'asked', field: 'gapMs' })
    }
    let { hex, truncated } = hexOf(wire)
    let sends = 0
    let firstAt = 0
    let lastAt = 0
    let totalBytes = 0
    for (let i = 0; i < repeat; i++) {
      if (i > 0 && gapMs > 0) await sleep(gapMs)
      if (this.state !== 'open' || this.socket.destroyed || this.socket.writableEnded) break
      if (i > 0 && plan.varies) {
        wire = wireOf(plan.bytesFor(i))
        ;({ hex, truncated } = hexOf(wire))
      }
      const ok = this.socket.write(wire)
      lastAt = Date.now()
      if (i === 0) firstAt = lastAt
      sends++
      totalBytes += wire.length
      this.stats.sends++
      this.stats.bytesSent += wire.length
      this.send({ event: 'sent', seq: this.stats.sends, bytes: wire.length, hex, truncated })
      if (!ok) await drained(this.socket)
    }
    if (sends === 0) throw new LabError('ERR_BAD_STATE', `client ${this.id} closed before sending`, { id: this.id })
    return {
      id: this.id,
      sends,
      payloadBytes: first.length,
      bytesPerSend: wireOf(first).length,
      totalBytes,
      hex: hexOf(first).hex,
      truncated: hexOf(first).truncated,
      firstAt,
      lastAt,
      nextCounter: plan.nextCounter(sends),
    }
  }

  info(): TcpClientInfo {
    return {
      id: this.id,
      host: this.options.host,
      port: this.options.port,
      local: this.local ? { ...this.local } : null,
      remote: { ...this.remote },
      state: this.state,
      nodelay: this.options.nodelay,
      frame: this.options.frame,
      encoding: this.options.encoding,
      openedAt: this.openedAt,
      closedAt: this.closedAt,
      ...this.stats,
    }
  }

  /** Sends FIN, waits up to `graceMs` for the server to finish, then destroys. Safe to call twice. */
  close(graceMs = CONNECTION_CLOSE_GRACE_MS): Promise<void> {
    if (this.closing) return this.closing
    if (this.state === 'closed' || this.socket.destroyed) {
      this.closing = Promise.resolve()
      return this.closing
    }
    if (this.closeReason !== 'remote' || !this.socket.readableEnded) this.closeReason = 'local'
    this.socket.end()
    const timer = setTimeout(() => this.socket.destroy(), graceMs)
    this.closing = this.closedPromise.then(() => clearTimeout(timer))
    return this.closing
  }
}

/** The set of persistent clients a lab holds (at most MAX_TCP_CLIENTS at once). */
export class TcpClients {
  private readonly clients = new Map<string, TcpClient>()
  private nextId = 1

  constructor(private readonly emit: Emit) {}

  async open(options: TcpClientOptions): Promise<TcpClientInfo> {
    this.prune()
    if (this.clients.size >= MAX_TCP_CLIENTS) {
      throw limitError('MAX_TCP_CLIENTS', this.clients.size, 'close a client first')
    }
    // A persistent client holds its descriptors for as long as its socket is open (the lab's
    // reserve for its own doors and History stays free), and gives them back when it closes.
    const release = takeDescriptors(1, 'a persistent client')
    let client: TcpClient
    try {
      client = new TcpClient(`c-${this.nextId++}`, options, this.emit)
    } catch (err) {
      release()
      throw err
    }
    client.whenClosed().then(release, release)
    this.clients.set(client.id, client)
    try {
      return await client.connect()
    } catch (err) {
      this.clients.delete(client.id)
      throw err
    }
  }

  find(id: string): TcpClient {
    const client = this.clients.get(id)
    if (!client) throw new LabError('ERR_NOT_FOUND', `no client with id ${id}`, { id })
    return client
  }

  async close(id: string): Promise<TcpClientInfo> {
    const client = this.find(id)
    await client.close()
    this.clients.delete(id)
    return client.info()
  }

  /** Open clients; ones the server closed are listed until the next open or close. */
  list(): TcpClientInfo[] {
    return [...this.clients.values()].map((c) => c.info())
  }

  private prune(): void {
    for (const [id, c] of this.clients) if (c.state === 'closed') this.clients.delete(id)
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close(200)))
    this.clients.clear()
  }
}
