import type { Input, LabEvent, MethodName, Output } from '../../shared/contract'
import { errorData, type Result } from '../../shared/errors'
import type { WsMessage, WsRequest } from '../../shared/transport'
import type { ConnectionState, LabClient } from './lab-client'

/** LabClient over browser mode's WebSocket (`/ws?token=…` on the page's own origin). */
export class WsClient implements LabClient {
  readonly door = 'browser' as const
  private readonly socket: WebSocket
  private readonly opened: Promise<boolean>
  private nextId = 1
  private readonly pending = new Map<number, (r: Result<unknown>) => void>()
  private readonly eventListeners = new Set<(events: LabEvent[], dropped: number) => void>()
  private readonly stateListeners = new Set<(s: ConnectionState) => void>()
  private state: ConnectionState = 'connecting'

  constructor(url: string) {
    this.socket = new WebSocket(url)
    this.opened = new Promise((resolve) => {
      this.socket.addEventListener('open', () => {
        this.setState('open')
        resolve(true)
      })
      this.socket.addEventListener('close', () => {
        this.setState('closed')
        resolve(false)
        for (const settle of this.pending.values()) settle({ ok: false, error: errorData('ERR_DISCONNECTED', 'the lab engine closed the connection') })
        this.pending.clear()
      })
    })
    this.socket.addEventListener('message', (ev: MessageEvent<string>) => this.receive(ev.data))
  }

  private setState(state: ConnectionState) {
    this.state = state
    for (const l of this.stateListeners) l(state)
  }

  private receive(data: string) {
    const msg = JSON.parse(data) as WsMessage
    if (msg.type === 'result') {
      const settle = this.pending.get(msg.id)
      this.pending.delete(msg.id)
      settle?.(msg.result)
    } else {
      for (const l of this.eventListeners) l(msg.events, msg.dropped)
    }
  }

  async call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    if (!(await this.opened)) return { ok: false, error: errorData('ERR_DISCONNECTED', 'not connected to the lab engine') }
    const id = this.nextId++
    const request: WsRequest = { id, method, input }
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: Result<unknown>) => void)
      this.socket.send(JSON.stringify(request))
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
    this.socket.close()
  }
}
