/**
 * A relay between a client and a server (issue 14): listens on TCP, UDP or both (one port number),
 * forwards every connection or datagram to its target through a TcpLink / UdpLink per direction,
 * and reports what it did. Its sockets are counted in the lab's descriptor budget; TCP bytes it
 * holds in the lab's buffered-bytes budget.
 */
import dgram from 'node:dgram'
import dns from 'node:dns/promises'
import net from 'node:net'
import { isLoopbackAddress, normalizeHost } from '../../../shared/net-address'
import { RELAY_LIMITS, type Address, type RelayConditions, type RelayDirection, type RelayEvent, type RelayInfo, type RelayProto } from '../../../shared/contract'
import { fromNodeError, LabError, limitError, toErrorData } from '../errors'
import { takeDescriptors } from './descriptors'
import { directionRandom, fullConditions } from './relay-conditions'
import { RelayLog } from './relay-log'
import { TcpLink } from './relay-tcp'
import { UdpLink } from './relay-udp'

export interface RelayOptions {
  proto: RelayProto
  listenHost: string
  listenPort: number
  targetHost: string
  targetPort: number
  seed: number
  up: RelayConditions
  down: RelayConditions
}


/**
 * The target as an address to connect to. Anything but this machine needs `remoteTarget: true`,
 * a consent of its own (ERR_REMOTE_TARGET, with the option to set), like the one servers ask before they
 * listen on every interface: the relay would carry traffic off this machine.
 */
export async function targetAddress(host: string, remoteTarget: boolean | undefined): Promise<string> {
  let address = normalizeHost(host).address
  if (normalizeHost(host).kind === 'name') {
    try {
      address = normalizeHost((await dns.lookup(host)).address).address
    } catch (err) {
      throw fromNodeError(err, { host })
    }
  }
  if (!isLoopbackAddress(address) && remoteTarget !== true) {
    throw new LabError(
      'ERR_REMOTE_TARGET',
      `${JSON.stringify(host)} (${address}) is not this machine: the relay would send the learner's traffic over the network; pass remoteTarget: true to allow it`,
      { host, address, path: 'remoteTarget' },
    )
  }
  return address
}

interface TcpConn {
  conn: number
  client: net.Socket
  server: net.Socket
  up: TcpLink
  down: TcpLink
  release: () => void
}

function isConnected(socket: dgram.Socket): boolean {
  try {
    socket.remoteAddress()
    return true
  } catch {
    return false
  }
}

interface UdpPeer {
  conn: number
  remote: Address
  socket: dgram.Socket
  lastSeen: number
  release: () => void
  /** Puts one datagram on this peer's socket to the target. */
  sendUp: (buf: Buffer) => void
}

const peerKey = (address: string, port: number) => `${address}|${port}`
const addressOf = (a: { address?: string; port?: number }): Address => ({ address: a.address ?? '', port: a.port ?? 0 })

/**
 * The relay's UDP sockets only ever send to addresses (a client's, from the datagram it sent; the
 * target, resolved at start): a lookup that answers at once, where Node's default goes through
 * dns.lookup and a nextTick for every datagram sent.
 */
const literalLookup = (address: string, family: unknown, cb: (err: null, address: string, family: number) => void) => cb(null, address, net.isIPv6(address) ? 6 : 4)
const udpSocket = (host: string) => dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', lookup: literalLookup as unknown as dgram.SocketOptions['lookup'] })

export class Relay {
  readonly log: RelayLog
  private tcpServer: net.Server | null = null
  private udpSocket: dgram.Socket | null = null
  private readonly conns = new Map<number, TcpConn>()
  private readonly peers = new Map<string, UdpPeer>()
  private nextConn = 1
  private connectionsTotal = 0
  private listen: Address = { address: '', port: 0 }
  private state: RelayInfo['state'] = 'listening'
  private udpUp: UdpLink
  private udpDown: UdpLink
  private idleTimer: NodeJS.Timeout | null = null
  private releaseListener: () => void = () => {}

  constructor(
    readonly id: string,
    private options: RelayOptions,
    publish: (e: RelayEvent) => void,
  ) {
    this.log = new RelayLog(id, publish)
    this.udpUp = new UdpLink('up', options.up, directionRandom(options.seed, 'up'), this.log)
    this.udpDown = new UdpLink('down', options.down, directionRandom(options.seed, 'down'), this.log)
  }

  async start(): Promise<RelayInfo> {
    const { proto, listenHost, listenPort } = this.options
    this.releaseListener = takeDescriptors(1, 'the relay')
    try {
      // 'both' takes the TCP port first (port 0: any free one), then UDP on the same number; a UDP port taken by someone else retries.
      for (let attempt = 0; ; attempt++) {
        try {
          let port = listenPort
          if (proto !== 'udp') port = await this.listenTcp(listenHost, port)
          if (proto !== 'tcp') port = await this.listenUdp(listenHost, port)
          this.listen = { address: listenHost, port }
          break
        } catch (err) {
          await this.closeListeners()
          if (proto !== 'both' || listenPort !== 0 || attempt >= 4 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
        }
      }
    } catch (err) {
      this.releaseListener()
      throw fromNodeError(err, { host: listenHost, port: listenPort })
    }
    if (proto !== 'tcp') {
      this.idleTimer = setInterval(() => this.closeIdlePeers(), Math.min(RELAY_LIMITS.udpPeerIdleMs, 5_000))
      this.idleTimer.unref()
    }
    this.log.emit({ event: 'listening', proto, listen: this.listen, target: { address: this.options.targetHost, port: this.options.targetPort } })
    return this.info()
  }

  private listenTcp(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.accept(client))
      server.once('error', reject)
      server.listen({ host, port }, () => {
        server.off('error', reject)
        server.on('error', (err) => this.log.emit({ event: 'error', error: toErrorData(err) }))
        this.tcpServer = server
        resolve((server.address() as net.AddressInfo).port)
      })
    })
  }

  private listenUdp(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = udpSocket(host)
      socket.once('error', reject)
      socket.bind({ address: host, port }, () => {
        socket.off('error', reject)
        socket.on('error', (err) => this.log.emit({ event: 'error', error: toErrorData(err) }))
        socket.on('message', (msg, rinfo) => this.fromUdpClient(msg, rinfo))
        this.udpSocket = socket
        resolve(socket.address().port)
      })
    })
  }

  private accept(client: net.Socket): void {
    const remote = addressOf({ address: client.remoteAddress, port: client.remotePort })
    let release: () => void
    try {
      if (this.conns.size >= RELAY_LIMITS.connections) {
        throw limitError('RELAY_LIMITS.connections', this.conns.size, 'this connection is refused')
      }
      release = takeDescriptors(1, 'a connection through the relay')
    } catch (err) {
      client.destroy()
      this.log.emit({ event: 'refused', remote, reason: (err as Error).message })
      return
    }
    const conn = this.nextConn++
    this.connectionsTotal++
    // No Nagle on the relay's own sockets: what the relay writes leaves as written, so splits and merges are the conditions', not the relay's.
    client.setNoDelay(true)
    const server = net.connect({ host: this.options.targetHost, port: this.options.targetPort, allowHalfOpen: true })
    server.setNoDelay(true)
    const fail = (err: Error) => this.closeConn(conn, 'limit', err)
    const c: TcpConn = {
      conn,
      client,
      server,
      release,
      up: new TcpLink(conn, 'up', this.options.up, directionRandom(this.options.seed + conn, 'up'), this.log, client, server, fail),
      down: new TcpLink(conn, 'down', this.options.down, directionRandom(this.options.seed + conn, 'down'), this.log, server, client, fail),
    }
    this.conns.set(conn, c)
    this.log.emit({ event: 'connection', conn, proto: 'tcp', remote })
    server.once('connect', () => client.resume())
    client.on('data', (chunk) => c.up.push(chunk))
    server.on('data', (chunk) => c.down.push(chunk))
    client.on('end', () => c.up.end())
    server.on('end', () => c.down.end())
    client.on('error', (err) => this.closeConn(conn, 'error', err))
    server.on('error', (err) => this.closeConn(conn, 'error', err))
    // Closed when both sides are gone (each FIN is passed on by its link first).
    client.on('close', () => (server.destroyed ? this.closeConn(conn, 'client') : undefined))
    server.on('close', () => (client.destroyed ? this.closeConn(conn, 'server') : undefined))
  }

  private closeConn(conn: number, reason: 'client' | 'server' | 'error' | 'limit' | 'stopped', err?: Error): void {
    const c = this.conns.get(conn)
    if (!c) return
    this.conns.delete(conn)
    c.up.close()
    c.down.close()
    c.client.destroy()
    c.server.destroy()
    c.release()
    if (err) this.log.emit({ event: 'error', conn, error: toErrorData(fromNodeError(err, { host: this.options.targetHost, port: this.options.targetPort })) })
    this.log.emit({ event: 'close', conn, reason })
  }

  /** The number this relay gave the UDP client at `remote`, once it heard from it. */
  udpConn(remote: Address): number | undefined {
    return this.peers.get(peerKey(remote.address, remote.port))?.conn
  }

  private fromUdpClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = peerKey(rinfo.address, rinfo.port)
    let peer = this.peers.get(key)
    if (!peer) {
      const made = this.newPeer({ address: rinfo.address, port: rinfo.port })
      if (!made) return
      peer = made
      this.peers.set(key, peer)
    }
    peer.lastSeen = Date.now()
    this.udpUp.push(peer.conn, msg, peer.sendUp)
  }

  private newPeer(remote: Address): UdpPeer | null {
    let release: () => void
    try {
      if (this.peers.size >= RELAY_LIMITS.udpPeers) throw limitError('RELAY_LIMITS.udpPeers', this.peers.size, 'this client is not relayed')
      release = takeDescriptors(1, 'a UDP client of the relay')
    } catch (err) {
      this.log.emit({ event: 'refused', remote, reason: (err as Error).message })
      return null
    }
    const conn = this.nextConn++
    this.connectionsTotal++
    // The server sees the relay's socket for this client, as behind a NAT; its replies go back to the client's address.
    const { targetHost, targetPort } = this.options
    // Connected to the target, as a NAT's mapping is: only the server's datagrams come back through it, and
    // each send skips the address (the kernel keeps the route). With a lookup that answers at once Node binds
    // and connects within this call (Node 20 and 24); if one ever did not, a socket that is never connected
    // sends with the address instead (a send without one before the connect is done would throw).
    let socket = udpSocket(targetHost)
    socket.connect(targetPort, targetHost)
    const connected = isConnected(socket)
    if (!connected) {
      socket.close()
      socket = udpSocket(targetHost)
    }
    socket.on('error', (err) => {
      // A connected UDP socket hears the ICMP port unreachable its datagram drew: nothing listens there. That is the network's answer, not the relay's error.
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return this.portUnreachable(conn)
      this.log.emit({ event: 'error', conn, error: toErrorData(fromNodeError(err, { host: targetHost, port: targetPort })) })
    })
    // Made once per peer, not per datagram.
    const sendDown = (buf: Buffer) => this.udpSocket?.send(buf, remote.port, remote.address)
    socket.on('message', (msg) => {
      peer.lastSeen = Date.now()
      this.udpDown.push(conn, msg, sendDown)
    })
    const peer: UdpPeer = { conn, remote, socket, lastSeen: Date.now(), release, sendUp: connected ? (buf) => socket.send(buf) : (buf) => socket.send(buf, targetPort, targetHost) }
    this.log.emit({ event: 'connection', conn, proto: 'udp', remote })
    return peer
  }

  /** The server's OS refused a datagram sent for `conn`: counted and said; the peer and the relay go on. */
  private portUnreachable(conn: number): void {
    const refused = ++this.log.stats.up.refused
    this.log.emit({ event: 'portUnreachable', conn, target: { address: this.options.targetHost, port: this.options.targetPort }, refused })
  }

  private closeIdlePeers(): void {
    const now = Date.now()
    for (const [key, p] of this.peers) {
      if (now - p.lastSeen < RELAY_LIMITS.udpPeerIdleMs) continue
      this.peers.delete(key)
      p.socket.close()
      p.release()
      this.flushPeer(p.conn)
      this.log.emit({ event: 'close', conn: p.conn, reason: 'idle' })
    }
  }

  /** What was summed for a UDP client is reported before its close. */
  private flushPeer(conn: number): void {
    this.udpUp.flushSummary(conn)
    this.udpDown.flushSummary(conn)
  }

  update(seed: number | undefined, up: Partial<RelayConditions> | undefined, down: Partial<RelayConditions> | undefined): RelayInfo {
    if (this.state !== 'listening') throw new LabError('ERR_BAD_STATE', `relay ${this.id} is stopped`)
    this.options = { ...this.options, seed: seed ?? this.options.seed, up: fullConditions(up, this.options.up), down: fullConditions(down, this.options.down) }
    this.udpUp.conditions = this.options.up
    this.udpDown.conditions = this.options.down
    if (seed !== undefined) {
      this.udpUp.rand = directionRandom(seed, 'up')
      this.udpDown.rand = directionRandom(seed, 'down')
    }
    for (const c of this.conns.values()) {
      c.up.setConditions(this.options.up)
      c.down.setConditions(this.options.down)
    }
    return this.info()
  }

  /** TCP bytes held now in one direction (all connections), for tests of the bound. */
  heldBytes(dir: RelayDirection): number {
    let n = 0
    for (const c of this.conns.values()) n += c[dir].heldBytes
    return n
  }

  /** Bytes of one direction inside the relay's process now (all connections), and the most they may be. */
  bufferedBytes(dir: RelayDirection): { now: number; bound: number } {
    let now = 0
    let bound = 0
    for (const c of this.conns.values()) {
      now += c[dir].bufferedBytes
      bound += c[dir].bufferedBound
    }
    return { now, bound }
  }

  info(): RelayInfo {
    return {
      id: this.id,
      proto: this.options.proto,
      listen: this.listen,
      target: { address: this.options.targetHost, port: this.options.targetPort },
      seed: this.options.seed,
      up: this.options.up,
      down: this.options.down,
      startedAt: this.log.startedAt,
      state: this.state,
      connections: this.conns.size,
      connectionsTotal: this.connectionsTotal,
      udpPeers: this.peers.size,
      stats: { up: { ...this.log.stats.up }, down: { ...this.log.stats.down } },
      eventsKept: this.log.eventsKept,
      eventsDropped: this.log.eventsDropped,
    }
  }

  private async closeListeners(): Promise<void> {
    const tcp = this.tcpServer
    this.tcpServer = null
    const udp = this.udpSocket
    this.udpSocket = null
    await Promise.all([tcp ? new Promise<void>((r) => tcp.close(() => r())) : null, udp ? new Promise<void>((r) => udp.close(() => r())) : null])
  }

  async stop(): Promise<RelayInfo> {
    if (this.state === 'closed') return this.info()
    this.state = 'closed'
    if (this.idleTimer) clearInterval(this.idleTimer)
    for (const conn of [...this.conns.keys()]) this.closeConn(conn, 'stopped')
    for (const p of this.peers.values()) {
      p.socket.close()
      p.release()
      this.flushPeer(p.conn)
      this.log.emit({ event: 'close', conn: p.conn, reason: 'stopped' })
    }
    this.peers.clear()
    this.udpUp.close()
    this.udpDown.close()
    await this.closeListeners()
    this.releaseListener()
    this.log.emit({ event: 'stopped' })
    return this.info()
  }
}
