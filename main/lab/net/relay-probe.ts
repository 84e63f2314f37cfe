/**
 * A probe through a relay: numbered messages sent to the relay's port and what the server behind
 * it sent back, compared with what was sent. UDP: one datagram per number, replies counted in the
 * order they came (lost, copied, reordered show up here). It stops once every number came back or
 * the relay reported dropping it (and no copy the relay still holds or sent is on its way), or when
 * `waitMs` after the last send ran out: what is neither back nor dropped then is said so. TCP: one
 * write per number ending in ';', the reply stream compared whole (it arrives complete and in order
 * whatever the relay does).
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type { Address, RelayEvent, RelayProbeResult } from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'

/** What the probe needs of the relay it goes through: its events from now on, and which client number it gave the probe's socket. */
export interface ProbedRelay {
  watch(fn: (e: RelayEvent) => void): () => void
  udpConn(remote: Address): number | undefined
}

export interface ProbeOptions {
  relayId: string
  proto: 'tcp' | 'udp'
  to: Address
  count: number
  gapMs: number
  waitMs: number
  relay: ProbedRelay
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** What the order of the replies says: numbers missing, copies, and replies after a bigger number. */
export function summarize(sentCount: number, order: number[]): Pick<RelayProbeResult, 'missing' | 'outOfOrder' | 'duplicates' | 'received'> {
  const seen = new Set<number>()
  let duplicates = 0
  let outOfOrder = 0
  let highest = 0
  for (const n of order) {
    if (seen.has(n)) duplicates++
    else if (n < highest) outOfOrder++
    seen.add(n)
    highest = Math.max(highest, n)
  }
  const missing: number[] = []
  for (let i = 1; i <= sentCount; i++) if (!seen.has(i)) missing.push(i)
  return { missing, outOfOrder, duplicates, received: seen.size }
}

/** The number a probe datagram (or the server's reply to it) carries. */
const numberIn = (buf: Buffer): number => Number.parseInt(buf.toString('latin1'), 10)

/**
 * What a UDP probe knows of its datagrams, from its replies and from the relay's events for its
 * client: which numbers came back, which the relay dropped (loss, or full) either way, and the
 * copies still on their way (held or delayed in the relay, at the server, sent back but not read).
 * Pure: fed events and replies, asked whether everything is accounted for.
 */
export class UdpProbeLedger {
  readonly order: number[] = []
  private replies = 0
  private readonly back = new Set<number>()
  private readonly dropped = new Set<number>()
  /** Per direction: datagrams the relay read and will send on, not yet sent. */
  private readonly held = { up: new Set<number>(), down: new Set<number>() }
  private upSent = 0
  private downRead = 0
  private downSent = 0

  constructor(private readonly count: number) {}

  reply(buf: Buffer): void {
    this.replies++
    const n = numberIn(buf)
    if (!Number.isInteger(n)) return
    this.order.push(n)
    this.back.add(n)
  }

  /** One of the relay's events for the probe's client. */
  relayEvent(e: RelayEvent): void {
    if (e.event === 'in' && e.proto === 'udp') {
      if (e.dir === 'down') this.downRead++
      if (e.action === 'forward') this.held[e.dir].add(e.seq)
      else {
        const n = numberIn(Buffer.from(e.hex, 'hex'))
        if (Number.isInteger(n)) this.dropped.add(n)
      }
    } else if (e.event === 'out' && e.proto === 'udp') {
      for (const seq of e.seqs) this.held[e.dir].delete(seq)
      if (e.dir === 'up') this.upSent++
      else this.downSent++
    } else if (e.event === 'summary' && e.proto === 'udp') {
      // Passed on at once and summed, not listed (relay-summary.ts): each read was one sendto.
      if (e.dir === 'up') this.upSent += e.messages
      else {
        this.downRead += e.messages
        this.downSent += e.messages
      }
    }
  }

  /** Every number came back or was dropped by the relay, and no copy is on its way (the server answered each sent, each sent back was read). */
  accounted(): boolean {
    for (let n = 1; n <= this.count; n++) if (!this.back.has(n) && !this.dropped.has(n)) return false
    return this.held.up.size === 0 && this.held.down.size === 0 && this.downRead >= this.upSent && this.replies >= this.downSent
  }

  /** The missing numbers the relay reported dropping, and those neither back nor dropped. */
  split(missing: number[]): Pick<RelayProbeResult, 'dropped' | 'stillMissing'> {
    return { dropped: missing.filter((n) => this.dropped.has(n)), stillMissing: missing.filter((n) => !this.dropped.has(n)) }
  }
}

export async function probe(o: ProbeOptions): Promise<RelayProbeResult> {
  const messages = Array.from({ length: o.count }, (_, i) => String(i + 1))
  const started = performance.now()
  const host = o.to.address === '0.0.0.0' ? '127.0.0.1' : o.to.address === '::' ? '::1' : o.to.address
  const base = { relayId: o.relayId, proto: o.proto, messages, sent: messages.length }
  if (o.proto === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4')
    const ledger = new UdpProbeLedger(messages.length)
    let bytesBack = 0
    let failure: Error | null = null
    let check = () => {}
    let stopWatching = () => {}
    socket.on('message', (msg) => {
      bytesBack += msg.length
      ledger.reply(msg)
      check()
    })
    socket.on('error', (err) => {
      failure = err
      check()
    })
    let bytesSent = 0
    try {
      // Bound first: the relay names its client by this address, which the probe looks up to read its events.
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(0, host, () => {
          socket.off('error', reject)
          resolve()
        })
      })
      const local = socket.address()
      let conn: number | undefined
      stopWatching = o.relay.watch((e) => {
        if (!('conn' in e)) return
        conn ??= o.relay.udpConn({ address: local.address, port: local.port })
        if (e.conn !== conn) return
        ledger.relayEvent(e)
        check()
      })
      for (const [i, m] of messages.entries()) {
        const buf = Buffer.from(m)
        await new Promise<void>((resolve, reject) => socket.send(buf, o.to.port, host, (err) => (err ? reject(err) : resolve())))
        bytesSent += buf.length
        if (o.gapMs > 0 && i < messages.length - 1) await sleep(o.gapMs)
      }
      // Until every datagram is back or dropped by the relay; waitMs only bounds a loss the relay did not see (or a server that does not answer).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), o.waitMs)
        check = () => {
          if (!failure && !ledger.accounted()) return
          clearTimeout(timer)
          resolve()
        }
        check()
      })
    } catch (err) {
      failure = err as Error
    } finally {
      stopWatching()
      socket.close()
    }
    if (failure) throw fromNodeError(failure, { host, port: o.to.port })
    const summary = summarize(messages.length, ledger.order)
    return {
      ...base,
      order: ledger.order,
      ...summary,
      ...ledger.split(summary.missing),
      accounted: ledger.accounted(),
      identical: null,
      bytesSent,
      bytesBack,
      waitMs: o.waitMs,
      elapsedMs: Math.round(performance.now() - started),
    }
  }
  const socket = net.connect({ host, port: o.to.port })
  socket.setNoDelay(true)
  const back: Buffer[] = []
  let bytesBack = 0
  let failure: Error | null = null
  let closed = false
  socket.on('data', (d) => {
    back.push(d)
    bytesBack += d.length
  })
  socket.on('error', (err) => (failure = err))
  socket.on('close', () => (closed = true))
  const sentText = messages.map((m) => `${m};`).join('')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    for (const [i, m] of messages.entries()) {
      socket.write(`${m};`)
      if (o.gapMs > 0 && i < messages.length - 1) await sleep(o.gapMs)
    }
    const until = performance.now() + o.waitMs
    while (performance.now() < until && bytesBack < sentText.length && !failure && !closed) await sleep(10)
  } catch (err) {
    failure = err as Error
  } finally {
    socket.destroy()
  }
  if (failure) throw fromNodeError(failure, { host, port: o.to.port })
  const text = Buffer.concat(back).toString('latin1')
  const order = text
    .split(';')
    .filter((s) => s !== '')
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n))
  if (bytesBack === 0 && messages.length > 0) {
    throw new LabError('ERR_NO_REPLY', `nothing came back through the relay within ${o.waitMs} ms: does the server behind it answer?`, { where: `${host}:${o.to.port}`, ms: o.waitMs, waitMs: o.waitMs })
  }
  const summary = summarize(messages.length, order)
  return {
    ...base,
    order,
    ...summary,
    // TCP drops nothing: what is missing did not come back within the wait.
    dropped: [],
    stillMissing: summary.missing,
    accounted: summary.missing.length === 0,
    identical: text.toUpperCase() === sentText.toUpperCase(),
    bytesSent: sentText.length,
    bytesBack,
    waitMs: o.waitMs,
    elapsedMs: Math.round(performance.now() - started),
  }
}
