/**
 * UDP server modes (issue 9, item 5) on real sockets: `threading` hands each datagram to a worker
 * thread of its own (a live thread of this process while it runs, never one busy with another
 * datagram), `serial` handles one datagram at a time in arrival order, `async` on the event loop.
 */
import dgram from 'node:dgram'
import { existsSync, readlinkSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { ServerEvent } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'
import { ServerProbe } from '../helpers/server-probe'

type DatagramEvent = Extract<ServerEvent, { event: 'datagram' }>

const linux = process.platform === 'linux'
const mainTid = linux ? Number(readlinkSync('/proc/thread-self').split('/').pop()) : null
const threadAlive = (tid: number) => existsSync(`/proc/${process.pid}/task/${tid}`)

function udpPeer() {
  const socket = dgram.createSocket('udp4')
  const replies: { text: string; at: number }[] = []
  socket.on('message', (m) => replies.push({ text: String(m), at: Date.now() }))
  const bound = new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
  const send = (text: string, port: number) => new Promise<void>((resolve, reject) => socket.send(Buffer.from(text), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
  return { socket, replies, bound, send, port: () => socket.address().port }
}

describe('UDP server modes', () => {
  let lab: Lab
  let probe: ServerProbe
  let peers: dgram.Socket[]
  beforeEach(() => {
    lab = createTestLab()
    probe = new ServerProbe(lab)
    peers = []
  })
  afterEach(async () => {
    for (const p of peers) p.close()
    await lab.close()
  })
  const peer = async () => {
    const p = udpPeer()
    peers.push(p.socket)
    await p.bound
    return p
  }

  it.skipIf(!linux)('threading: each datagram is handled by a live worker thread of the lab, a different one for datagrams handled at once', async () => {
    // A long handler, so that the four are handled at the same time and each thread can be seen alive while it sleeps.
    const info = await lab.invoke('net.udpServer.start', { port: 0, mode: 'threading', handler: 'delay:3000' })
    expect(info).toMatchObject({ proto: 'udp', mode: 'threading', spares: 1 })
    const ps = await Promise.all([1, 2, 3, 4].map(() => peer()))
    // The first one is being handled (its thread busy, asleep) before the others come: they must not be given that thread.
    await ps[0]!.send('datagram 0', info.port)
    await probe.until(() => probe.of('datagram').length === 1, 'the first datagram handled', 30_000)
    await Promise.all(ps.slice(1).map((p, i) => p.send(`datagram ${i + 1}`, info.port)))
    // Checked the moment each datagram's handler begins: its thread is alive and has not answered yet.
    const seenAlive = new Map<number, boolean>()
    const events = await probe.until(() => {
      for (const e of probe.of('datagram')) {
        const from = ps.findIndex((p) => p.port() === e.from.port)
        if (from >= 0 && !seenAlive.has(from)) seenAlive.set(from, e.servedBy?.tid != null && threadAlive(e.servedBy.tid) && ps[from]!.replies.length === 0)
      }
      return seenAlive.size === 4 && probe.of('datagram')
    }, 'four datagrams handled', 30_000)
    expect([...seenAlive.values()]).toEqual([true, true, true, true])
    for (const e of events) {
      expect(e.servedBy).toMatchObject({ kind: 'thread', pid: process.pid })
      expect(e.servedBy!.tid).not.toBe(mainTid)
      expect(e.startup).toBeDefined()
    }
    await probe.until(() => ps.every((p) => p.replies.length === 1), 'four replies', 30_000)
    expect(ps.map((p) => p.replies[0]!.text)).toEqual(['DATAGRAM 0', 'DATAGRAM 1', 'DATAGRAM 2', 'DATAGRAM 3'])
    // Datagrams whose handling overlapped had different threads (a thread handles one datagram at a time).
    const spans = events.map((e) => {
      const p = ps.find((x) => x.port() === e.from.port)!
      return { tid: e.servedBy!.tid, begin: e.at, end: p.replies[0]!.at }
    })
    let overlapping = 0
    for (const [i, a] of spans.entries())
      for (const b of spans.slice(i + 1))
        if (a.begin < b.end && b.begin < a.end) {
          overlapping++
          expect(a.tid).not.toBe(b.tid)
        }
    expect(overlapping).toBeGreaterThan(0)
    // Stopping the server ends its threads.
    const tids = events.map((e) => e.servedBy!.tid!)
    await lab.invoke('net.server.stop', { id: info.id })
    expect(tids.filter(threadAlive)).toEqual([])
  }, 90_000)

  it('threading: a stop wakes a thread sleeping in its handler; nothing is answered after', async () => {
    const info = await lab.invoke('net.udpServer.start', { port: 0, mode: 'threading', handler: 'delay:60000' })
    const p = await peer()
    await p.send('late', info.port)
    await probe.until(() => probe.of('datagram').length === 1, 'the datagram handled')
    const t0 = Date.now()
    await lab.invoke('net.server.stop', { id: info.id })
    // Far less than the 60 s handler: the sleep was cut, not waited out.
    expect(Date.now() - t0).toBeLessThan(30_000)
    expect(p.replies).toEqual([])
  })

  it('serial: one datagram at a time, answered in arrival order, by the server\'s one thread', async () => {
    const info = await lab.invoke('net.udpServer.start', { port: 0, mode: 'serial', handler: 'delay:50' })
    expect(info.mode).toBe('serial')
    const p = await peer()
    for (const m of ['a1', 'b2', 'c3']) await p.send(m, info.port)
    await probe.until(() => p.replies.length === 3, 'three replies')
    expect(p.replies.map((r) => r.text)).toEqual(['A1', 'B2', 'C3'])
    const order = probe.events.filter((e) => e.event === 'datagram' || e.event === 'sendto').map((e) => e.event)
    // Each datagram's handler begins only after the one before was answered.
    expect(order).toEqual(['datagram', 'sendto', 'datagram', 'sendto', 'datagram', 'sendto'])
    const ds = probe.of('datagram') as DatagramEvent[]
    for (const d of ds) expect(d.servedBy).toMatchObject({ kind: 'queue', pid: process.pid, tid: mainTid })
    // The third waited behind two 50 ms handlers.
    expect(ds[2]!.waitedMs!).toBeGreaterThan(ds[1]!.waitedMs!)
  })

  it('async (the default): the event loop, no wait', async () => {
    const info = await lab.invoke('net.udpServer.start', { port: 0 })
    expect(info.mode).toBe('async')
    const p = await peer()
    await p.send('x', info.port)
    await probe.until(() => p.replies.length === 1, 'reply')
    expect(probe.of('datagram')[0]).toMatchObject({ servedBy: { kind: 'loop', pid: process.pid }, waitedMs: 0 })
  })

  it('refuses a mode UDP has not (forking) with a coded error', async () => {
    await expect(lab.invoke('net.udpServer.start', { port: 0, mode: 'forking' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
  })
})
