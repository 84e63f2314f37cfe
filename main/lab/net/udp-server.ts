import dgram from 'node:dgram'
import net from 'node:net'
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_UDP_SERVER_MODE,
  DEFAULT_UDP_SPARES,
  EVENT_HEX_BYTES,
  MAX_DATAGRAM_BYTES,
  type Address,
  type RecentPeer,
  type ServeStartup,
  type ServedBy,
  type UdpServerMode,
} from '../../../shared/contract'
import { fromNodeError, LabError, limitError } from '../errors'
// Delayed replies (async) or datagrams in the serial queue at once; past this a flood is refused rather than piling up timers and buffers.
import { UDP_MAX_PENDING_DATAGRAMS } from '../../../shared/budgets'
import { applyHandler, parseHandler } from './handlers'
import { LabServer, type ServedNow, type ServerSettings } from './server-base'
import { hexOf, servedHere, type Emit } from './server-events'
import { UdpThreads } from './udp-threads'
import { RecentPeers } from './udp-peers'

export interface UdpServerOptions {
  host: string
  port: number
  handler: string
  mode?: UdpServerMode
  /** Threading: threads started ahead of datagrams (default 1). */
  spares?: number
  /** Where the worker entries are (threading mode). */
  workersDir?: string
  /** Datagrams over this size are counted and refused, not answered. */
  maxDatagramBytes?: number
  /** Join this multicast group on this interface once bound (udp-cast.ts decided both, and the host). */
  multicast?: { group: string; interface: string }
}

/** A datagram received and waiting to be handled (serial mode's queue). */
interface Waiting {
  msg: Buffer
  from: Address
  arrived: number
}

/**
 * The course's UDP server: no connections, no accept loop; each datagram arrives whole, with its
 * sender's address, and is answered to that address. Lifecycle and info: `LabServer` (server-base.ts).
 */
export class UdpServer extends LabServer<UdpServerMode> {
  private readonly socket: dgram.Socket
  private readonly maxDatagramBytes: number
  private readonly pending = new Set<NodeJS.Timeout>()
  private bound = false
  /** Serial mode: datagrams received while another is being handled, oldest first. */
  private readonly queue: Waiting[] = []
  private serving = false
  private threads: UdpThreads | null = null
  /** Who sent to this server lately: the addresses the panel's send may choose (udp-server-send.ts). */
  private readonly peers = new RecentPeers()

  constructor(
    id: string,
    private readonly options: UdpServerOptions,
    emit: Emit,
  ) {
    const plan = parseHandler(options.handler)
    super(id, 'udp', options.mode ?? DEFAULT_UDP_SERVER_MODE, plan, options, emit)
    this.maxDatagramBytes = options.maxDatagramBytes ?? MAX_DATAGRAM_BYTES
    if (this.mode === 'threading' && !options.workersDir) throw new LabError('ERR_INTERNAL', 'a threading UDP server needs the workers folder')
    // A group's members may share its port (SO_REUSEADDR): each of them receives every datagram sent to the group.
    this.socket = dgram.createSocket({ type: net.isIPv6(options.host.replace(/^\[(.*)\]$/, '$1')) ? 'udp6' : 'udp4', reuseAddr: options.multicast !== undefined })
  }

  protected async bind(): Promise<number> {
    const { host, port } = this.options
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        this.socket.close()
        reject(fromNodeError(err, { host, port }))
      }
      this.socket.once('error', onError)
      this.socket.bind({ address: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true }, () => {
        this.socket.off('error', onError)
        this.bound = true
        resolve()
      })
    })
    if (this.options.multicast) this.join(this.options.multicast)
    return this.socket.address().port
  }

  protected serve(): void {
    const { host } = this.options
    if (this.mode === 'threading') this.threads = new UdpThreads(this.options.workersDir!, this.options.handler, this.options.spares ?? DEFAULT_UDP_SPARES)
    this.socket.on('message', (msg, rinfo) => this.receive(msg, { address: rinfo.address, port: rinfo.port }))
    // A failed sendto (the peer vanished, ICMP unreachable) is reported; the server keeps serving.
    this.socket.on('error', (err) => this.send({ event: 'error', error: fromNodeError(err, { host, port: this.boundPort }).toData() }))
  }

  /** addMembership (IP_ADD_MEMBERSHIP); a kernel that cannot (no multicast on that interface) is reported, coded, and the socket closed. */
  private join(m: { group: string; interface: string }): void {
    try {
      this.socket.addMembership(m.group, m.interface)
    } catch (err) {
      this.socket.close()
      this.state = 'closed'
      const e = err as NodeJS.ErrnoException
      throw new LabError('ERR_UNSUPPORTED', `could not join group ${m.group} on interface ${m.interface} (${e.code ?? e.message}): this system does not do multicast on that interface`, { host: m.interface, group: m.group }, 'multicastInterface')
    }
  }

  private receive(msg: Buffer, from: Address): void {
    if (this.state !== 'listening') return
    this.stats.datagrams++
    this.stats.bytesIn += msg.length
    if (msg.length > this.maxDatagramBytes) {
      this.stats.oversize++
      const error = new LabError('ERR_DATAGRAM_TOO_LARGE', `refused a ${msg.length}-byte datagram from ${from.address}:${from.port}: over the cap of ${this.maxDatagramBytes} bytes`, {
        bytes: msg.length,
        max: this.maxDatagramBytes,
        from: `${from.address}:${from.port}`,
      })
      this.send({ event: 'error', error: error.toData() })
      return
    }
    // After the size check, so the list is the page's too: it learns peers from 'datagram' events.
    this.peers.heard(from, Date.now())
    if (this.mode === 'threading') return this.toThread(msg, from)
    if (this.mode === 'serial') return this.enqueue(msg, from)
    this.announce(msg, from, servedHere('loop'), 0)
    const reply = applyHandler(this.plan.name, msg)
    if (this.plan.delayMs === 0) return this.reply(reply, from)
    if (this.pending.size >= UDP_MAX_PENDING_DATAGRAMS) return this.refuse('delayed replies', this.pending.size)
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      this.reply(reply, from)
    }, this.plan.delayMs)
    this.pending.add(timer)
  }

  /** The datagram's handler begins: who handles it, after how long since it arrived. */
  private announce(msg: Buffer, from: Address, servedBy: ServedBy, waitedMs: number, startup?: ServeStartup): void {
    this.emit({
      event: 'datagram',
      from,
      bytes: msg.length,
      hex: hexOf(msg),
      truncated: msg.length > EVENT_HEX_BYTES,
      servedBy,
      waitedMs: round(waitedMs),
      ...(startup ? { startup: { spare: startup.spare, waitedMs: round(startup.waitedMs), threadStartMs: startup.threadStartMs === null ? null : round(startup.threadStartMs) } } : {}),
      serverId: this.id,
      at: Date.now(),
    })
  }

  private refuse(waiting: string, used: number): void {
    this.stats.dropped++
    this.send({ event: 'error', error: limitError('UDP_MAX_PENDING_DATAGRAMS', used, `${used} ${waiting} already wait; this datagram is not answered`).toData() })
  }

  // ── serial: socketserver.UDPServer handles one datagram at a time ──
  // Node reads every datagram off the socket as it comes, so the ones waiting their turn wait in this
  // queue (the lab's), not in the kernel's receive buffer where Python's would.

  private enqueue(msg: Buffer, from: Address): void {
    if (this.queue.length >= UDP_MAX_PENDING_DATAGRAMS) return this.refuse('datagrams in the serial queue', this.queue.length)
    this.queue.push({ msg, from, arrived: performance.now() })
    if (!this.serving) this.serveNext()
  }

  private serveNext(): void {
    const next = this.queue.shift()
    if (!next || this.state !== 'listening') {
      this.serving = false
      return
    }
    this.serving = true
    this.announce(next.msg, next.from, servedHere('queue'), performance.now() - next.arrived)
    const reply = applyHandler(this.plan.name, next.msg)
    const answer = () => {
      this.reply(reply, next.from)
      this.serveNext()
    }
    if (this.plan.delayMs === 0) return answer()
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      answer()
    }, this.plan.delayMs)
    this.pending.add(timer)
  }

  // ── threading: ThreadingUDPServer, each datagram's handler on a thread of its own ──

  private toThread(msg: Buffer, from: Address): void {
    this.threads!.submit({
      data: msg,
      arrived: performance.now(),
      begin: (servedBy, startup, waitedMs) => this.announce(msg, from, servedBy, waitedMs, startup),
      done: (reply) => this.reply(reply, from),
      fail: (err) => {
        this.stats.dropped++
        this.send({ event: 'error', error: err.toData() })
      },
    })
  }

  private reply(reply: Buffer, to: Address): void {
    if (this.state !== 'listening') return
    // No callback: a failed sendto surfaces as the socket's 'error' event (reported above), and
    // the per-datagram closure would cost more than the rest of the reply.
    this.socket.send(reply, to.port, to.address)
    this.stats.bytesOut += reply.length
    this.emit({ event: 'sendto', to, bytes: reply.length, hex: hexOf(reply), truncated: reply.length > EVENT_HEX_BYTES, serverId: this.id, at: Date.now() })
  }

  recentPeer(key: string): RecentPeer | undefined {
    return this.peers.get(key)
  }

  recentPeers(): RecentPeer[] {
    return this.peers.list()
  }

  /**
   * A datagram from the server panel (issue 14), from this server's own socket, as a reply would
   * leave; marked `by: 'panel'` in the log and the conversation. Waits for the OS to take it, so a
   * refused send (EMSGSIZE, unreachable) is this call's coded error, not only a log line.
   */
  async sendFromPanel(to: RecentPeer, bytes: Buffer): Promise<number> {
    await new Promise<void>((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (err) => (err ? reject(fromNodeError(err, { host: to.address, port: to.port })) : resolve())),
    )
    this.stats.bytesOut += bytes.length
    this.emit({ event: 'sendto', to: { address: to.address, port: to.port }, bytes: bytes.length, hex: hexOf(bytes), truncated: bytes.length > EVENT_HEX_BYTES, by: 'panel', serverId: this.id, at: Date.now() })
    return bytes.length
  }

  protected settings(): ServerSettings {
    return {
      ...(this.mode === 'threading' ? { spares: this.options.spares ?? DEFAULT_UDP_SPARES, threads: this.threads?.count ?? 0 } : {}),
      ...(this.options.multicast ? { multicast: { ...this.options.multicast } } : {}),
      peers: this.peers.list(),
      frame: 'none',
      recvSize: null,
      readDelayMs: 0,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      idleTimeoutMs: 0,
      maxConnections: 0,
    }
  }

  protected served(): ServedNow {
    return { connections: [], queue: [], stats: { ...this.stats } }
  }

  /** Drops pending delayed replies and the serial queue, ends the threads and closes the socket. */
  protected async shutdown(): Promise<void> {
    for (const t of this.pending) clearTimeout(t)
    this.pending.clear()
    this.queue.length = 0
    await this.threads?.close()
    // A failed bind closed the socket already.
    if (this.bound) await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
