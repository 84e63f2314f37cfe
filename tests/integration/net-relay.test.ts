import dgram from 'node:dgram'
import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RELAY_LIMITS, RELAY_PRESETS, RELAY_SPLIT_GAP_MS, type RelayEvent } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

type In = Extract<RelayEvent, { event: 'in' }>
type Out = Extract<RelayEvent, { event: 'out' }>

const until = async (cond: () => boolean, what: string, ms = 20_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A TCP target the test controls: keeps what it read, each read apart; `paused` = a reader that does not read. */
async function tcpTarget(opts: { paused?: boolean } = {}) {
  const reads: Buffer[] = []
  const sockets: net.Socket[] = []
  const server = net.createServer({ pauseOnConnect: opts.paused === true }, (s) => {
    sockets.push(s)
    s.on('data', (d) => reads.push(d))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as net.AddressInfo).port
  const bytes = () => reads.reduce((n, b) => n + b.length, 0)
  const close = () => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  }
  return { port, reads, sockets, bytes, close }
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port })
  s.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve)
    s.once('error', reject)
  })
  return s
}

describe('the network-conditions relay', () => {
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
  const ins = (dir = 'up') => events.filter((e): e is In => e.event === 'in' && e.dir === dir)
  const outs = (dir = 'up') => events.filter((e): e is Out => e.event === 'out' && e.dir === dir)

  it('delays every TCP message by exactly the delay, on its own clock, and never sends one early', async () => {
    const target = await tcpTarget()
    closers.push(target.close)
    const relay = await lab.invoke('net.relay.start', { targetPort: target.port, up: { delayMs: 40 } })
    expect(relay.listen).toMatchObject({ address: '127.0.0.1' })
    expect(relay.listen.port).toBeGreaterThan(0)
    const client = await connect(relay.listen.port)
    closers.push(() => client.destroy())
    for (let i = 1; i <= 5; i++) {
      client.write(`m${i}`)
      // One read per message: the next is written once this one crossed the relay.
      await until(() => target.bytes() >= i * 2, `message ${i}`)
    }
    expect(Buffer.concat(target.reads).toString()).toBe('m1m2m3m4m5')
    const read = ins()
    expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    for (const e of read) {
      expect(e.delayMs).toBe(40)
      expect(Math.abs(e.dueT - e.t - 40)).toBeLessThanOrEqual(1)
    }
    const written = outs()
    expect(written.map((e) => e.seqs)).toEqual([[1], [2], [3], [4], [5]])
    for (const [i, o] of written.entries()) {
      // Left at or after its due time, never before; and "delayed by" is what happened: read to write, on the relay's clock.
      expect(o.t).toBeGreaterThanOrEqual(read[i]!.dueT)
      expect(o.lateMs).toBeGreaterThanOrEqual(0)
      expect(o.heldMs).toBeCloseTo(o.t - read[i]!.t, 2)
      expect(o.heldMs).toBeGreaterThanOrEqual(40)
    }
  })

  it('draws jitter from the seed: the same seed gives the same delays, and the stream keeps its order', async () => {
    const target = await tcpTarget()
    closers.push(target.close)
    const delays: number[][] = []
    for (const seed of [42, 42, 43]) {
      events = []
      const relay = await lab.invoke('net.relay.start', { targetPort: target.port, seed, up: { delayMs: 30, jitterMs: 20 } })
      const client = await connect(relay.listen.port)
      const before = target.bytes()
      for (let i = 1; i <= 6; i++) {
        client.write(`j${i}`)
        await until(() => target.bytes() >= before + i * 2, `message ${i}`)
      }
      client.destroy()
      const read = ins()
      for (const e of read) {
        expect(e.delayMs).toBeGreaterThanOrEqual(10)
        expect(e.delayMs).toBeLessThanOrEqual(50)
      }
      delays.push(read.map((e) => e.delayMs))
      await lab.invoke('net.relay.stop', { id: relay.id })
    }
    expect(delays[0]).toEqual(delays[1])
    expect(delays[0]).not.toEqual(delays[2])
  })

  it('cuts each write into chunks of N bytes (split) and joins writes within T ms (merge)', async () => {
    const target = await tcpTarget()
    closers.push(target.close)
    const split = await lab.invoke('net.relay.start', { targetPort: target.port, up: { splitBytes: 4 } })
    const a = await connect(split.listen.port)
    closers.push(() => a.destroy())
    a.write('helloworld!')
    await until(() => target.bytes() >= 11, 'the split message')
    expect(outs().map((o) => o.bytes)).toEqual([4, 4, 3])
    expect(outs().every((o) => o.seqs.length === 1 && o.seqs[0] === 1)).toBe(true)
    // The chunks left RELAY_SPLIT_GAP_MS apart, so the kernel sent them apart.
    const [o1, o2] = outs()
    expect(o2!.t - o1!.t).toBeGreaterThanOrEqual(RELAY_SPLIT_GAP_MS - 1)
    expect(Buffer.concat(target.reads).toString()).toBe('helloworld!')

    events = []
    const merge = await lab.invoke('net.relay.start', { targetPort: target.port, up: { mergeMs: 200 } })
    const b = await connect(merge.listen.port)
    closers.push(() => b.destroy())
    const before = target.bytes()
    for (const m of ['one', 'two', 'three']) {
      b.write(m)
      await until(() => ins().reduce((n, e) => n + e.bytes, 0) >= (m === 'one' ? 3 : m === 'two' ? 6 : 11), `the relay reading ${m}`)
    }
    await until(() => target.bytes() >= before + 11, 'the merged write')
    expect(outs()).toHaveLength(1)
    expect(outs()[0]!.seqs).toEqual(ins().map((e) => e.seq))
    expect(ins().length).toBeGreaterThanOrEqual(2)
  })

  it('bounds its memory: a server that does not read backpressures the client instead of filling the relay', async () => {
    const target = await tcpTarget({ paused: true })
    closers.push(target.close)
    const relay = await lab.invoke('net.relay.start', { targetPort: target.port, up: { delayMs: 1 } })
    const client = await connect(relay.listen.port)
    closers.push(() => client.destroy())
    const chunk = Buffer.alloc(64 * 1024, 7)
    const total = 64 * 1024 * 1024
    let written = 0
    let blocked = false
    let stop = false
    const pump = async () => {
      while (written < total && !stop) {
        written += chunk.length
        if (!client.write(chunk)) {
          blocked = true
          await new Promise((r) => client.once('drain', r))
          blocked = false
        }
      }
    }
    const pumping = pump()
    await until(() => events.some((e) => e.event === 'paused'), 'the relay pausing the client')
    // Wait until the client stays blocked: every buffer between it and the relay is full.
    let stable = 0
    let last = -1
    await until(() => {
      stable = blocked && written === last ? stable + 1 : 0
      last = written
      return stable > 20
    }, 'the client to be blocked')
    const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
    expect(written).toBeLessThan(total)
    expect(info.stats.up.pauses).toBeGreaterThanOrEqual(1)
    // At most the bound plus one read (Node reads at most 64 KiB at a time).
    expect(info.stats.up.maxHeldBytes).toBeLessThanOrEqual(RELAY_LIMITS.heldBytesPerDirection + 64 * 1024)
    // The reader starts reading: everything the client wrote arrives, in order, and the relay resumes.
    stop = true
    for (const s of target.sockets) s.resume()
    await pumping
    await until(() => target.bytes() >= written, 'every byte', 60_000)
    expect(target.bytes()).toBe(written)
    expect(events.some((e) => e.event === 'resumed')).toBe(true)
  }, 90_000)

  it('loses 10 % of 10,000 datagrams within ±2 points, the same ones for the same seed, and forwards the rest', async () => {
    const sink = dgram.createSocket('udp4')
    let got = 0
    sink.on('message', () => got++)
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    closers.push(() => sink.close())
    const client = dgram.createSocket('udp4')
    closers.push(() => client.close())
    const dropsOf = async (n: number, seed: number) => {
      events = []
      const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: sink.address().port, seed, up: { lossPct: 10 } })
      const start = got
      for (let i = 0; i < n; i += 100) {
        // In batches that the relay has read before the next: the kernel's own queues never overflow.
        for (let j = i; j < i + 100 && j < n; j++) client.send(String(j), relay.listen.port, '127.0.0.1')
        await until(() => ins().length >= Math.min(n, i + 100), `batch ${i}`)
      }
      const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
      await until(() => got - start >= n - info.stats.up.dropped, 'the forwarded datagrams at the sink')
      await lab.invoke('net.relay.stop', { id: relay.id })
      return { info, dropped: ins().filter((e) => e.action === 'dropped').map((e) => e.seq), delivered: got - start }
    }
    const big = await dropsOf(10_000, 5)
    expect(big.info.stats.up.messages).toBe(10_000)
    const pct = (big.info.stats.up.dropped / 10_000) * 100
    expect(pct).toBeGreaterThanOrEqual(8)
    expect(pct).toBeLessThanOrEqual(12)
    expect(big.delivered).toBe(10_000 - big.info.stats.up.dropped)
    const again = await dropsOf(500, 5)
    expect(again.dropped).toEqual(big.dropped.filter((s) => s <= 500))
  }, 120_000)

  it('the lossy-UDP preset loses 3 of 20 and reorders 2, while TCP through the same relay arrives whole and in order', async () => {
    const tcp = await lab.invoke('net.tcpServer.start', { port: 0 })
    await lab.invoke('net.udpServer.start', { port: tcp.port })
    const preset = RELAY_PRESETS.lossyUdp
    const relay = await lab.invoke('net.relay.start', { proto: preset.proto, targetPort: tcp.port, seed: preset.seed, up: preset.up, down: preset.down })
    // The longest bound: the probe ends on its condition (each datagram back or dropped by the relay, no copy on its
    // way), which `accounted` reports; how long it took is not asserted (tests never assert times).
    const udp = await lab.invoke('net.relay.probe', { id: relay.id, proto: 'udp', count: 20, waitMs: RELAY_LIMITS.probeWaitMs })
    expect(udp).toMatchObject({ accounted: true, stillMissing: [], dropped: [3, 6, 13] })
    // What is missing is exactly what the relay reported dropping: the seed's 3, 6 and 13.
    const droppedByRelay = ins().filter((e) => e.action === 'dropped').map((e) => Number(Buffer.from(e.hex, 'hex').toString()))
    expect(udp.dropped).toEqual(droppedByRelay)
    expect(udp.missing).toEqual(udp.dropped)
    expect(udp.missing).toEqual([3, 6, 13])
    expect(udp.received).toBe(17)
    expect(udp.outOfOrder).toBeGreaterThanOrEqual(1)
    const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
    expect(info.stats.up).toMatchObject({ dropped: 3, reordered: 2 })
    // Every reply the relay sent back was read before the probe stopped.
    expect(udp.order.length).toBe(info.stats.down.writes)
    const stream = await lab.invoke('net.relay.probe', { id: relay.id, proto: 'tcp', count: 20 })
    expect(stream).toMatchObject({ identical: true, missing: [], outOfOrder: 0, duplicates: 0, received: 20 })
    expect(stream.order).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('a UDP probe counts the replies the relay dropped on the way back and waits for every copy it made, both ways', async () => {
    const tcp = await lab.invoke('net.tcpServer.start', { port: 0 })
    await lab.invoke('net.udpServer.start', { port: tcp.port })
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: tcp.port, seed: 7, up: { dupPct: 40, delayMs: 5, jitterMs: 5 }, down: { lossPct: 30, dupPct: 40, delayMs: 5, jitterMs: 5 } })
    const udp = await lab.invoke('net.relay.probe', { id: relay.id, proto: 'udp', count: 30, waitMs: RELAY_LIMITS.probeWaitMs })
    expect(udp).toMatchObject({ accounted: true, stillMissing: [] })
    const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
    // Every reply the relay sent back was read by the probe, copies included, before it stopped.
    expect(udp.order.length).toBe(info.stats.down.writes)
    expect(info.stats.up.duplicated).toBeGreaterThan(0)
    expect(info.stats.down.dropped).toBeGreaterThan(0)
    expect(udp.missing).toEqual(udp.dropped)
    for (const n of udp.dropped) expect(ins('down').some((e) => e.action === 'dropped' && Buffer.from(e.hex, 'hex').toString() === String(n))).toBe(true)
  })

  it('a UDP probe waits for the copy of a reply the relay delays apart from the first', async () => {
    const tcp = await lab.invoke('net.tcpServer.start', { port: 0 })
    await lab.invoke('net.udpServer.start', { port: tcp.port })
    // Every datagram twice to the server; each of its replies drawn its own delay back: the copies come apart.
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: tcp.port, seed: 3, up: { dupPct: 100 }, down: { delayMs: 40, jitterMs: 40 } })
    const udp = await lab.invoke('net.relay.probe', { id: relay.id, proto: 'udp', count: 5, waitMs: RELAY_LIMITS.probeWaitMs })
    expect(udp).toMatchObject({ accounted: true, missing: [], received: 5, duplicates: 5 })
    expect(udp.order).toHaveLength(10)
  })

  it('a UDP probe whose datagrams neither come back nor are dropped by the relay says so when its wait runs out', async () => {
    const closed = dgram.createSocket('udp4')
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()))
    const deadPort = closed.address().port
    await new Promise<void>((r) => closed.close(() => r()))
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: deadPort, up: { lossPct: 25 } })
    const udp = await lab.invoke('net.relay.probe', { id: relay.id, proto: 'udp', count: 20, gapMs: 0, waitMs: 100 })
    const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
    expect(udp).toMatchObject({ accounted: false, received: 0, waitMs: 100 })
    expect(udp.missing).toHaveLength(20)
    expect(udp.dropped).toHaveLength(info.stats.up.dropped)
    expect(udp.dropped.length).toBeGreaterThan(0)
    expect([...udp.dropped, ...udp.stillMissing].sort((a, b) => a - b)).toEqual(udp.missing)
  })

  it('asks for consent before listening on every interface or sending off this machine', async () => {
    await expect(lab.invoke('net.relay.start', { listenHost: '0.0.0.0', targetPort: 9 })).rejects.toMatchObject({ code: 'ERR_CONSENT_REQUIRED' })
    await expect(lab.invoke('net.relay.start', { targetHost: '192.0.2.1', targetPort: 9 })).rejects.toMatchObject({ code: 'ERR_REMOTE_TARGET', params: { path: 'remoteTarget' } })
    // Its own code, naming the target field: the listen consent's message ("listens on every interface") would be untrue here.
    const remote = await lab.call('net.relay.start', { targetHost: '192.0.2.1', targetPort: 9 })
    expect(remote.ok ? null : [remote.error.code, remote.error.field]).toEqual(['ERR_REMOTE_TARGET', 'targetHost'])
    const r = await lab.call('net.relay.start', { targetPort: 9, up: { lossPct: 101 } })
    expect(r.ok).toBe(false)
  })

  it('keeps its events for a page that reloads, and reports a target that refuses', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()))
    const deadPort = (probe.address() as net.AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    const relay = await lab.invoke('net.relay.start', { targetPort: deadPort })
    const client = await connect(relay.listen.port)
    await new Promise((r) => client.once('close', r))
    const log = await lab.invoke('net.relay.events', { id: relay.id })
    expect(log.events.map((e) => e.event)).toEqual(['listening', 'connection', 'error', 'close'])
    expect(log.events.find((e) => e.event === 'error')).toMatchObject({ error: { code: 'ERR_CONNECTION_REFUSED' } })
  })

  it('says a UDP server port that does not listen is refused by its OS, counted, not an error, and keeps relaying', async () => {
    // A port nothing listens on: bound, taken, closed.
    const closed = dgram.createSocket('udp4')
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()))
    const deadPort = closed.address().port
    await new Promise<void>((r) => closed.close(() => r()))
    const relay = await lab.invoke('net.relay.start', { proto: 'udp', targetPort: deadPort })
    const client = dgram.createSocket('udp4')
    closers.push(() => client.close())
    const refusals = () => events.filter((e): e is Extract<RelayEvent, { event: 'portUnreachable' }> => e.event === 'portUnreachable')
    // One at a time, each after the refusal of the one before (refusals close together are reported once).
    for (let i = 1; i <= 3; i++) {
      client.send(`d${i}`, relay.listen.port, '127.0.0.1')
      await until(() => refusals().length >= i, `the refusal of datagram ${i}`)
    }
    expect(refusals().map((e) => e.refused)).toEqual([1, 2, 3])
    expect(refusals()[0]).toMatchObject({ relayId: relay.id, conn: 1, target: { address: '127.0.0.1', port: deadPort } })
    expect(events.filter((e) => e.event === 'error')).toEqual([])
    const info = (await lab.invoke('net.relay.list', {})).find((r) => r.id === relay.id)!
    expect(info).toMatchObject({ state: 'listening', udpPeers: 1 })
    expect(info.stats.up).toMatchObject({ messages: 3, writes: 3, refused: 3 })
    expect(info.stats.down.refused).toBe(0)
    // The relay kept the client's socket: once a server listens there, the next datagram goes through and its reply comes back.
    const server = dgram.createSocket('udp4')
    server.on('message', (m, r) => server.send(m.toString().toUpperCase(), r.port, r.address))
    await new Promise<void>((r) => server.bind(deadPort, '127.0.0.1', () => r()))
    closers.push(() => server.close())
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())))
    client.send('back', relay.listen.port, '127.0.0.1')
    expect(await reply).toBe('BACK')
    expect(refusals()).toHaveLength(3)
  })
})
