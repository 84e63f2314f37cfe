import type { Input, LabEvent, MethodName, Output } from '../../shared/contract'
import { errorData, type Result } from '../../shared/errors'
import { callTimeoutMs, RECONNECT_FIRST_MS, RECONNECT_MAX_MS, type WsMessage, type WsRequest } from '../../shared/transport'
import type { ConnectionState, LabClient } from './lab-client'

/** The part of the browser's WebSocket this client uses: tests hand in `ws`'s class. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void
}

export interface WsClientOptions {
  /** How long a call may wait for its answer before it fails with ERR_ENGINE_TIMEOUT: per method (shared/transport.ts) unless a test says. */
  callTimeoutMs?: number | ((method: string) => number)
  /** Waits between reconnection attempts: doubling from the first to the most. */
  reconnectFirstMs?: number
  reconnectMaxMs?: number
  createSocket?: (url: string) => WebSocketLike
}

const OPEN = 1

interface Pending {
  settle: (r: Result<unknown>) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * LabClient over browser mode's WebSocket (`/ws?token=…` on the page's own origin).
 * A call never hangs: it fails at once with ERR_DISCONNECTED while the door is down, and
 * with ERR_ENGINE_TIMEOUT when no answer comes within its method's time (shared/transport.ts). When the socket closes (the lab stopped or
 * restarted) the client keeps trying to reconnect with the same address and token, and says
 * so through its state ('reconnecting', then 'open' again).
 */
export class WsClient implements LabClient {
  readonly door = 'browser' as const
  private socket: WebSocketLike | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(events: LabEvent[], dropped: number) => void>()
  private readonly stateListeners = new Set<(s: ConnectionState) => void>()
  private readonly openWaiters = new Set<(open: boolean) => void>()
  private state: ConnectionState = 'connecting'
  private stopped = false
  private retryMs: number
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private readonly options: Required<WsClientOptions>

  constructor(
    private readonly url: string,
    options: WsClientOptions = {},
  ) {
    this.options = {
      callTimeoutMs: options.callTimeoutMs ?? callTimeoutMs,
      reconnectFirstMs: options.reconnectFirstMs ?? RECONNECT_FIRST_MS,
      reconnectMaxMs: options.reconnectMaxMs ?? RECONNECT_MAX_MS,
      createSocket: options.createSocket ?? ((u) => new WebSocket(u) as unknown as WebSocketLike),
    }
    this.retryMs = this.options.reconnectFirstMs
    this.open()
  }

  private open() {
    let socket: WebSocketLike
    try {
      socket = this.options.createSocket(this.url)
    } catch {
      this.lost()
      return
    }
    this.socket = socket
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return
      this.retryMs = this.options.reconnectFirstMs
      this.setState('open')
      for (const w of this.openWaiters) w(true)
      this.openWaiters.clear()
    })
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return
      this.socket = null
      this.lost()
    })
    socket.addEventListener('message', (ev) => this.receive(ev.data))
  }

  /** The socket is gone: every waiting call fails now, and a new attempt is scheduled. */
  private lost() {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.settle({ ok: false, error: errorData('ERR_DISCONNECTED', 'the lab engine closed the connection before answering', { id }) })
    }
    this.pending.clear()
    for (const w of this.openWaiters) w(false)
    this.openWaiters.clear()
    if (this.stopped) {
      this.setState('closed')
      return
    }
    this.setState('reconnecting')
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (!this.stopped) this.open()
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, this.options.reconnectMaxMs)
  }

  private setState(state: ConnectionState) {
    if (this.state === state) return
    this.state = state
    for (const l of this.stateListeners) l(state)
  }

  private receive(data: unknown) {
    let msg: WsMessage
    try {
      msg = JSON.parse(String(data)) as WsMessage
    } catch {
      return
    }
    if (msg.type === 'result') {
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      clearTimeout(p.timer)
      p.settle(msg.result)
    } else if (msg.type === 'events') {
      for (const l of this.eventListeners) l(msg.events, msg.dropped)
    }
  }

  /** At start-up a call waits for the first connection; later, a door that is down fails the call at once. */
  private ready(): Promise<boolean> {
    if (this.state === 'open' && this.socket?.readyState === OPEN) return Promise.resolve(true)
    if (this.state !== 'connecting') return Promise.resolve(false)
    return new Promise((resolve) => this.openWaiters.add(resolve))
  }

  async call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    if (!(await this.ready()) || !this.socket) {
      return { ok: false, error: errorData('ERR_DISCONNECTED', `${method} was not sent: the lab engine is not connected`, { method }) }
    }
    const id = this.nextId++
    const request: WsRequest = { id, method, input }
    const socket = this.socket
    return new Promise((resolve) => {
      const limit = this.options.callTimeoutMs
      const timeoutMs = typeof limit === 'number' ? limit : limit(method)
      const timer = setTimeout(() => {
        this.pending.delete(id)
        const seconds = Math.max(1, Math.round(timeoutMs / 1000))
        resolve({ ok: false, error: errorData('ERR_ENGINE_TIMEOUT', `the lab engine did not answer ${method} within ${seconds} s`, { method, seconds }) })
      }, timeoutMs)
      this.pending.set(id, { settle: resolve as (r: Result<unknown>) => void, timer })
      try {
        socket.send(JSON.stringify(request))
      } catch (err) {
        clearTimeout(timer)
        this.pending.delete(id)
        resolve({ ok: false, error: errorData('ERR_DISCONNECTED', `${method} was not sent: ${String(err)}`, { method }) })
      }
    })
  }

  onEvents(listener: (events: LabEvent[], dropped: number) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    listener(this.state)
    return () => this.stateListeners.delete(listener)
  }

  close(): void {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    const socket = this.socket
    if (socket) socket.close()
    else this.lost()
  }
}
