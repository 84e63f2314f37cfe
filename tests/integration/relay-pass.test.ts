/**
 * The relay with no condition set (forwarded at once, listed one by one up to a budget and summed
 * beyond) and with a delay (each message at its own deadline, in deadline order), real sockets.
 * Nothing here asserts how long anything took: only what the relay recorded and what arrived.
 */
import dgram from 'node:dgram'
import { EventEmitter } from 'node:events'
import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RelayEvent } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

type In = Extract<RelayEvent, { event: 'in' }>
type Summary = Extract<RelayEvent, { event: 'summary' }>
type Out = Extract<RelayEvent, { event: 'out' }>

/** Resolves once `cond` holds, checked each time `source` emits `event` (no polling interval: a round trip costs only the loop's own work). */
const whenEmitted = (source: NodeJS.EventEmitter, event: string, cond: () => boolean) =>
  new Promise<void>((resolve) => {
    if (cond()) return resolve()
    const check = () => {
      if (!cond()) return
      source.off(event, check)
      resolve()
    }
    source.on(event, check)
  })
const until = async (cond: () => boolean, what: string, ms = 60_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** Every message of one direction is accounted for once: listed ('in') or inside a summary's range. */
function accountedSeqs(ins: In[], sums: Summary[]): number[] {
  const seqs = ins.map((e) => e.seq)
  for (const s of sums) for (let q = s.firstSeq; q <= s.lastSeq; q++) seqs.push(q)
  return seqs.sort((a, b) => a - b)
}

/**
 * What the relay says about each write is what happened: it left at or after the deadline of the
 * bytes it carries (never early), `lateMs` is its time minus that deadline, and `heldMs` — the
 * "delayed by" the page shows — its time minus the read of its oldest bytes, so at least the
 * delay drawn for them. Bounds on the relay's own clock, not on how late the machine ran it.
 */
function expectHonestOuts(ins: In[], outs: Out[]): void {
  const bySeq = new Map(ins.map((e) => [e.seq, e]))
  for (const o of outs) {
    const first = bySeq.get(o.seqs[0]!)!
    expect(o.t).toBeGreaterThanOrEqual(first.dueT)
    expect(o.lateMs).toBeCloseTo(o.t - first.dueT, 2)
    expect(o.heldMs).toBeCloseTo(o.t - first.t, 2)
    expect(o.heldMs).toBeGreaterThanOrEqual(first.delayMs - 0.002)
  }
}

describe('the relay with no condition, and with a delay', () => {
  let lab: Lab
  let events: RelayEvent[]
  const closers: (() => unknown)[] = []
  beforeEach(() => {
    lab = createTestLab()
    events = []
    lab.onEvent((e) => {
      if (e.topic === 'net.relay') events.push(e.payload)
    })
  })
  afterEach(async () => {
    await lab.close()
    for (const c of closers.splice(0)) await c()
  })
  const of = <K extends RelayEvent['event']>(k: K, dir = 'up') => events.filter((e) => e.event === k && (!('dir' in e) || e.dir === dir)) as Extract<RelayEvent, { event: K }>[]

  it('TCP: forwards every byte in order and accounts for every read once, listed or summed, with the byte offsets of the stream', async () => {
    const got: Buffer[] = []
    const arrived = new EventEmitter()
    const server = net.createServer((s) => {
      s.on('data', (d) => (got.push(d), arrived.emit('data')))
      s.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    closers.push(() => new Promise((r) => server.close(r)))
    const relay = await lab.invoke('net.relay.start', { targetPort: (server.address() as net.AddressInfo).port })
    const client = net.connect({ host: '127.0.0.1', port: relay.listen.port })
    client.setNoDelay(true)
    await new Promise((r) => client.once('connect', r))
    const sent: string[] = []
    const bytes = () => got.reduce((n, b) => n + b.length, 0)
    let total = 0
    // One message at a time (each read by the relay on its own), until the relay has summed some.
    for (let i = 0; i < 20_000 && of('summary').length === 0; i++) {
      const m = `<${i}>`
      sent.push(m)
      total += m.length
      client.write(m)
      await whenEmitted(arrived, 'data', () => bytes() >= total)
    }
    client.end()
    await until(() => events.some((e) => e.event === 'close'), 'the close')
    expect(Buffer.concat(got).toString()).toBe(sent.join(''))
    const ins = of('in')
    const sums = of('summary')
    expect(sums.length).toBeGreaterThan(0)
    const info = (await lab.invoke('net.relay.list', {}))[0]!
    const n = info.stats.up.messages
    expect(accountedSeqs(ins, sums)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    expect(ins.reduce((a, e) => a + e.bytes, 0) + sums.reduce((a, s) => a + s.bytes, 0)).toBe(total)
    expect(info.stats.up.bytesIn).toBe(total)
    expect(info.stats.up.bytesOut).toBe(total)
    // Offsets: each listed read and each summary starts where the bytes before it end.
    const starts = [...ins.map((e) => ({ seq: e.seq, offset: e.offset, bytes: e.bytes })), ...sums.map((s) => ({ seq: s.firstSeq, offset: s.offset, bytes: s.bytes }))].sort((a, b) => a.seq - b.seq)
    let at = 0
    for (const x of starts) {
      expect(x.offset).toBe(at)
      at += x.bytes
    }
    // Every listed read was written on as it came: one write, same bytes, no delay.
    const outs = of('out')
    expect(outs.map((o) => o.seqs)).toEqual(ins.map((e) => [e.seq]))
    expect(outs.map((o) => o.offset)).toEqual(ins.map((e) => e.offset))
    // Summed before the connection's close is reported.
    const closeAt = events.findIndex((e) => e.event === 'close')
    expect(events.findLastIndex((e) => e.event === 'summary')).toBeLessThan(closeAt)
  }, 120_000)

  it('UDP: forwards every datagram and accounts for each once, listed or summed', async () => {
    const sink = dgram.createSocket('udp4')
    const got: string[] = []
    sink.on('message', (m) => got.push(m.toString()))
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    closers.push(() => sink.close())
    const client = dgram.createSocket('udp4')
    closers.push(() => client.close())
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: sink.address().port })
    let sent = 0
    // One datagram at a time, each waited for as it arrives (not polled), until the relay has summed some.
    for (; sent < 20_000 && of('summary').length === 0; sent++) {
      client.send(`d${sent}`, relay.listen.port, '127.0.0.1')
      const want = sent + 1
      await whenEmitted(sink, 'message', () => got.length >= want)
    }
    await lab.invoke('net.relay.stop', { id: relay.id })
    expect(got).toEqual(Array.from({ length: sent }, (_, i) => `d${i}`))
    const ins = of('in')
    const sums = of('summary')
    expect(sums.length).toBeGreaterThan(0)
    expect(accountedSeqs(ins, sums)).toEqual(Array.from({ length: sent }, (_, i) => i + 1))
    expect(sums.every((s) => s.proto === 'udp' && s.conn === ins[0]!.conn)).toBe(true)
    expect(ins.reduce((a, e) => a + e.bytes, 0) + sums.reduce((a, s) => a + s.bytes, 0)).toBe(got.join('').length)
  }, 120_000)

  it("UDP: a client's socket toward the server is the server's alone (as a NAT's mapping): a datagram from anyone else to it is not relayed", async () => {
    // An echo server that tells the test which port of the relay's it saw.
    const server = dgram.createSocket('udp4')
    let relayPort = 0
    server.on('message', (m, r) => {
      relayPort = r.port
      server.send(m, r.port, r.address)
    })
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()))
    closers.push(() => server.close())
    const client = dgram.createSocket('udp4')
    const got: string[] = []
    client.on('message', (m) => got.push(m.toString()))
    closers.push(() => client.close())
    const stranger = dgram.createSocket('udp4')
    closers.push(() => stranger.close())
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: server.address().port })
    client.send('ping', relay.listen.port, '127.0.0.1')
    await whenEmitted(client, 'message', () => got.length >= 1)
    // The stranger writes to the relay's socket for this client, then the server answers once more: only the server's reaches the client.
    await new Promise<void>((r) => stranger.send('intruder', relayPort, '127.0.0.1', () => r()))
    client.send('pong', relay.listen.port, '127.0.0.1')
    await whenEmitted(client, 'message', () => got.length >= 2)
    await lab.invoke('net.relay.stop', { id: relay.id })
    expect(got).toEqual(['ping', 'pong'])
    expect(of('in', 'down').map((e) => e.hex)).toEqual([Buffer.from('ping').toString('hex'), Buffer.from('pong').toString('hex')])
  })

  it('UDP with delay and jitter: every datagram has its deadline (arrival + its drawn delay) and leaves in deadline order, never before it', async () => {
    const sink = dgram.createSocket('udp4')
    let got = 0
    sink.on('message', () => got++)
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    closers.push(() => sink.close())
    const client = dgram.createSocket('udp4')
    closers.push(() => client.close())
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: sink.address().port, seed: 7, up: { delayMs: 30, jitterMs: 25 } })
    for (let i = 0; i < 80; i++) client.send(`j${i}`, relay.listen.port, '127.0.0.1')
    await until(() => got >= 80, 'every datagram')
    const ins = of('in')
    const outs = of('out')
    expect(ins).toHaveLength(80)
    for (const e of ins) {
      expect(e.delayMs).toBeGreaterThanOrEqual(5)
      expect(e.delayMs).toBeLessThanOrEqual(55)
      expect(e.dueT).toBeCloseTo(e.t + e.delayMs, 2)
    }
    const byDeadline = [...ins].sort((a, b) => a.dueT - b.dueT || a.seq - b.seq).map((e) => e.seq)
    expect(outs.map((o) => o.seqs[0])).toEqual(byDeadline)
    expect(outs.map((o) => o.order)).toEqual(outs.map((_, i) => i + 1))
    expectHonestOuts(ins, outs)
    // Jitter over a burst reorders (seed 7): not the arrival order.
    expect(byDeadline).not.toEqual(ins.map((e) => e.seq))
  })

  it('TCP with delay and jitter under a burst: deadlines never go back (the stream keeps its order), each write at or after its deadline', async () => {
    const got: Buffer[] = []
    const arrived = new EventEmitter()
    const server = net.createServer((s) => {
      s.on('data', (d) => (got.push(d), arrived.emit('data')))
      s.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    closers.push(() => new Promise((r) => server.close(r)))
    const relay = await lab.invoke('net.relay.start', { targetPort: (server.address() as net.AddressInfo).port, seed: 3, up: { delayMs: 20, jitterMs: 15 } })
    const client = net.connect({ host: '127.0.0.1', port: relay.listen.port })
    client.setNoDelay(true)
    await new Promise((r) => client.once('connect', r))
    let text = ''
    for (let i = 0; i < 60; i++) {
      const m = `[${i}]`
      text += m
      client.write(m)
      // A few at once, then a breath: several reads, some close together.
      if (i % 6 === 5) await new Promise((r) => setImmediate(r))
    }
    await until(() => Buffer.concat(got).length >= text.length, 'every byte')
    expect(Buffer.concat(got).toString()).toBe(text)
    const ins = of('in')
    const outs = of('out')
    let last = 0
    for (const e of ins) {
      expect(e.dueT).toBeCloseTo(Math.max(Math.round((e.t + e.delayMs) * 1000) / 1000, last), 3)
      last = e.dueT
    }
    expect(outs.flatMap((o) => o.seqs)).toEqual(ins.map((e) => e.seq))
    expectHonestOuts(ins, outs)
  })
})
