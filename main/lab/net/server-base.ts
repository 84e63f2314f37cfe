import type { ServerInfo, ServerMode, ServerState, ServerStats } from '../../../shared/contract'
import { LabError } from '../errors'
import type { HandlerPlan } from './handlers'
import type { Emit, EventBody } from './server-events'

/** What `info()` says of the server itself; the rest each protocol fills in. */
type Identity = 'id' | 'proto' | 'host' | 'port' | 'state' | 'handler' | 'mode' | 'startedAt'
/** What the server serves now: its connections, its waiting line and its counters. */
type Served = 'connections' | 'queue' | 'stats'
export type ServerSettings = Omit<ServerInfo, Identity | Served>
export type ServedNow = Pick<ServerInfo, Served>

/**
 * What the TCP and the UDP server share, said once (issue 15): the lifecycle idle → starting →
 * listening → closing → closed, where `close()` during `starting` waits for the bind and then closes,
 * so no server is left listening (issue 12); the counters; the stamp on every event; and the
 * identity half of `info()`. Each protocol says how it binds (`bind`), what it serves once listening
 * (`serve`), what it closes (`shutdown`) and what its info adds (`settings`, `served`).
 */
export abstract class LabServer<Mode extends ServerMode = ServerMode> {
  state: ServerState = 'idle'
  readonly startedAt = Date.now()
  protected readonly stats: ServerStats = { accepted: 0, dropped: 0, datagrams: 0, oversize: 0, bytesIn: 0, bytesOut: 0 }
  /** The port the OS bound; 0 until then, and for good if the bind failed. */
  protected boundPort = 0
  private closing: Promise<void> | null = null
  private starting: Promise<unknown> | null = null

  protected constructor(
    readonly id: string,
    readonly proto: 'tcp' | 'udp',
    readonly mode: Mode,
    protected readonly plan: HandlerPlan,
    private readonly address: { host: string; port: number },
    protected readonly emit: Emit,
  ) {}

  /** Stamps an event with this server's id and the time, and sends it out. */
  protected send(body: EventBody): void {
    this.emit({ ...body, serverId: this.id, at: Date.now() } as never)
  }

  listen(): Promise<ServerInfo> {
    if (this.state !== 'idle') return Promise.reject(new LabError('ERR_BAD_STATE', `server ${this.id} is ${this.state}, not idle`))
    this.state = 'starting'
    const started = this.start()
    this.starting = started.catch(() => {})
    return started
  }

  private async start(): Promise<ServerInfo> {
    this.boundPort = await this.bind()
    // close() came while the bind was under way: it waits for us and closes; nothing is served.
    if (this.state !== 'starting') return this.info()
    this.state = 'listening'
    this.serve()
    this.send({ event: 'listening', proto: this.proto, host: this.address.host, port: this.boundPort })
    this.listened()
    return this.info()
  }

  /** Checks what must hold before binding, binds, and resolves with the port the OS gave. */
  protected abstract bind(): Promise<number>
  /** Listening now: starts taking connections or datagrams (before the `listening` event). */
  protected abstract serve(): void
  /** After the `listening` event: what is reported from then on. */
  protected listened(): void {}

  info(): ServerInfo {
    return {
      id: this.id,
      proto: this.proto,
      host: this.address.host,
      port: this.boundPort || this.address.port,
      state: this.state,
      handler: this.plan.spec,
      mode: this.mode,
      ...this.settings(),
      startedAt: this.startedAt,
      ...this.served(),
    }
  }

  /** How this server was asked to serve (framing, reads, caps, spares). */
  protected abstract settings(): ServerSettings
  /** What it serves now; copies, so that a caller cannot change the server's own records. */
  protected abstract served(): ServedNow

  /** Stops serving and resolves once everything the server started is gone. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing
    if (this.state === 'idle') {
      this.state = 'closed'
      this.closing = Promise.resolve()
      return this.closing
    }
    const wasStarting = this.state === 'starting'
    this.state = 'closing'
    this.closing = (async () => {
      if (wasStarting) await this.starting
      await this.shutdown()
      this.state = 'closed'
      // A server whose bind failed never said 'listening', so it says nothing now either.
      if (this.boundPort) this.send({ event: 'closed' })
    })()
    return this.closing
  }

  /**
   * Closes what this protocol holds (state is `closing`). Runs at once when the server was listening,
   * or after the bind settled when `close()` came during it (then nothing was served).
   */
  protected abstract shutdown(): Promise<void>
}
