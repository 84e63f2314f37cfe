import dgram from 'node:dgram'
import * as fsp from 'node:fs/promises'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { LabError } from '../../main/lab/errors'
import { SAVED_DAMAGED_FILE, SAVED_FILE, SavedMessagesStore, type SavedFs } from '../../main/lab/net/saved-messages-store'
import type { SavedMessageFields, ServerEvent } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'
import { SESSION_MAX_UNSENT_BYTES } from '../../shared/budgets'

let lab: Lab
let serverEvents: ServerEvent[]
const cleanups: (() => unknown)[] = []

beforeEach(() => {
  lab = createTestLab()
  serverEvents = []
  lab.onEvent((e) => e.topic === 'net.server' && serverEvents.push(e.payload))
})
afterEach(async () => {
  // The lab's clients first, so the test's own servers can close.
  await lab.close()
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A real client socket of the test's own, collecting every byte the lab's server sends it. */
async function rawClient(port: number): Promise<{ socket: net.Socket; bytes: () => Buffer; local: number }> {
  const socket = net.connect({ host: '127.0.0.1', port })
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  cleanups.push(() => socket.destroy())
  return { socket, bytes: () => Buffer.concat(chunks), local: socket.localPort! }
}

async function connOf(serverId: string, localPort: number): Promise<number> {
  let conn = 0
  await until(() => {
    const info = lab.invoke('net.server.list', {})
    void info.then((list) => {
      const c = list.find((s) => s.id === serverId)?.connections.find((x) => x.remote.port === localPort)
      if (c) conn = c.conn
    })
    return conn > 0
  }, `the server to list the connection from port ${localPort}`)
  return conn
}

async function refused(p: Promise<unknown>): Promise<LabError> {
  try {
    await p
  } catch (err) {
    return err as LabError
  }
  throw new Error('expected the call to fail')
}

describe('server-side send (net.server.send), against real sockets', () => {
  it('sends to the one chosen connection only, then to all; the bytes are counted and reported as the panel\'s', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, handler: 'echo' })
    const a = await rawClient(server.port)
    const b = await rawClient(server.port)
    const connA = await connOf(server.id, a.local)
    const connB = await connOf(server.id, b.local)

    const one = await lab.invoke('net.server.send', { id: server.id, to: connA, payload: 'only A' })
    expect(one.sent).toEqual([{ conn: connA, bytes: 6 }])
    await until(() => a.bytes().length === 6, 'A to receive its message')
    expect(a.bytes().toString()).toBe('only A')

    const all = await lab.invoke('net.server.send', { id: server.id, to: 'all', payload: '*' })
    expect(all.sent.map((s) => s.conn).sort()).toEqual([connA, connB].sort())
    await until(() => b.bytes().length > 0 && a.bytes().length === 7, 'both to receive the message to all')
    // B's very first bytes are the message to all: the one to A never reached it.
    expect(b.bytes().toString()).toBe('*')
    expect(a.bytes().toString()).toBe('only A*')

    const info = (await lab.invoke('net.server.list', {})).find((s) => s.id === server.id)!
    expect(info.connections.find((c) => c.conn === connA)!.bytesOut).toBe(7)
    expect(info.stats.bytesOut).toBe(8)
    const sends = serverEvents.filter((e) => e.event === 'send' && e.by === 'panel')
    expect(sends.map((e) => (e.event === 'send' ? [e.conn, e.hex] : null))).toEqual([
      [connA, Buffer.from('only A').toString('hex')],
      ...[connA, connB].sort().map((c) => [c, '2a']),
    ])
  })

  it('encodes GBK or hex and frames the message (the server\'s framing by default)', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, frame: 'len32be' })
    const a = await rawClient(server.port)
    const conn = await connOf(server.id, a.local)
    await lab.invoke('net.server.send', { id: server.id, to: conn, payload: '你好', encoding: 'gbk' })
    await lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'de ad', hex: true, frame: 'none' })
    await lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'ok', frame: 'line' })
    await until(() => a.bytes().length === 8 + 2 + 3, 'three messages')
    expect(a.bytes().toString('hex')).toBe('00000004c4e3bac3' + 'dead' + '6f6b0a')
    // Bad input is refused with its code before anything is written.
    await expect(refused(lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'zz', hex: true }))).resolves.toMatchObject({ code: 'ERR_INVALID_INPUT' })
    await expect(refused(lab.invoke('net.server.send', { id: server.id, to: conn, payload: '😀', encoding: 'gbk' }))).resolves.toMatchObject({ code: 'ERR_ENCODING' })
    await expect(refused(lab.invoke('net.server.send', { id: server.id, to: 99, payload: 'x' }))).resolves.toMatchObject({ code: 'ERR_NOT_FOUND' })
    expect(a.bytes().length).toBe(13)
  })

  it('serial mode: sends to the connection being served; one waiting in the queue is refused with ERR_SERVER_BUSY, and skipped by "all"', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'serial' })
    const a = await rawClient(server.port)
    const connA = await connOf(server.id, a.local)
    const b = await rawClient(server.port)
    const connB = await connOf(server.id, b.local)
    await until(() => serverEvents.some((e) => e.event === 'queued' && e.conn === connB), 'B to wait in the queue')

    await lab.invoke('net.server.send', { id: server.id, to: connA, payload: 'served' })
    const busy = await refused(lab.invoke('net.server.send', { id: server.id, to: connB, payload: 'queued' }))
    expect(busy.code).toBe('ERR_SERVER_BUSY')
    expect(busy.params).toMatchObject({ conn: connB, position: 1, serving: connA })
    const all = await lab.invoke('net.server.send', { id: server.id, to: 'all', payload: '!' })
    expect(all.sent).toEqual([{ conn: connA, bytes: 1 }])
    expect(all.skipped).toEqual([{ conn: connB, code: 'ERR_SERVER_BUSY' }])
    await until(() => a.bytes().toString() === 'served!', 'A to receive both')

    // A leaves: B's turn comes, and now it can be sent to; it never got the earlier ones.
    a.socket.end()
    await until(() => serverEvents.some((e) => e.event === 'served' && e.conn === connB), 'B to be served')
    await lab.invoke('net.server.send', { id: server.id, to: connB, payload: 'your turn' })
    await until(() => b.bytes().length > 0, 'B to receive')
    expect(b.bytes().toString()).toBe('your turn')
  })

  it('forking: the connection\'s child owns the socket (as ForkingTCPServer\'s parent closes its copy), so the panel is refused with ERR_OWNED_BY_HANDLER', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'forking', spares: 1 })
    const a = await rawClient(server.port)
    const conn = await connOf(server.id, a.local)
    const owned = await refused(lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'x' }))
    expect(owned.code).toBe('ERR_OWNED_BY_HANDLER')
    expect(owned.params).toMatchObject({ conn, mode: 'forking' })
    expect(owned.message).toMatch(/ForkingTCPServer/)
    await expect(refused(lab.invoke('net.server.send', { id: server.id, to: 'all', payload: 'x' }))).resolves.toMatchObject({ code: 'ERR_OWNED_BY_HANDLER' })
    a.socket.destroy()
    await lab.invoke('net.server.stop', { id: server.id })
  })

  it('threading: the panel writes between the thread\'s replies (net-thread-panel-send.test.ts has the rest)', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', spares: 1 })
    const a = await rawClient(server.port)
    const conn = await connOf(server.id, a.local)
    await lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'hi from the panel' })
    await until(() => a.bytes().toString() === 'hi from the panel', 'the thread-served client to receive it')
  })

  it('a client that does not read: the panel\'s send is refused with ERR_LIMIT naming SESSION_MAX_UNSENT_BYTES, its value and that it is fixed', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, handler: 'echo' })
    const c = await rawClient(server.port)
    c.socket.pause()
    const conn = await connOf(server.id, c.local)
    const chunk = 'x'.repeat(200_000)
    let error: LabError | null = null
    // The kernel's buffers take a few MB first; past them the lab queues, up to the budget. 40 MB at most.
    for (let i = 0; i < 200 && !error; i++) {
      error = await lab.invoke('net.server.send', { id: server.id, to: conn, payload: chunk }).then(() => null, (e: LabError) => e)
    }
    expect(error).toMatchObject({ code: 'ERR_LIMIT', params: { budget: 'SESSION_MAX_UNSENT_BYTES', max: SESSION_MAX_UNSENT_BYTES, use: 'asked', conn } })
    expect(error!.params!.used as number).toBeGreaterThan(SESSION_MAX_UNSENT_BYTES)
    expect(error!.params!.adjust).toBeUndefined()
    expect(error!.message).toMatch(/^reply bytes queued for one client that does not read \(SESSION_MAX_UNSENT_BYTES\): at most 4,194,304, this asks for [\d,]+; .*\(a fixed limit of the lab\)$/)
  })

  it('a UDP server and a server without connections say why nothing can be sent', async () => {
    const udp = await lab.invoke('net.udpServer.start', { port: 0 })
    await expect(refused(lab.invoke('net.server.send', { id: udp.id, to: 'all', payload: 'x' }))).resolves.toMatchObject({ code: 'ERR_UNSUPPORTED' })
    const tcp = await lab.invoke('net.tcpServer.start', { port: 0 })
    await expect(refused(lab.invoke('net.server.send', { id: tcp.id, to: 'all', payload: 'x' }))).resolves.toMatchObject({ code: 'ERR_BAD_STATE' })
  })
})

describe('macros at send time (shared/macros.ts through the engine)', () => {
  it('a persistent client\'s repeated send gets 1, 2, 3 and says where the counter goes on', async () => {
    const got: Buffer[] = []
    const sink = net.createServer((s) => s.on('data', (c: Buffer) => got.push(c)))
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise((r) => sink.close(r)))
    const port = (sink.address() as net.AddressInfo).port
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, frame: 'line' })
    const r = await lab.invoke('net.tcpClient.send', { id: c.id, payload: 'n={{COUNTER}}', repeat: 3, macros: true })
    expect(r.nextCounter).toBe(4)
    await until(() => Buffer.concat(got).toString() === 'n=1\nn=2\nn=3\n', 'three expanded lines')
    const again = await lab.invoke('net.tcpClient.send', { id: c.id, payload: 'n={{COUNTER}}', macros: true, counter: r.nextCounter })
    expect(again.nextCounter).toBe(5)
    await until(() => Buffer.concat(got).toString().endsWith('n=4\n'), 'the fourth')
    // Without `macros` the text goes as typed.
    await lab.invoke('net.tcpClient.send', { id: c.id, payload: '{{COUNTER}}' })
    await until(() => Buffer.concat(got).toString().endsWith('{{COUNTER}}\n'), 'the literal one')
  })

  it('each UDP datagram of a repeated send is expanded anew; the server panel expands too', async () => {
    const sock = dgram.createSocket('udp4')
    const datagrams: string[] = []
    sock.on('message', (m) => datagrams.push(m.toString()))
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise<void>((r) => sock.close(() => r())))
    const r = await lab.invoke('net.udp.send', { host: '127.0.0.1', port: sock.address().port, payload: '{{COUNTER}}@{{UNIXTIME}}', repeat: 3, macros: true, counter: 7, waitReplyMs: 0 })
    await until(() => datagrams.length === 3, 'three datagrams')
    expect(datagrams.map((d) => d.split('@')[0])).toEqual(['7', '8', '9'])
    for (const d of datagrams) expect(Math.abs(Number(d.split('@')[1]) - Date.now() / 1000)).toBeLessThan(600)
    expect(r.nextCounter).toBe(10)

    const server = await lab.invoke('net.tcpServer.start', { port: 0 })
    const a = await rawClient(server.port)
    const conn = await connOf(server.id, a.local)
    const sent = await lab.invoke('net.server.send', { id: server.id, to: conn, payload: '#{{COUNTER}} {{DATE}}', macros: true, counter: 41 })
    expect(sent.nextCounter).toBe(42)
    await until(() => a.bytes().length > 0, 'the expanded message')
    expect(a.bytes().toString()).toMatch(/^#41 \d{4}-\d{2}-\d{2}$/)
  })
})

describe('the one-shot client\'s timeouts are settings', () => {
  it('a silent server is reported after the reply timeout asked for, naming it; the contract keeps both within its range', async () => {
    const silent = net.createServer((s) => s.resume()) // reads (so it sees the FIN) but never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise((r) => silent.close(r)))
    const port = (silent.address() as net.AddressInfo).port
    // The connect timeout is the longest there is: if the reply wait used it, this test would run out of time.
    const err = await refused(lab.invoke('net.tcp.send', { host: '127.0.0.1', port, message: 'hi', replyTimeoutMs: 150, connectTimeoutMs: 60_000 }))
    expect(err.code).toBe('ERR_NO_REPLY')
    expect(err.params).toMatchObject({ ms: 150, option: 'replyTimeoutMs' })
    const bad = await lab.call('net.tcp.send', { host: '127.0.0.1', port, message: 'hi', connectTimeoutMs: 0 })
    expect(bad.ok ? null : bad.error.code).toBe('ERR_INVALID_INPUT')
    const big = await lab.call('net.tcp.send', { host: '127.0.0.1', port, message: 'hi', replyTimeoutMs: 60_001 })
    expect(big.ok ? null : big.error.params?.path).toBe('replyTimeoutMs')
  })
})

describe('saved messages in the data folder', () => {
  let dir: string
  const stores: SavedMessagesStore[] = []
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lab-saved-'))
  })
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const open = (fs?: SavedFs) => {
    const s = new SavedMessagesStore(dir, fs)
    stores.push(s)
    return s
  }
  const msg = (name: string, extra: Partial<SavedMessageFields> = {}): SavedMessageFields => ({
    name,
    group: 'demo',
    payload: 'n={{COUNTER}}',
    hex: false,
    encoding: 'utf8',
    frame: 'none',
    proto: 'udp',
    host: '127.0.0.1',
    port: 9999,
    repeat: 3,
    gapMs: 0,
    macros: true,
    ...extra,
  })

  it('saves, replaces, removes and imports through the engine, and a new lab reads them back', async () => {
    const withDir = createTestLab(dir)
    const a = await withDir.invoke('net.saved.put', { message: msg('a') })
    const b = await withDir.invoke('net.saved.put', { message: msg('b', { group: '', payload: '你好', encoding: 'gbk' }) })
    await withDir.invoke('net.saved.put', { id: a.id, message: msg('a2') })
    const imported = await withDir.invoke('net.saved.import', { messages: [msg('c'), msg('d', { proto: 'tcp', frame: 'len32le' })] })
    expect(imported).toEqual({ added: 2, total: 4 })
    await withDir.invoke('net.saved.remove', { id: b.id })
    await expect(withDir.call('net.saved.put', { id: 'nope', message: msg('x') })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
    await expect(withDir.call('net.saved.put', { message: { ...msg('x'), port: 0 } })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    await withDir.close()

    const again = createTestLab(dir)
    const list = await again.invoke('net.saved.list', {})
    expect(list.messages.map((m) => m.name)).toEqual(['a2', 'c', 'd'])
    expect(list).toMatchObject({ file: path.join(dir, SAVED_FILE), damaged: 0, damagedFile: null })
    expect(list.messages.find((m) => m.name === 'd')).toMatchObject({ proto: 'tcp', frame: 'len32le' })
    await again.close()
  })

  it('{{COUNTER}} goes on per saved message across sends and a restart of the engine, and resets to 1', async () => {
    const sock = dgram.createSocket('udp4')
    const datagrams: string[] = []
    sock.on('message', (m) => datagrams.push(m.toString()))
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise<void>((r) => sock.close(() => r())))
    const port = sock.address().port
    // What the panel does: send from the message's counter, then keep where it goes on.
    const sendSaved = async (engine: Lab, id: string) => {
      const m = (await engine.invoke('net.saved.list', {})).messages.find((x) => x.id === id)!
      const r = await engine.invoke('net.udp.send', { host: '127.0.0.1', port, payload: m.payload, repeat: m.repeat, macros: true, counter: m.counter, waitReplyMs: 0 })
      return engine.invoke('net.saved.counter', { id, next: r.nextCounter })
    }
    const first = createTestLab(dir)
    const a = await first.invoke('net.saved.put', { message: msg('a', { port, repeat: 2 }) })
    const b = await first.invoke('net.saved.put', { message: msg('b', { port, repeat: 1, payload: 'b={{COUNTER}}' }) })
    expect(a.counter).toBe(1)
    expect((await sendSaved(first, a.id)).counter).toBe(3)
    expect((await sendSaved(first, b.id)).counter).toBe(2)
    // Replacing a message keeps its counter.
    expect((await first.invoke('net.saved.put', { id: a.id, message: msg('a', { port, repeat: 2 }) })).counter).toBe(3)
    await first.close()

    const second = createTestLab(dir)
    const after = await second.invoke('net.saved.list', {})
    expect(after.messages.map((m) => [m.name, m.counter])).toEqual([['a', 3], ['b', 2]])
    expect(after.damaged).toBe(0)
    await sendSaved(second, a.id)
    await until(() => datagrams.length === 5, 'five datagrams')
    expect(datagrams).toEqual(['n=1', 'n=2', 'b=1', 'n=3', 'n=4'])
    // Reset from the panel; a bad value or an unknown message is a coded error.
    expect((await second.invoke('net.saved.counter', { id: a.id, next: 1 })).counter).toBe(1)
    await expect(second.call('net.saved.counter', { id: a.id, next: 0 })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    await expect(second.call('net.saved.counter', { id: 'nope', next: 2 })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
    await second.invoke('net.saved.remove', { id: b.id })
    await second.close()

    const third = createTestLab(dir)
    expect((await third.invoke('net.saved.list', {})).messages.map((m) => [m.name, m.counter])).toEqual([['a', 1]])
    await third.close()
  })

  it('counter lines are validated on load (a bad one is kept aside) and survive a compaction of the file', async () => {
    const file = path.join(dir, SAVED_FILE)
    const put = (id: string) => JSON.stringify({ op: 'put', ...msg(id), id, savedAt: 1_700_000_000_000 })
    const counter = (id: string, next: unknown, extra = {}) => JSON.stringify({ op: 'counter', id, next, at: 1_700_000_000_000, ...extra })
    const bad = [counter('a', 0), counter('a', 2.5), counter('a', 7, { sneaky: 1 }), counter('a', 1_000_000_000)]
    writeFileSync(file, [put('a'), put('b'), counter('a', 5), ...bad, counter('gone', 9), counter('b', 4), counter('b', 1), ''].join('\n'))
    const s = open()
    const list = await s.list()
    expect(list.messages.map((m) => [m.id, m.counter])).toEqual([['a', 5], ['b', 1]])
    expect(list.damaged).toBe(bad.length)
    expect(readFileSync(path.join(dir, SAVED_DAMAGED_FILE), 'utf8')).toBe(bad.map((l) => l + '\n').join(''))
    // The rewrite after the damage keeps a's counter, drops the dead lines.
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op: string; id: string; next?: number })
    expect(lines.map((l) => [l.op, l.id, l.next ?? null])).toEqual([['put', 'a', null], ['put', 'b', null], ['counter', 'a', 5]])
    // Sends go on after that rewrite (the append handle is a new one).
    for (let n = 6; n <= 2_010; n++) await s.setNextCounter('a', n)
    await s.close()
    const fresh = open()
    expect((await fresh.list()).messages.map((m) => [m.id, m.counter])).toEqual([['a', 2_010], ['b', 1]])
    // Runtime compaction kept the file from growing one line per send for ever.
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).length).toBeLessThan(100)
  })

  it('a damaged file is reported, not fatal: bad lines are kept aside byte for byte, the good ones load', async () => {
    const file = path.join(dir, SAVED_FILE)
    const good = (id: string) => JSON.stringify({ op: 'put', ...msg(id), id, savedAt: 1_700_000_000_000 })
    const damaged = [
      Buffer.from('garbage'),
      Buffer.from(JSON.stringify({ op: 'put', ...msg('p'), id: 'p', savedAt: 1, port: 70000 })),
      Buffer.from(JSON.stringify({ op: 'put', ...msg('q'), id: 'q', savedAt: 1, sneaky: 1 })),
      Buffer.from(`{"op":"put","id":"big","payload":"${'x'.repeat(200_000)}"}`),
    ]
    const torn = Buffer.from(good('torn').slice(0, 40))
    writeFileSync(file, Buffer.concat([Buffer.from(good('a') + '\n'), ...damaged.flatMap((d) => [d, Buffer.from('\n')]), Buffer.from(good('b') + '\n'), torn]))
    const s = open()
    const list = await s.list()
    expect(list.messages.map((m) => m.id)).toEqual(['a', 'b'])
    expect(list.damaged).toBe(damaged.length + 1)
    expect(list.damagedFile).toBe(path.join(dir, SAVED_DAMAGED_FILE))
    expect(readFileSync(path.join(dir, SAVED_DAMAGED_FILE)).equals(Buffer.concat([...damaged, torn].flatMap((d) => [d, Buffer.from('\n')])))).toBe(true)
    const c = await s.put(undefined, msg('c'))
    await s.close()
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a', 'b', c.id])
  })

  it('a failed write is ERR_STORAGE, cut back off the file, and the store keeps working', async () => {
    let fail = false
    const flaky: SavedFs = {
      readFile: fsp.readFile,
      rename: fsp.rename,
      mkdir: fsp.mkdir,
      open: (async (...args: Parameters<typeof fsp.open>) => {
        const fh = await fsp.open(...args)
        const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>
        // A disk that takes 10 bytes of the line and then no more.
        ;(fh as unknown as { write: unknown }).write = async (buf: Buffer, offset: number, length: number) => {
          if (!fail) return write(buf, offset, length)
          if (length > 10) return write(buf, offset, 10)
          return { bytesWritten: 0 }
        }
        return fh
      }) as typeof fsp.open,
    }
    const s = open(flaky)
    const a = await s.put(undefined, msg('a'))
    fail = true
    await expect(s.put(undefined, msg('b'))).rejects.toMatchObject({ code: 'ERR_STORAGE' })
    expect((await s.list()).messages.map((m) => m.id)).toEqual([a.id])
    fail = false
    const c = await s.put(undefined, msg('c'))
    await s.close()
    const fresh = open()
    expect((await fresh.list()).messages.map((m) => m.id)).toEqual([a.id, c.id])
    expect((await fresh.list()).damaged).toBe(0)
  })
})
