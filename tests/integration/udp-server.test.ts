import dgram from 'node:dgram'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { ServerProbe } from '../helpers/server-probe'

/** A UDP socket for the test that keeps every reply it gets. */
function udpPeer() {
  const socket = dgram.createSocket('udp4')
  const replies: Buffer[] = []
  socket.on('message', (m) => replies.push(m))
  const bound = new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
  const send = (data: Buffer | string, port: number) =>
    new Promise<void>((resolve, reject) => socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
  return { socket, replies, bound, send }
}

describe('UdpServer', () => {
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

  it('answers each datagram upper-cased, to its sender, and reports sender and size', async () => {
    const info = await lab.invoke('net.udpServer.start', { port: 0 })
    expect(info).toMatchObject({ proto: 'udp', host: '127.0.0.1', handler: 'upper', state: 'listening' })
    const p = await peer()
    await p.send('hello', info.port)
    await p.send('你好 udp', info.port)
    await probe.until(() => p.replies.length === 2, 'two replies')
    // Datagrams keep their boundaries: two sends, two replies.
    expect(p.replies.map(String)).toEqual(['HELLO', '你好 UDP'])
    const d = probe.of('datagram')
    expect(d[0]).toMatchObject({ from: { address: '127.0.0.1', port: p.socket.address().port }, bytes: 5, hex: Buffer.from('hello').toString('hex') })
    expect(probe.of('sendto')[0]).toMatchObject({ to: { port: p.socket.address().port }, bytes: 5 })
    expect((await lab.invoke('net.server.list', {}))[0]!.stats).toMatchObject({ datagrams: 2, bytesIn: 5 + Buffer.byteLength('你好 udp') })
  })

  it.each([
    ['echo', 'Abc', 'Abc'],
    ['reverse', 'abc', 'cba'],
    ['delay:50', 'abc', 'ABC'],
  ])('handler %s', async (handler, sent, expected) => {
    const { port } = await lab.invoke('net.udpServer.start', { port: 0, handler })
    const p = await peer()
    await p.send(sent, port)
    await probe.until(() => p.replies.length === 1, 'reply')
    expect(String(p.replies[0])).toBe(expected)
  })

  it('refuses a datagram over the cap with ERR_DATAGRAM_TOO_LARGE, answers the next one', async () => {
    const { port } = await lab.invoke('net.udpServer.start', { port: 0, maxDatagramBytes: 1000 })
    const p = await peer()
    await p.send(Buffer.alloc(1001, 0x61), port)
    await p.send('small', port)
    await probe.until(() => p.replies.length === 1, 'reply to the small one')
    expect(String(p.replies[0])).toBe('SMALL')
    const err = probe.of('error')[0]!
    expect(err.error).toMatchObject({ code: 'ERR_DATAGRAM_TOO_LARGE', params: { bytes: 1001, max: 1000 } })
    expect((await lab.invoke('net.server.list', {}))[0]!.stats).toMatchObject({ datagrams: 2, oversize: 1 })
  })

  it('answers the largest IPv4 datagram (65,507 bytes) whole', async () => {
    const { port } = await lab.invoke('net.udpServer.start', { port: 0, handler: 'echo' })
    const p = await peer()
    p.socket.setRecvBufferSize(1 << 20)
    await p.send(Buffer.alloc(65_507, 0x62), port)
    await probe.until(() => p.replies.length === 1, 'reply')
    expect(p.replies[0]!.length).toBe(65_507)
  })

  it('counts a flood instead of crashing, and still answers afterwards', async () => {
    const { port } = await lab.invoke('net.udpServer.start', { port: 0 })
    const p = await peer()
    const flood = Buffer.alloc(512, 0x61)
    await Promise.all(Array.from({ length: 5000 }, () => p.send(flood, port)))
    const final = await peer()
    // UDP may lose a datagram sent while the server's receive buffer is still full: ask again until answered.
    for (let i = 0; i < 50 && final.replies.length === 0; i++) {
      await final.send('last', port)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(String(final.replies[0])).toBe('LAST')
    const { stats } = (await lab.invoke('net.server.list', {}))[0]!
    // The kernel may drop part of a flood; the server counts what reached it.
    expect(stats.datagrams).toBeGreaterThan(1)
    expect(stats.datagrams).toBeLessThanOrEqual(5050)
    expect(probe.of('datagram').length).toBe(stats.datagrams)
  })

  it('stops with net.server.stop, and the port is reusable at once', async () => {
    const { port, id } = await lab.invoke('net.udpServer.start', { port: 0, handler: 'delay:5000' })
    const p = await peer()
    await p.send('pending', port)
    await probe.until(() => probe.of('datagram').length === 1, 'datagram')
    await lab.invoke('net.server.stop', { id })
    expect(probe.of('closed')).toHaveLength(1)
    expect((await lab.invoke('net.udpServer.start', { port })).port).toBe(port)
  })
})
