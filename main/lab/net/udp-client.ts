import dgram from 'node:dgram'
import net from 'node:net'
import {
  EVENT_HEX_BYTES,
  MAX_CLIENT_SEND_SPAN_MS,
  MAX_UDP_PAYLOAD_BYTES,
  MAX_UDP_REPLIES,
  netClientMethods,
  type ClientEvent,
  type TextEncoding,
  type UdpReplyDatagram,
  type UdpSendResult,
  type UdpSentDatagram,
} from '../../../shared/contract'
import { fromNodeError, LabError, limitError } from '../errors'
import { decodeText, eventText, socketHost } from './encoding'
import { macroPayload } from './macro-payload'
import { clientCast } from './udp-cast'

/** What an absent field of `net.udp.send` means (its schema's default). */
const SEND = netClientMethods['net.udp.send'].input.shape

export interface UdpSendOptions {
  host: string
  port: number
  payload: string
  hex?: boolean
  encoding?: TextEncoding
  repeat?: number
  gapMs?: number
  waitReplyMs?: number
  /** Expand macros in each datagram; `counter` is the first one's `{{COUNTER}}`. */
  macros?: boolean
  counter?: number
  /** SO_BROADCAST; broadcast and multicast options (udp-cast.ts). */
  broadcast?: boolean
  multicastInterface?: string
  multicastTtl?: number
  allInterfaces?: boolean
}

type Emit = (event: ClientEvent) => void

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The course's UDP client: one unconnected socket, `sendto()` each datagram, `recvfrom()` the
 * replies. UDP has no connection, so nothing tells us when the server is absent: no reply within
 * `waitReplyMs` is the only sign, and the result says how many were answered.
 */
/** A failed sendto: EACCES to a broadcast address means SO_BROADCAST was not set (the OS's rule, explained). */
function sendError(err: Error, host: string, port: number, kind: 'unicast' | 'broadcast' | 'multicast', broadcast: boolean): LabError {
  if ((err as NodeJS.ErrnoException).code === 'EACCES' && kind === 'broadcast' && !broadcast) {
    return new LabError('ERR_BROADCAST_NOT_ENABLED', `the OS refused the send to the broadcast address ${host}:${port} (EACCES): the socket did not set SO_BROADCAST; pass broadcast: true`, { host, port }, 'broadcast')
  }
  return fromNodeError(err, { host, port })
}

export async function udpSend(opts: UdpSendOptions, clientId: string, emit: Emit): Promise<UdpSendResult> {
  const encoding = opts.encoding ?? SEND.encoding.default
  const repeat = opts.repeat ?? SEND.repeat.default
  const gapMs = opts.gapMs ?? SEND.gapMs.default
  const waitReplyMs = opts.waitReplyMs ?? SEND.waitReplyMs.default
  // Checked before anything is sent (docs/SECURITY.md item 19).
  const plan = macroPayload({ ...opts, encoding, maxBytes: Number.MAX_SAFE_INTEGER }, repeat)
  if (plan.maxBytes > MAX_UDP_PAYLOAD_BYTES) {
    throw new LabError('ERR_DATAGRAM_TOO_LARGE', `the payload is ${plan.maxBytes} bytes; one UDP datagram carries at most ${MAX_UDP_PAYLOAD_BYTES}`, {
      bytes: plan.maxBytes,
      max: MAX_UDP_PAYLOAD_BYTES,
    })
  }
  if (gapMs * (repeat - 1) > MAX_CLIENT_SEND_SPAN_MS) {
    throw limitError('MAX_CLIENT_SEND_SPAN_MS', gapMs * (repeat - 1), `${repeat} sends ${gapMs} ms apart take too long; lower the gap or the repeat`, { use: 'asked', field: 'gapMs' })
  }
  const { port } = opts
  const host = socketHost(opts.host)
  // Broadcast or multicast: checked (and consented to) before a socket exists.
  const cast = clientCast(host, opts)
  const family = net.isIPv6(host) ? 'udp6' : 'udp4'
  const socket = dgram.createSocket({ type: family })
  const started = performance.now()
  const sent: UdpSentDatagram[] = []
  const replies: UdpReplyDatagram[] = []
  let repliesDropped = 0
  let answered = 0
  let wake: (() => void) | null = null
  let failure: LabError | null = null
  // Broadcast and multicast: any number of hosts may answer, so the whole reply time is waited.
  const wakeAtAnswers = cast.kind === 'unicast' ? repeat : Infinity
  const ev = (body: object) => emit({ ...body, clientId, proto: 'udp', at: Date.now() } as ClientEvent)

  socket.on('message', (msg, rinfo) => {
    answered++
    const { text, cut } = eventText(decodeText(msg, encoding))
    const hex = msg.subarray(0, EVENT_HEX_BYTES).toString('hex')
    const from = { address: rinfo.address, port: rinfo.port }
    const truncated = msg.length > EVENT_HEX_BYTES || cut
    ev({ event: 'received', bytes: msg.length, hex, text, truncated, from })
    if (replies.length < MAX_UDP_REPLIES) replies.push({ from, bytes: msg.length, hex, text, truncated, at: Date.now() })
    else repliesDropped++
    if (answered >= wakeAtAnswers) wake?.()
  })
  socket.on('error', (err) => {
    failure = fromNodeError(err, { host, port })
    wake?.()
  })

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      // A sender talking to this machine listens for replies on loopback only (docs/SECURITY.md item 14).
      const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1'
      const address = cast.kind !== 'unicast' ? cast.bindAddress : family === 'udp6' ? (loopback ? '::1' : '::') : loopback ? '127.0.0.1' : '0.0.0.0'
      socket.bind({ port: 0, address }, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    try {
      if (opts.broadcast) socket.setBroadcast(true)
      if (cast.kind === 'multicast') {
        socket.setMulticastInterface(cast.multicastInterface!)
        socket.setMulticastTTL(cast.multicastTtl!)
        // Members on this machine (the lab's own servers) hear the group too.
        socket.setMulticastLoopback(true)
      }
    } catch (err) {
      throw fromNodeError(err, { host: cast.multicastInterface ?? host, port })
    }
    const address = socket.address()
    const local = { address: address.address, port: address.port }
    const first = plan.bytesFor(0)
    const hexAll = first.subarray(0, EVENT_HEX_BYTES).toString('hex')
    for (let i = 0; i < repeat; i++) {
      if (i > 0 && gapMs > 0) await sleep(gapMs)
      if (failure) break
      const payload = i === 0 ? first : plan.bytesFor(i)
      const hex = plan.varies ? payload.subarray(0, EVENT_HEX_BYTES).toString('hex') : hexAll
      await new Promise<void>((resolve, reject) => socket.send(payload, port, host, (err) => (err ? reject(sendError(err, host, port, cast.kind, opts.broadcast === true)) : resolve())))
      sent.push({ seq: i + 1, bytes: payload.length, at: Date.now() })
      ev({ event: 'sent', seq: i + 1, bytes: payload.length, hex, truncated: payload.length > EVENT_HEX_BYTES })
    }
    if (failure) throw failure
    if (waitReplyMs > 0 && answered < wakeAtAnswers) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitReplyMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    if (failure) throw failure
    return {
      cast: { kind: cast.kind, ...(cast.kind === 'multicast' ? { multicastInterface: cast.multicastInterface, multicastTtl: cast.multicastTtl } : {}) },
      local,
      remote: { address: host, port },
      payloadBytes: first.length,
      hex: hexAll,
      nextCounter: plan.nextCounter(sent.length),
      sent,
      replies,
      repliesDropped,
      elapsedMs: performance.now() - started,
    }
  } finally {
    socket.close()
  }
}
