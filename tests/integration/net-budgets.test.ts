/**
 * Budgets for the whole lab (issue 12): connection threads, connection processes and buffered bytes
 * are limited across every server, with ERR_LIMIT naming the budget; connections reset before they
 * were served never cost a thread or a process.
 */
import { spawnSync } from 'node:child_process'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { bufferBudget, childBudget, threadBudget, withBudgetLimit } from '../../main/lab/net/budgets'
import { useServerLab, waitUntil } from '../helpers/server-probe'

const linux = process.platform === 'linux'

describe('lab-wide budgets', () => {
  const t = useServerLab()
  const restore: Array<() => void> = []
  afterEach(() => restore.splice(0).forEach((f) => f()))

  it('threads: two threading servers share one budget; over it a connection is refused with ERR_LIMIT', async () => {
    // Two servers × one spare each, and one connection: three threads. The fourth is over the budget.
    restore.push(withBudgetLimit(threadBudget, 3))
    const a = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', spares: 1 })
    const b = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', spares: 1 })
    await waitUntil(() => threadBudget.used === 2, 'two spares started')
    const first = await t.connect(a.port)
    first.send('one')
    expect((await first.receive(3)).toString()).toBe('ONE')
    // a's spare was used and a new one started: the budget is full now.
    await waitUntil(() => threadBudget.used === 3, 'replacement spare started')
    const second = await t.connect(b.port)
    second.send('two')
    expect((await second.receive(3)).toString()).toBe('TWO') // b's own spare serves it; b gets no new spare
    const third = await t.connect(a.port)
    third.send('three')
    expect((await third.receive(5)).toString()).toBe('THREE') // a's replacement spare
    expect(t.probe.of('error')).toHaveLength(0)
    const fourth = await t.connect(a.port)
    const refused = await t.probe.until(() => t.probe.of('error').find((e) => e.error.code === 'ERR_LIMIT'), 'ERR_LIMIT')
    expect(refused.error.params).toMatchObject({ budget: 'LAB_THREAD_BUDGET', max: 3, used: 3 })
    expect(t.probe.of('drop').length).toBeGreaterThanOrEqual(1)
    await waitUntil(() => fourth.closed, 'refused client closed')
    expect(threadBudget.used).toBe(3)
  })

  it('processes: a forking server over the lab’s process budget refuses with ERR_LIMIT', async () => {
    restore.push(withBudgetLimit(childBudget, 1))
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'forking', spares: 1 })
    const first = await t.connect(port)
    first.send('one')
    expect((await first.receive(3)).toString()).toBe('ONE')
    await t.connect(port)
    const refused = await t.probe.until(() => t.probe.of('error').find((e) => e.error.code === 'ERR_LIMIT'), 'ERR_LIMIT')
    expect(refused.error.params).toMatchObject({ budget: 'LAB_CHILD_BUDGET', max: 1 })
  })

  it.skipIf(!linux)('forking: an RST storm costs no process — reset connections are never handed to a child', async () => {
    const { port, id } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'forking', requestQueueSize: 128 })
    // spawnSync blocks the lab's thread: 50 clients connect and reset before anything is accepted.
    const script = `const net=require('net');let left=50;for(let i=0;i<50;i++){const s=net.connect(${port},'127.0.0.1',()=>{s.resetAndDestroy();if(--left===0)setTimeout(()=>process.exit(0),100)});s.on('error',()=>{})}`
    expect(spawnSync(process.execPath, ['-e', script]).status).toBe(0)
    const poll = async () => (await t.lab.invoke('net.server.list', {})).find((s) => s.id === id)!.stats
    const end = Date.now() + 10_000
    while ((await poll()).resetEarly! < 50 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    expect((await poll()).resetEarly).toBe(50)
    expect(t.probe.of('connection')).toHaveLength(0)
    expect(childBudget.used).toBeLessThanOrEqual(1) // the spare only
    // And the server still answers at once.
    const c = await t.connect(port)
    c.send('alive')
    expect((await c.receive(5)).toString()).toBe('ALIVE')
  })

  // Forking: the bytes a child process holds count too (it reports them with every round; the lab enforces).
  it.each(['async', 'threading', 'forking'] as const)('buffered bytes (%s): framed clients that never finish their messages share one budget; the one over it is closed', async (mode) => {
    restore.push(withBudgetLimit(bufferBudget, 4 * 1024 * 1024))
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, frame: 'len32le', mode })
    const clients: net.Socket[] = []
    // Each announces 3 MB and sends 1.5 MB of it: the third goes over 4 MB.
    for (let i = 0; i < 3; i++) {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      clients.push(s)
      await new Promise((r) => s.once('connect', r))
      const head = Buffer.alloc(4)
      head.writeUInt32LE(3 * 1024 * 1024)
      s.write(Buffer.concat([head, Buffer.alloc(1536 * 1024, 0x61)]))
      await t.probe.until(() => t.probe.of('recv').filter((e) => e.conn === i + 1).reduce((n, e) => n + e.bytes, 0) >= 4 + 1536 * 1024 || t.probe.of('error').length > 0, `client ${i + 1} sent`)
      expect(bufferBudget.used).toBeLessThanOrEqual(bufferBudget.limit)
    }
    const over = await t.probe.until(() => t.probe.of('error').find((e) => e.error.code === 'ERR_LIMIT'), 'ERR_LIMIT')
    expect(over).toMatchObject({ conn: 3, error: { params: { budget: 'LAB_BUFFER_BYTES' } } })
    await t.probe.until(() => t.probe.of('close').find((e) => e.conn === 3), 'conn 3 closed')
    expect(t.probe.of('close').filter((e) => e.conn !== 3)).toHaveLength(0)
    for (const s of clients) s.destroy()
    await t.probe.until(() => t.probe.of('close').length === 3, 'all closed')
    expect(bufferBudget.used).toBe(0)
  })
})

describe('start, then close at once (issue 12): nothing is left listening', () => {
  const freePort = async (): Promise<number> => {
    const s = net.createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const { port } = s.address() as net.AddressInfo
    await new Promise((r) => s.close(r))
    return port
  }
  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), resolve(false)))
      s.once('error', () => resolve(true))
    })
  const udpBindable = async (port: number) => {
    const { createSocket } = await import('node:dgram')
    const s = createSocket('udp4')
    return new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false))
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)))
    })
  }

  it.each(['async', 'threading', 'forking'] as const)('TCP %s: close() in the same tick as listen()', async (mode) => {
    const { TcpServer } = await import('../../main/lab/net/tcp-server')
    const { WORKERS_DIR: workersDir } = await import('../helpers/paths')
    const port = await freePort()
    const events: string[] = []
    const server = new TcpServer('t', { host: '127.0.0.1', port, handler: 'upper', mode, workersDir }, (e) => events.push(e.event))
    const started = server.listen()
    expect(server.state).toBe('starting')
    await server.close()
    await started
    expect(server.state).toBe('closed')
    expect(await refused(port)).toBe(true)
    expect(threadBudget.used).toBe(0)
    expect(childBudget.used).toBe(0)
  })

  it('UDP: close() in the same tick as listen()', async () => {
    const { UdpServer } = await import('../../main/lab/net/udp-server')
    const port = await freePort()
    const server = new UdpServer('u', { host: '127.0.0.1', port, handler: 'upper' }, () => {})
    const started = server.listen()
    await server.close()
    await started
    expect(server.state).toBe('closed')
    expect(await udpBindable(port)).toBe(true)
  })
})
