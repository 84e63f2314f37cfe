import net from 'node:net'
import type { LabEvent, ServerEvent } from '../../shared/contract'
import { afterEach, beforeEach } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from './lab'

/** Collects one lab's `net.server` events and waits for conditions on them (polling, never a fixed sleep). */
export class ServerProbe {
  readonly events: ServerEvent[] = []
  constructor(lab: Lab) {
    lab.onEvent((e: LabEvent) => {
      if (e.topic === 'net.server') this.events.push(e.payload as ServerEvent)
    })
  }

  of<K extends ServerEvent['event']>(kind: K, serverId?: string): Extract<ServerEvent, { event: K }>[] {
    return this.events.filter((e) => e.event === kind && (!serverId || e.serverId === serverId)) as Extract<ServerEvent, { event: K }>[]
  }

  async until<T>(check: () => T | undefined | false, what = 'condition', ms = 10_000): Promise<T> {
    const end = Date.now() + ms
    for (;;) {
      const v = check()
      if (v) return v
      if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms; last events: ${JSON.stringify(this.events.slice(-8)).slice(0, 2000)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}

export async function waitUntil(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A raw TCP client that records everything it receives, for tests. */
export class RawClient {
  readonly socket: net.Socket
  received = Buffer.alloc(0)
  ended = false
  closed = false
  readonly ready: Promise<void>

  constructor(port: number, host = '127.0.0.1') {
    this.socket = net.connect({ host, port })
    this.socket.setNoDelay(true)
    this.socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])))
    this.socket.on('end', () => (this.ended = true))
    this.socket.on('close', () => (this.closed = true))
    this.socket.on('error', () => {})
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve())
      this.socket.once('error', reject)
    })
  }

  get text(): string {
    return this.received.toString('utf8')
  }

  send(data: string | Buffer): void {
    this.socket.write(data)
  }

  async receive(bytes: number, ms = 10_000): Promise<Buffer> {
    await waitUntil(() => this.received.length >= bytes || this.closed, `${bytes} bytes received`, ms)
    return this.received
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.end()
      setTimeout(() => this.socket.destroy(), 1_000).unref()
    })
  }

  destroy(): void {
    this.socket.destroy()
  }
}

export interface ServerLab {
  lab: Lab
  probe: ServerProbe
  /** A raw client connected to `port` (on 127.0.0.1 unless `host` says otherwise), destroyed after the test. */
  connect(port: number, host?: string): Promise<RawClient>
}

/** For a describe block: a fresh engine and probe per test; clients and engine closed after each. */
export function useServerLab(): ServerLab {
  const clients: RawClient[] = []
  const t = {
    async connect(port: number, host?: string) {
      const c = host === undefined ? new RawClient(port) : new RawClient(port, host)
      clients.push(c)
      await c.ready
      return c
    },
  } as ServerLab
  beforeEach(() => {
    t.lab = createTestLab()
    t.probe = new ServerProbe(t.lab)
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await t.lab.close()
  })
  return t
}
