import { skipWithoutIpv6 } from '../helpers/ipv6'
import { readdirSync } from 'node:fs'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { useServerLab, waitUntil } from '../helpers/server-probe'

const linux = process.platform === 'linux'
const openFds = () => readdirSync('/proc/self/fd').length

describe('TcpServer under bad input and load (docs/SECURITY.md items 14–21)', () => {
  const t = useServerLab()

  it('binds to 127.0.0.1 by default', async () => {
    const info = await t.lab.invoke('net.tcpServer.start', { port: 0 })
    expect(info.host).toBe('127.0.0.1')
    const udp = await t.lab.invoke('net.udpServer.start', { port: 0 })
    expect(udp.host).toBe('127.0.0.1')
  })

  it('port in use: ERR_PORT_IN_USE for TCP and UDP, and the lab keeps serving', async () => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'serial' })
    const again = await t.lab.call('net.tcpServer.start', { port, mode: 'threading' })
    expect(again).toMatchObject({ ok: false, error: { code: 'ERR_PORT_IN_USE', params: { port } } })
    const udp = await t.lab.invoke('net.udpServer.start', { port: 0 })
    expect(await t.lab.call('net.udpServer.start', { port: udp.port })).toMatchObject({ ok: false, error: { code: 'ERR_PORT_IN_USE' } })
    expect((await t.lab.invoke('net.server.list', {})).map((s) => s.proto)).toEqual(['tcp', 'udp'])
    const c = await t.connect(port)
    c.send('alive')
    expect((await c.receive(5)).toString()).toBe('ALIVE')
  })

  it.each(['async', 'serial', 'threading', 'forking'] as const)(
    '%s: stop with clients attached (one silent, one never reading, one waiting) closes them all; the port is reusable at once',
    async (mode) => {
      const { port, id } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode })
      const talking = await t.connect(port)
      talking.send('hi')
      await talking.receive(2)
      const silent = await t.connect(port)
      const stubborn = await t.connect(port)
      stubborn.socket.pause() // never reads, never ends: only the grace period gets rid of it
      await t.probe.until(() => t.probe.of('connection').length === 3, 'three connections')
      await t.lab.invoke('net.server.stop', { id })
      await waitUntil(() => talking.closed || talking.ended, 'talking client sees the end')
      await waitUntil(() => silent.closed || silent.ended, 'silent client sees the end')
      expect(t.probe.of('close').map((e) => e.reason)).toEqual(['server', 'server', 'server'])
      expect(t.probe.of('closed')).toHaveLength(1)
      expect(await t.lab.invoke('net.server.list', {})).toEqual([])
      const again = await t.lab.invoke('net.tcpServer.start', { port, mode })
      expect(again.port).toBe(port)
    },
  )

  it.skipIf(skipWithoutIpv6)('listens on IPv6 loopback, written bare or in brackets, for TCP and UDP', async () => {
    for (const host of ['::1', '[::1]']) {
      const { port } = await t.lab.invoke('net.tcpServer.start', { host, port: 0 })
      const c = await t.connect(port, '::1')
      c.send('v6')
      expect((await c.receive(2)).toString()).toBe('V6')
      const udp = await t.lab.invoke('net.udpServer.start', { host, port: 0 })
      expect(udp.port).toBeGreaterThan(0)
    }
  })

  it.each(['async', 'threading', 'forking'] as const)('%s: stop while a delayed reply is pending says goodbye without an error', async (mode) => {
    const { port, id } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode, handler: 'delay:3000' })
    const c = await t.connect(port)
    c.send('late')
    await t.probe.until(() => t.probe.of('recv').length === 1, 'recv')
    await t.lab.invoke('net.server.stop', { id })
    await waitUntil(() => c.closed || c.ended, 'client sees the end')
    expect(t.probe.of('close').map((e) => e.reason)).toEqual(['server'])
    expect(t.probe.of('error')).toEqual([])
    expect(c.received.length).toBe(0)
  })

  it('maxConnections: more connections are dropped and reported', async () => {
    const { port, maxConnections } = await t.lab.invoke('net.tcpServer.start', { port: 0, maxConnections: 2 })
    expect(maxConnections).toBe(2)
    await t.connect(port)
    await t.connect(port)
    await t.probe.until(() => t.probe.of('connection').length === 2, 'two connections')
    const third = await t.connect(port)
    const drop = await t.probe.until(() => t.probe.of('drop')[0], 'drop event')
    expect(drop).toMatchObject({ remote: { address: '127.0.0.1', port: third.socket.localPort }, dropped: 1 })
    await waitUntil(() => third.closed, 'dropped client closed')
    expect((await t.lab.invoke('net.server.list', {}))[0]!.stats).toMatchObject({ accepted: 2, dropped: 1 })
  })

  it('threading and forking refuse more than 256 connections at start, with ERR_LIMIT', async () => {
    for (const mode of ['threading', 'forking'] as const) {
      expect(await t.lab.call('net.tcpServer.start', { port: 0, mode, maxConnections: 257 })).toMatchObject({ ok: false, error: { code: 'ERR_LIMIT' } })
    }
    expect((await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading' })).maxConnections).toBe(64)
  })

  it('idleTimeoutMs closes a silent connection with reason idle', async () => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, idleTimeoutMs: 200 })
    const c = await t.connect(port)
    c.send('x')
    await c.receive(1)
    await t.probe.until(() => t.probe.of('close').find((e) => e.reason === 'idle'), 'idle close')
    await waitUntil(() => c.closed, 'client closed')
  })

  it('a client that never reads cannot grow the server’s buffers without bound (backpressure)', async () => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, handler: 'echo' })
    const c = await t.connect(port)
    c.socket.pause()
    c.socket.removeAllListeners('data')
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const offered = 64 * 1024 * 1024
    let written = 0
    // Write as a polite client does (respecting our own backpressure) until the pipe is stuck.
    while (written < offered) {
      written += chunk.length
      if (!c.socket.write(chunk)) {
        const drained = await Promise.race([
          new Promise<boolean>((r) => c.socket.once('drain', () => r(true))),
          new Promise<boolean>((r) => setTimeout(() => r(false), 500)),
        ])
        if (!drained) break
      }
    }
    const [info] = await t.lab.invoke('net.server.list', {})
    const conn = info!.connections[0]!
    // The kernel's buffers on both sides hold a few MB; the server stopped reading long before 64 MB.
    expect(written).toBeLessThan(offered)
    expect(conn.bytesIn).toBeLessThan(32 * 1024 * 1024)
    expect(conn.bytesIn - conn.bytesOut).toBeLessThanOrEqual(64 * 1024)
    // The lab still answers others.
    const other = await t.connect(port)
    other.send('ping')
    expect((await other.receive(4)).toString()).toBe('ping')
    // Stopping cannot finish politely (replies are stuck behind the non-reader): the grace period cuts it.
    await t.lab.invoke('net.server.stop', { id: info!.id })
    expect(t.probe.of('close').find((e) => e.conn === conn.conn)?.reason).toBe('server')
    await waitUntil(() => c.closed, 'the non-reading client is cut off')
  })

  it.skipIf(!linux)('holds 1,000 concurrent connections, and the file descriptors return to baseline after', async () => {
    const baseline = openFds()
    const { port, id } = await t.lab.invoke('net.tcpServer.start', { port: 0, requestQueueSize: 1024 })
    const sockets: net.Socket[] = []
    const replies: Promise<void>[] = []
    for (let i = 0; i < 1000; i++) {
      const s = net.connect({ host: '127.0.0.1', port })
      sockets.push(s)
      s.on('error', () => {})
      replies.push(
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => s.write(`c${i}`))
          s.once('data', (d) => (d.toString() === `C${i}` ? resolve() : reject(new Error(`bad reply ${String(d)}`))))
        }),
      )
    }
    await Promise.all(replies)
    const [info] = await t.lab.invoke('net.server.list', {})
    expect(info!.connections).toHaveLength(1000)
    expect(openFds()).toBeGreaterThanOrEqual(baseline + 2000)
    for (const s of sockets) s.end()
    await t.probe.until(() => t.probe.of('close', id).length === 1000, '1000 closes', 20_000)
    await waitUntil(() => sockets.every((s) => s.destroyed), 'client sockets closed')
    await t.lab.invoke('net.server.stop', { id })
    await waitUntil(() => openFds() <= baseline, `fds back to ${baseline} (now ${openFds()})`)
  })
})
