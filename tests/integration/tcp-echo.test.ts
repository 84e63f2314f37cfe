import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LabEvent, ServerEvent } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { hasPython } from '../helpers/python'


describe('TCP echo through the engine', () => {
  let lab: Lab
  let events: LabEvent[]
  beforeEach(() => {
    lab = createTestLab()
    events = []
    lab.onEvent((e) => events.push(e))
  })
  afterEach(() => lab.close())

  const serverEvents = () => events.filter((e) => e.topic === 'net.server').map((e) => e.payload as ServerEvent)
  const waitFor = async (pred: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms
    while (!pred()) {
      if (Date.now() > end) throw new Error(`condition not met; events: ${JSON.stringify(serverEvents())}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('upper-cases what a client sends and reports the exchange as events', async () => {
    const server = await lab.invoke('net.tcpServer.start', { host: '127.0.0.1', port: 0 })
    expect(server.port).toBeGreaterThan(0)
    expect(server.state).toBe('listening')
    const reply = await lab.invoke('net.tcp.send', { host: '127.0.0.1', port: server.port, message: 'hello, 你好' })
    expect(reply.reply).toBe('HELLO, 你好')
    expect(reply.bytesSent).toBe(Buffer.byteLength('hello, 你好'))
    await waitFor(() => serverEvents().some((e) => e.event === 'close'))
    const kinds = serverEvents().map((e) => e.event)
    expect(kinds.slice(0, 2)).toEqual(['listening', 'connection'])
    expect(kinds).toContain('recv')
    const recv = serverEvents().find((e) => e.event === 'recv')
    expect(recv).toMatchObject({ bytes: reply.bytesSent, hex: Buffer.from('hello, 你好').toString('hex') })
    const conn = serverEvents().find((e) => e.event === 'connection')
    expect(conn).toMatchObject({ remote: { address: '127.0.0.1', port: reply.local.port } })
  })

  it('serves several clients on one connection each and counts their bytes', async () => {
    const { port, id } = await lab.invoke('net.tcpServer.start', { port: 0 })
    const sock = net.connect({ host: '127.0.0.1', port })
    await new Promise((r) => sock.once('connect', r))
    sock.write('abc')
    const got = await new Promise<string>((r) => sock.once('data', (d) => r(d.toString())))
    expect(got).toBe('ABC')
    const [info] = await lab.invoke('net.server.list', {})
    expect(info!.id).toBe(id)
    expect(info!.connections).toHaveLength(1)
    expect(info!.connections[0]).toMatchObject({ bytesIn: 3, bytesOut: 3 })
    sock.destroy()
  })

  it('returns ERR_PORT_IN_USE with a hint when the port is taken, and keeps running', async () => {
    const { port } = await lab.invoke('net.tcpServer.start', { port: 0 })
    const r = await lab.call('net.tcpServer.start', { port })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('ERR_PORT_IN_USE')
      expect(r.error.hint).toMatch(/port 0/)
      expect(r.error.params).toMatchObject({ port })
    }
    expect((await lab.invoke('net.server.list', {})).length).toBe(1)
  })

  it('returns ERR_CONNECTION_REFUSED when nothing listens', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const r = await lab.call('net.tcp.send', { host: '127.0.0.1', port, message: 'hi' })
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_CONNECTION_REFUSED' } })
  })

  it('rejects invalid input with ERR_INVALID_INPUT naming the field', async () => {
    const r = await lab.call('net.tcpServer.start', { port: 70000 })
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT', params: { path: 'port' } } })
    const u = await lab.call('no.such.method', {})
    expect(u).toMatchObject({ ok: false, error: { code: 'ERR_UNKNOWN_METHOD' } })
  })

  it('stops with a client attached: the client sees the end, the port is free again at once', async () => {
    const { port, id } = await lab.invoke('net.tcpServer.start', { port: 0 })
    const sock = net.connect({ host: '127.0.0.1', port })
    await new Promise((r) => sock.once('connect', r))
    const ended = new Promise<void>((r) => sock.once('close', () => r()))
    sock.on('error', () => {})
    sock.resume()
    await lab.invoke('net.server.stop', { id })
    await ended
    expect(serverEvents().at(-1)).toMatchObject({ event: 'closed' })
    const again = await lab.invoke('net.tcpServer.start', { port })
    expect(again.port).toBe(port)
    expect((await lab.call('net.server.stop', { id })).ok).toBe(false)
  })

  it.skipIf(!hasPython)('answers a course-style Python client with b\'HELLO\'', async () => {
    const { port } = await lab.invoke('net.tcpServer.start', { port: 0 })
    const program = [
      'import socket, sys',
      'client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
      "client.connect(('127.0.0.1', int(sys.argv[1])))",
      "client.send(b'hello')",
      'print(client.recv(1024))',
      'client.close()',
    ].join('\n')
    // Asynchronous: the server runs in this test's own event loop.
    const { stdout } = await promisify(execFile)('python3', ['-c', program, String(port)], { encoding: 'utf8', timeout: 10_000 })
    expect(stdout.trim()).toBe("b'HELLO'")
  })
})
