/**
 * A probe through a relay: numbered messages sent to the relay's port and what the server behind
 * it sent back, compared with what was sent. UDP: one datagram per number, replies counted in the
 * order they came (lost, copied, reordered show up here). TCP: one write per number ending in ';',
 * the reply stream compared whole (it arrives complete and in order whatever the relay does).
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type { Address, RelayProbeResult } from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'

export interface ProbeOptions {
  relayId: string
  proto: 'tcp' | 'udp'
  to: Address
  count: number
  gapMs: number
  waitMs: number
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

export async function probe(o: ProbeOptions): Promise<RelayProbeResult> {
  const messages = Array.from({ length: o.count }, (_, i) => String(i + 1))
  const started = performance.now()
  const host = o.to.address === '0.0.0.0' ? '127.0.0.1' : o.to.address === '::' ? '::1' : o.to.address
  const base = { relayId: o.relayId, proto: o.proto, messages, sent: messages.length }
  if (o.proto === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4')
    const order: number[] = []
    let bytesBack = 0
    let failure: Error | null = null
    socket.on('message', (msg) => {
      bytesBack += msg.length
      const n = Number.parseInt(msg.toString('latin1'), 10)
      if (Number.isInteger(n)) order.push(n)
    })
    socket.on('error', (err) => (failure = err))
    let bytesSent = 0
    try {
      for (const [i, m] of messages.entries()) {
        const buf = Buffer.from(m)
        await new Promise<void>((resolve, reject) => socket.send(buf, o.to.port, host, (err) => (err ? reject(err) : resolve())))
        bytesSent += buf.length
        if (o.gapMs > 0 && i < messages.length - 1) await sleep(o.gapMs)
      }
      // Lost datagrams never come: the wait always runs out unless every number came back.
      const until = performance.now() + o.waitMs
      while (performance.now() < until && new Set(order).size < messages.length && !failure) await sleep(10)
    } catch (err) {
      failure = err as Error
    } finally {
      socket.close()
    }
    if (failure) throw fromNodeError(failure, { host, port: o.to.port })
    return { ...base, order, ...summarize(messages.length, order), identical: null, bytesSent, bytesBack, elapsedMs: Math.round(performance.now() - started) }
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
  return {
    ...base,
    order,
    ...summarize(messages.length, order),
    identical: text.toUpperCase() === sentText.toUpperCase(),
    bytesSent: sentText.length,
    bytesBack,
    elapsedMs: Math.round(performance.now() - started),
  }
}
