import dgram from 'node:dgram'
import { existsSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'
import { RawClient, waitUntil } from '../helpers/server-probe'

describe('lab serve', () => {
  const running: LabProcess[] = []
  const clients: RawClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
  })
  const serve = (args: string[]) => {
    const p = new LabProcess(['serve', ...args, '--json'])
    running.push(p)
    return p
  }

  it('tcp --mode threading: first line names the port, connection lines say which thread serves', async () => {
    const server = serve(['tcp', '--port', '0', '--mode', 'threading', '--handler', 'reverse', '--recv-size', '2'])
    const first = await server.waitFor((l) => l.event === 'listening')
    expect(server.lines[0]).toEqual({ event: 'listening', proto: 'tcp', host: '127.0.0.1', port: first.port })
    const c = new RawClient(Number(first.port))
    clients.push(c)
    await c.ready
    c.send('abcd')
    expect((await c.receive(4)).toString()).toBe('badc')
    const conn = await server.waitFor((l) => l.event === 'connection')
    const servedBy = conn.servedBy as { kind: string; pid: number; tid: number | null }
    expect(servedBy.kind).toBe('thread')
    expect(servedBy.pid).toBe(server.child.pid)
    if (process.platform === 'linux') expect(existsSync(`/proc/${servedBy.pid}/task/${servedBy.tid}`)).toBe(true)
    // The thread records its events in shared memory; the lab collects them every 50 ms.
    await server.waitFor((l) => l.event === 'send' && server.lines.filter((x) => x.event === 'send').length === 2)
    const reads = server.lines.filter((l) => l.event === 'recv')
    expect(reads.map((l) => l.hex)).toEqual(['6162', '6364'])
    await c.close()
    await server.waitFor((l) => l.event === 'close')
    expect(await server.stop('SIGTERM')).toBe(0)
  })

  it('tcp --mode serial --frame line: queued and served lines, message lines', async () => {
    const server = serve(['tcp', '--port', '0', '--mode', 'serial', '--frame', 'line'])
    const { port } = await server.waitFor((l) => l.event === 'listening')
    const a = new RawClient(Number(port))
    const b = new RawClient(Number(port))
    clients.push(a, b)
    await a.ready
    await server.waitFor((l) => l.event === 'served' && l.conn === 1)
    await b.ready
    a.send('one\ntw')
    a.send('o\n')
    expect((await a.receive(8)).toString()).toBe('ONE\nTWO\n')
    await server.waitFor((l) => l.event === 'queued' && l.conn === 2)
    const messages = server.lines.filter((l) => l.event === 'message').map((l) => Buffer.from(String(l.hex), 'hex').toString())
    expect(messages).toEqual(['one', 'two'])
    await a.close()
    const served = await server.waitFor((l) => l.event === 'served' && l.conn === 2)
    expect(served).toMatchObject({ servedBy: { kind: 'queue' }, waitedMs: expect.any(Number) })
  })

  it('udp: answers datagrams and reports each one', async () => {
    const server = serve(['udp', '--port', '0', '--handler', 'echo'])
    const first = await server.waitFor((l) => l.event === 'listening')
    expect(server.lines[0]).toEqual({ event: 'listening', proto: 'udp', host: '127.0.0.1', port: first.port })
    const sock = dgram.createSocket('udp4')
    try {
      const reply = new Promise<string>((r) => sock.once('message', (m) => r(String(m))))
      sock.send('Hello', Number(first.port), '127.0.0.1')
      expect(await reply).toBe('Hello')
      const d = await server.waitFor((l) => l.event === 'datagram')
      expect(d).toMatchObject({ bytes: 5, from: { address: '127.0.0.1' } })
    } finally {
      sock.close()
    }
  })

  it('explains every option in --help', async () => {
    const { code, stdout } = await runLab(['serve', '--help'])
    expect(code).toBe(0)
    for (const word of ['--host', '--port', '--mode', 'serial', 'threading', 'forking', 'async', '--handler', 'upper', 'echo', 'reverse', 'delay:MS', '--recv-size', '--read-delay', '--frame', 'len32le', 'len32be', 'line', '--max-frame', '--idle-timeout', '--max-connections', '--max-datagram', '--json']) {
      expect(stdout).toContain(word)
    }
  })

  it('udp --mode threading: each datagram line names the worker thread that handled it', async () => {
    const server = serve(['udp', '--port', '0', '--mode', 'threading'])
    const first = await server.waitFor((l) => l.event === 'listening')
    const sock = dgram.createSocket('udp4')
    try {
      const reply = new Promise<string>((resolve) => sock.once('message', (m) => resolve(String(m))))
      sock.send('abc', Number(first.port), '127.0.0.1')
      expect(await reply).toBe('ABC')
      const d = await server.waitFor((l) => l.event === 'datagram')
      const servedBy = d.servedBy as { kind: string; pid: number; tid: number | null }
      expect(servedBy).toMatchObject({ kind: 'thread', pid: server.child.pid })
      if (process.platform === 'linux') expect(servedBy.tid).not.toBe(server.child.pid)
      expect(typeof d.waitedMs).toBe('number')
      expect(d.startup).toMatchObject({ spare: expect.any(Boolean) })
    } finally {
      sock.close()
    }
    expect(await server.stop('SIGTERM')).toBe(0)
  })

  it('rejects bad options with exit code 2 and a coded error', async () => {
    for (const args of [
      ['tcp', '--mode', 'parallel'],
      ['tcp', '--frame', 'len16'],
      ['tcp', '--handler', 'shout'],
      ['tcp', '--recv-size', '0'],
      ['tcp', '--read-delay', '-5'],
      ['udp', '--mode', 'forking'],
      ['udp', '--frame', 'line'],
      ['tcp', '--max-datagram', '10'],
      ['sctp'],
    ]) {
      const r = await runLab(['serve', ...args, '--port', '0', '--json'])
      expect(r.code, args.join(' ')).toBe(2)
      expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    }
  })

  it('reports a port in use with exit code 1', async () => {
    const server = serve(['udp', '--port', '0'])
    const { port } = await server.waitFor((l) => l.event === 'listening')
    const r = await runLab(['serve', 'udp', '--port', String(port), '--json'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('ERR_PORT_IN_USE')
    await waitUntil(() => true, 'noop')
  })
})
