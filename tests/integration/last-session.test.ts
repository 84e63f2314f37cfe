import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import dgram from 'node:dgram'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { damagedFileOf } from '../../main/lab/net/last-session-lab'
import { LAST_SESSION_FILE, LAST_SESSION_FORMAT, LAST_SESSION_LIMITS, LAST_SESSION_UDP_PAYLOAD_CHARS, LAST_SESSION_VERSION } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

let dir: string
const labs: Lab[] = []
const cleanups: (() => unknown)[] = []
const open = () => {
  const lab = createTestLab(dir)
  labs.push(lab)
  return lab
}
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-session-'))
})
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close()
  for (const c of cleanups.splice(0).reverse()) await c()
  rmSync(dir, { recursive: true, force: true })
})

const file = () => path.join(dir, LAST_SESSION_FILE)
const remembered = () =>
  JSON.parse(readFileSync(file(), 'utf8')) as { servers: { proto: string; input: Record<string, unknown> }[]; clients: { input: Record<string, unknown> }[]; udpSenders?: { input: Record<string, unknown> }[] }

/** Waits for the file to say what the lab remembers (it is written after each change, off the call's path). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('the last session, restored on request after a restart (real servers and clients)', () => {
  it('remembers 2 servers and 1 client with their set-ups; after a restart a busy port fails only its own item', async () => {
    const first = open()
    const tcp = await first.invoke('net.tcpServer.start', { port: 0, mode: 'serial', handler: 'upper', frame: 'line', requestQueueSize: 3, idleTimeoutMs: 0 })
    const udp = await first.invoke('net.udpServer.start', { port: 0, handler: 'echo' })
    const stopped = await first.invoke('net.udpServer.start', { port: 0 })
    await first.invoke('net.server.stop', { id: stopped.id })
    await first.invoke('net.tcpClient.open', { host: '127.0.0.1', port: tcp.port, frame: 'line', nodelay: true })
    const closed = await first.invoke('net.tcpClient.open', { host: '127.0.0.1', port: tcp.port })
    await first.invoke('net.tcpClient.close', { id: closed.id })
    // What this run started is not offered to itself.
    expect(await first.invoke('net.session.last', {})).toMatchObject({ servers: [], clients: [], damaged: null })
    await until(() => existsSync(file()) && remembered().clients.length === 1 && remembered().servers.length === 2, 'the file to hold 2 servers and 1 client')
    await first.close()

    const second = open()
    const last = await second.invoke('net.session.last', {})
    expect(last.servers.map((s) => [s.proto, s.input.port])).toEqual([['tcp', tcp.port], ['udp', udp.port]])
    expect(last.servers[0]!.input).toMatchObject({ mode: 'serial', handler: 'upper', frame: 'line', requestQueueSize: 3, idleTimeoutMs: 0 })
    expect(last.clients.map((c) => c.input)).toEqual([{ host: '127.0.0.1', port: tcp.port, frame: 'line', nodelay: true }])
    expect(last).toMatchObject({ file: file(), damaged: null })
    expect(last.savedAt).toBeGreaterThan(0)

    // Another program took the TCP server's port meanwhile.
    const squatter = net.createServer((s) => s.destroy())
    await new Promise<void>((r) => squatter.listen(tcp.port, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise((r) => squatter.close(r)))
    const restored = await second.invoke('net.session.restore', {})
    expect(restored.servers.map((s) => (s.ok ? 'ok' : s.error.code))).toEqual(['ERR_PORT_IN_USE', 'ok'])
    expect(restored.servers[0]).toMatchObject({ ok: false, input: { port: tcp.port }, error: { params: expect.objectContaining({ port: tcp.port }) } })
    const udpAgain = restored.servers[1]!
    expect(udpAgain.ok ? udpAgain.value : null).toMatchObject({ proto: 'udp', port: udp.port, handler: 'echo' })
    // The client still started: it connects to whatever listens on that port now.
    expect(restored.clients.map((c) => (c.ok ? c.value.state : c.error.code))).toEqual(['open'])
    const clientAgain = restored.clients[0]!
    expect(clientAgain.ok ? clientAgain.value : null).toMatchObject({ port: tcp.port, frame: 'line', nodelay: true })
    // Offered once.
    expect(await second.invoke('net.session.last', {})).toMatchObject({ servers: [], clients: [] })
    expect((await second.invoke('net.session.restore', {})).servers).toEqual([])
    await squatter.close()
  })

  it('a restored set-up really runs (the same mode and handler answer on the same port); dismiss drops the offer', async () => {
    const first = open()
    const tcp = await first.invoke('net.tcpServer.start', { port: 0, handler: 'upper', frame: 'line' })
    await until(() => existsSync(file()) && remembered().servers.length === 1, 'the file')
    await first.close()
    const second = open()
    const restored = await second.invoke('net.session.restore', {})
    expect(restored.servers[0]?.ok).toBe(true)
    const reply = await second.invoke('net.tcp.send', { host: '127.0.0.1', port: tcp.port, message: 'hi', frame: 'line' })
    expect(reply.replyHex).toBe(Buffer.from('HI\n').toString('hex'))
    await second.close()

    const third = open()
    expect((await third.invoke('net.session.last', {})).servers).toHaveLength(1)
    expect(await third.invoke('net.session.dismiss', {})).toEqual({ dismissed: 1 })
    expect((await third.invoke('net.session.last', {})).servers).toEqual([])
  })

  it('keeps at most the contract\'s number of servers (the newest), in the file', async () => {
    const lab = open()
    const ports: number[] = []
    for (let i = 0; i < LAST_SESSION_LIMITS.servers + 2; i++) ports.push((await lab.invoke('net.udpServer.start', { port: 0 })).port)
    await until(() => existsSync(file()) && remembered().servers.at(-1)?.input.port === ports.at(-1), 'the last server in the file')
    expect(remembered().servers.map((s) => s.input.port)).toEqual(ports.slice(2))
  })

  it('a damaged file is reported with a code, kept aside, and the lab starts and remembers anew', async () => {
    const item = (port: unknown) => ({ proto: 'tcp', input: { host: '127.0.0.1', port } })
    const cases: [string, RegExp][] = [
      ['{not json', /not JSON/],
      [JSON.stringify({ format: 'other', version: 1, servers: [], clients: [] }), /not a last-session file/],
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [item(8081), item(70000)], clients: [] }), /servers\[1\] port/],
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [{ ...item(8081), input: { port: 8081, sneaky: 1 } }], clients: [] }), /servers\[0\]/],
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [{ input: { host: '127.0.0.1' } }] }), /clients\[0\]/],
      // A UDP set-up the contract refuses (h3): a port out of range, an unknown encoding, too many set-ups.
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [], udpSenders: [{ input: { host: '127.0.0.1', port: 0, payload: 'x' } }] }), /udpSenders\[0\] port/],
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [], udpSenders: [{ input: { host: '127.0.0.1', port: 9, payload: 'x', encoding: 'latin1' } }] }), /udpSenders\[0\] encoding/],
      [JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [], udpSenders: 'many' }), /udpSenders/],
      [
        JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [], udpSenders: Array.from({ length: LAST_SESSION_LIMITS.udpSenders + 1 }, () => ({ input: { host: '127.0.0.1', port: 9, payload: 'x' } })) }),
        /udpSenders/,
      ],
    ]
    for (const [text, why] of cases) {
      writeFileSync(file(), text)
      const lab = open()
      const last = await lab.invoke('net.session.last', {})
      expect(last.servers).toEqual([])
      expect(last.udpSenders).toEqual([])
      expect(last.damaged).toMatchObject({ code: 'ERR_INVALID_INPUT' })
      expect(last.damaged!.message).toMatch(why)
      expect(readFileSync(damagedFileOf(file()), 'utf8')).toBe(text)
      // Not fatal: the lab serves, and what it starts now is remembered over the damaged file.
      const s = await lab.invoke('net.udpServer.start', { port: 0 })
      await until(() => readFileSync(file(), 'utf8').includes(`"port":${s.port}`), 'the new file')
      await lab.close()
    }
  })

  it('remembers the UDP sender’s set-ups (newest per target, within the contract’s limits) and hands them back on restore without sending (h3)', async () => {
    // The targets are UDP sockets of the test's own: every datagram the lab sends them is counted.
    const targets = await Promise.all(
      Array.from({ length: LAST_SESSION_LIMITS.udpSenders + 1 }, async () => {
        const socket = dgram.createSocket('udp4')
        const got: string[] = []
        socket.on('message', (m) => got.push(m.toString('utf8')))
        await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
        cleanups.push(() => new Promise<void>((r) => socket.close(() => r())))
        return { socket, got, port: socket.address().port }
      }),
    )
    const first = open()
    const send = (port: number, extra: Record<string, unknown> = {}) => first.invoke('net.udp.send', { host: '127.0.0.1', port, payload: `to ${port}`, waitReplyMs: 0, ...extra } as never)
    // The first target twice: its newest set-up is what is kept; then more targets than the file keeps.
    await send(targets[0]!.port, { payload: 'old' })
    for (const t of targets) await send(t.port, t === targets[1] ? { encoding: 'gbk', payload: '你好', repeat: 3, gapMs: 5, macros: true, counter: 7 } : {})
    await send(targets[1]!.port, { encoding: 'gbk', payload: '你好', repeat: 3, gapMs: 5, macros: true, counter: 7 })
    // A payload longer than a set-up keeps is sent, not remembered.
    await send(targets[2]!.port, { payload: 'y'.repeat(LAST_SESSION_UDP_PAYLOAD_CHARS + 1) })
    const newest = [targets[2]!, targets[3]!, targets[4]!, targets[1]!].map((t) => t.port)
    await until(() => existsSync(file()) && (remembered().udpSenders ?? []).map((u) => u.input.port).join() === newest.join(), 'the newest UDP set-ups in the file')
    const sentBefore = targets.map((t) => t.got.length)
    await first.close()

    const second = open()
    const last = await second.invoke('net.session.last', {})
    expect(last.udpSenders.map((u) => u.input.port)).toEqual(newest)
    // The set-up as it was sent, without the macro counter (where that run left it is not a set-up).
    expect(last.udpSenders.at(-1)!.input).toMatchObject({ host: '127.0.0.1', port: targets[1]!.port, payload: '你好', encoding: 'gbk', repeat: 3, gapMs: 5, macros: true, waitReplyMs: 0 })
    expect(last.udpSenders.at(-1)!.input).not.toHaveProperty('counter')
    expect(last.udpSenders[0]!.input.payload).toBe(`to ${targets[2]!.port}`)
    const restored = await second.invoke('net.session.restore', {})
    expect(restored.udpSenders.map((u) => (u.ok ? u.value.port : null))).toEqual(newest)
    // Nothing was sent by the restore: the next datagram each target gets is the test's own marker.
    const marker = dgram.createSocket('udp4')
    cleanups.push(() => new Promise<void>((r) => marker.close(() => r())))
    for (const t of targets) marker.send('marker', t.port, '127.0.0.1')
    await until(() => targets.every((t, i) => t.got.length > sentBefore[i]!), 'the markers')
    expect(targets.map((t, i) => t.got.slice(sentBefore[i]))).toEqual(targets.map(() => ['marker']))
    // Offered once; back in the form, they are this run's set-ups, remembered for the next (as restored servers are).
    expect((await second.invoke('net.session.last', {})).udpSenders).toEqual([])
    await second.invoke('net.udp.send', { host: '127.0.0.1', port: targets[0]!.port, payload: 'after', waitReplyMs: 0 } as never)
    await until(() => (remembered().udpSenders ?? []).at(-1)?.input.payload === 'after', 'the second run’s file')
    await second.close()
    const third = open()
    expect((await third.invoke('net.session.last', {})).udpSenders.map((u) => u.input.port)).toEqual([...newest.slice(1), targets[0]!.port])
    // Dismiss counts UDP set-ups too.
    expect(await third.invoke('net.session.dismiss', {})).toEqual({ dismissed: LAST_SESSION_LIMITS.udpSenders })
  })

  it('a file written before UDP set-ups were remembered still restores its servers (no udpSenders: none, not damaged)', async () => {
    writeFileSync(file(), JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, savedAt: 1, servers: [{ proto: 'udp', input: { port: 0 } }], clients: [] }))
    const lab = open()
    const last = await lab.invoke('net.session.last', {})
    expect(last).toMatchObject({ damaged: null, udpSenders: [] })
    expect(last.servers).toHaveLength(1)
  })
})
