/**
 * Bytes and messages in and out per server, per connection (TCP) or peer (UDP), and per client
 * (issue 14, "counters"), added up in the engine from the same events the log keeps: they survive a
 * page reload and count what a busy page was never sent. Rates are bytes over the last whole second.
 */
import {
  NET_LOG_LIMITS,
  type ClientCounters,
  type ClientEvent,
  type ConnCounters,
  type NetCounters,
  type ServerCounters,
  type ServerEvent,
  type TrafficCounters,
} from '../../../shared/contract'
import { LabError } from '../errors'

/** One counter with its per-second buckets (the current second, and the one before it). */
class Tally {
  bytesIn = 0
  bytesOut = 0
  messagesIn = 0
  messagesOut = 0
  framedIn = 0
  lastAt: number | null = null
  private second = 0
  private curIn = 0
  private curOut = 0
  private prevIn = 0
  private prevOut = 0

  constructor(public since: number) {}

  private tick(at: number): void {
    const s = Math.floor(at / 1000)
    if (s === this.second) return
    // The second before the new one is whole: its bytes are the rate; an older one means silence.
    const adjacent = s === this.second + 1
    this.prevIn = adjacent ? this.curIn : 0
    this.prevOut = adjacent ? this.curOut : 0
    this.curIn = 0
    this.curOut = 0
    this.second = s
  }

  add(dir: 'in' | 'out', bytes: number, at: number, message = true): void {
    this.tick(at)
    if (dir === 'in') {
      this.bytesIn += bytes
      this.curIn += bytes
      if (message) this.messagesIn++
    } else {
      this.bytesOut += bytes
      this.curOut += bytes
      if (message) this.messagesOut++
    }
    if (this.lastAt === null || at > this.lastAt) this.lastAt = at
  }

  framed(at: number): void {
    this.framedIn++
    if (this.lastAt === null || at > this.lastAt) this.lastAt = at
  }

  reset(at: number): void {
    Object.assign(this, { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, framedIn: 0, lastAt: null, since: at })
    this.curIn = this.curOut = this.prevIn = this.prevOut = 0
  }

  read(now: number): TrafficCounters {
    const s = Math.floor(now / 1000)
    const rate = (cur: number, prev: number) => (s === this.second ? prev : s === this.second + 1 ? cur : 0)
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      framedIn: this.framedIn,
      rateInBps: rate(this.curIn, this.prevIn),
      rateOutBps: rate(this.curOut, this.prevOut),
      lastAt: this.lastAt,
      since: this.since,
    }
  }
}

interface ConnTally {
  tally: Tally
  conn: number | null
  peer: string | null
  closedAt: number | null
}

interface ServerTally {
  tally: Tally
  conns: Map<string, ConnTally>
}

const peerOf = (a: { address: string; port: number }) => `${a.address}:${a.port}`

export class TrafficCounterBook {
  private readonly servers = new Map<string, ServerTally>()
  private readonly clients = new Map<string, { tally: Tally; proto: 'tcp' | 'udp' }>()

  private server(id: string, at: number): ServerTally {
    let s = this.servers.get(id)
    if (!s) this.servers.set(id, (s = { tally: new Tally(at), conns: new Map() }))
    return s
  }

  private conn(s: ServerTally, key: string, conn: number | null, peer: string | null, at: number): ConnTally {
    let c = s.conns.get(key)
    if (!c) {
      if (s.conns.size >= NET_LOG_LIMITS.countedConnections) this.forgetOne(s)
      s.conns.set(key, (c = { tally: new Tally(at), conn, peer, closedAt: null }))
    }
    return c
  }

  /** Makes room: the oldest closed connection (or UDP peer) goes, else the oldest of all. */
  private forgetOne(s: ServerTally): void {
    for (const [key, c] of s.conns) {
      if (c.closedAt !== null || c.peer !== null) {
        s.conns.delete(key)
        return
      }
    }
    const oldest = s.conns.keys().next()
    if (!oldest.done) s.conns.delete(oldest.value)
  }

  serverEvent(e: ServerEvent): void {
    const at = e.at
    switch (e.event) {
      case 'listening':
        this.server(e.serverId, at)
        return
      case 'closed':
        this.servers.delete(e.serverId)
        return
      case 'connection':
      case 'queued':
        this.conn(this.server(e.serverId, at), `#${e.conn}`, e.conn, null, at)
        return
      case 'recv':
      case 'send': {
        const s = this.server(e.serverId, at)
        const dir = e.event === 'recv' ? 'in' : 'out'
        s.tally.add(dir, e.bytes, at)
        this.conn(s, `#${e.conn}`, e.conn, null, at).tally.add(dir, e.bytes, at)
        return
      }
      case 'message': {
        const s = this.server(e.serverId, at)
        s.tally.framed(at)
        this.conn(s, `#${e.conn}`, e.conn, null, at).tally.framed(at)
        return
      }
      case 'close': {
        const c = this.servers.get(e.serverId)?.conns.get(`#${e.conn}`)
        if (c) c.closedAt = at
        return
      }
      case 'datagram':
      case 'sendto': {
        const s = this.server(e.serverId, at)
        const dir = e.event === 'datagram' ? 'in' : 'out'
        const peer = peerOf(e.event === 'datagram' ? e.from : e.to)
        s.tally.add(dir, e.bytes, at)
        this.conn(s, peer, null, peer, at).tally.add(dir, e.bytes, at)
        return
      }
    }
  }

  clientEvent(e: ClientEvent): void {
    let c = this.clients.get(e.clientId)
    if (!c) {
      if (this.clients.size >= NET_LOG_LIMITS.countedClients) this.clients.delete(this.clients.keys().next().value!)
      this.clients.set(e.clientId, (c = { tally: new Tally(e.at), proto: e.proto }))
    }
    if (e.event === 'sent') c.tally.add('out', e.bytes, e.at)
    else if (e.event === 'received') c.tally.add('in', e.bytes, e.at)
    else if (e.event === 'message') c.tally.framed(e.at)
  }

  read(now = Date.now()): NetCounters {
    const servers: ServerCounters[] = []
    for (const [serverId, s] of this.servers) {
      const conns: ConnCounters[] = []
      for (const c of s.conns.values()) conns.push({ ...c.tally.read(now), conn: c.conn, peer: c.peer, closedAt: c.closedAt })
      servers.push({ serverId, ...s.tally.read(now), conns })
    }
    const clients: ClientCounters[] = []
    for (const [clientId, c] of this.clients) clients.push({ clientId, proto: c.proto, ...c.tally.read(now) })
    return { at: now, servers, clients }
  }

  /** Zeroes the counters named (see `net.counters.reset`); returns how many. */
  reset(which: { serverId?: string; conn?: number; peer?: string; clientId?: string }, now = Date.now()): number {
    let n = 0
    if (which.clientId !== undefined) {
      const c = this.clients.get(which.clientId)
      if (!c) throw new LabError('ERR_NOT_FOUND', `no counters for client ${JSON.stringify(which.clientId)}`, { id: which.clientId })
      c.tally.reset(now)
      n++
    }
    if (which.serverId !== undefined) {
      const s = this.servers.get(which.serverId)
      if (!s) throw new LabError('ERR_NOT_FOUND', `no counters for server ${JSON.stringify(which.serverId)}`, { id: which.serverId })
      const key = which.conn !== undefined ? `#${which.conn}` : which.peer
      if (key !== undefined) {
        const c = s.conns.get(key)
        if (!c) throw new LabError('ERR_NOT_FOUND', `server ${which.serverId} has no counters for ${key}`, { id: which.serverId })
        c.tally.reset(now)
        return n + 1
      }
      s.tally.reset(now)
      for (const c of s.conns.values()) c.tally.reset(now)
      return n + 1 + s.conns.size
    }
    if (which.clientId !== undefined) return n
    if (which.conn !== undefined || which.peer !== undefined) throw new LabError('ERR_INVALID_INPUT', 'a connection or peer is named with its serverId', { path: 'serverId' })
    for (const s of this.servers.values()) {
      s.tally.reset(now)
      for (const c of s.conns.values()) c.tally.reset(now)
      n += 1 + s.conns.size
    }
    for (const c of this.clients.values()) {
      c.tally.reset(now)
      n++
    }
    return n
  }
}
