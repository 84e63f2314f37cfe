import dgram from 'node:dgram'
import net from 'node:net'
import { skipWithoutIpv6 } from '../helpers/ipv6'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_TCP_CLIENTS, type ClientEvent, type LabEvent } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

let lab: Lab
let events: LabEvent[]
const cleanups: (() => unknown)[] = []

beforeEach(() => {
  lab = createTestLab()
  events = []
  lab.onEvent((e) => events.push(e))
})
afterEach(async () => {
  // The lab's clients first, so servers that wait for their connections can close.
  await lab.close()
  for (const c of cleanups.splice(0).reverse()) await c()
})

const clientEvents = (id: string): ClientEvent[] =>
  events.filter((e): e is Extract<LabEvent, { topic: 'net.client' }> => e.topic === 'net.client').map((e) => e.payload).filter((p) => p.clientId === id)

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function labServer(handler = 'upper', extra: Record<string, unknown> = {}): Promise<number> {
  const info = await lab.invoke('net.tcpServer.start', { port: 0, handler, ...extra })
  return info.port
}

const received = (id: string) =>
  clientEvents(id)
    .filter((e) => e.event === 'received')
    .map((e) => (e.event === 'received' ? e.hex : ''))
    .join('')

describe('persistent TCP clients', () => {
  it('keeps several clients open at once, each with its own connection and replies', async () => {
    const port = await labServer()
    const a = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, nodelay: true })
    const b = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })
    expect(a.id).not.toBe(b.id)
    expect(a.state).toBe('open')
    expect(a.local?.port).not.toBe(b.local?.port)
    expect((await lab.invoke('net.tcpClient.list', {})).map((c) => c.id).sort()).toEqual([a.id, b.id].sort())

    await lab.invoke('net.tcpClient.send', { id: a.id, payload: 'hello from a' })
    await lab.invoke('net.tcpClient.send', { id: b.id, payload: 'hi b' })
    await until(() => received(a.id).length === 24 && received(b.id).length === 8, 'both replies')
    expect(Buffer.from(received(a.id), 'hex').toString()).toBe('HELLO FROM A')
    expect(Buffer.from(received(b.id), 'hex').toString()).toBe('HI B')
    const texts = clientEvents(a.id).filter((e) => e.event === 'received').map((e) => (e.event === 'received' ? e.text : ''))
    expect(texts.join('')).toBe('HELLO FROM A')
    expect(clientEvents(a.id)[0]).toMatchObject({ event: 'connected', proto: 'tcp' })

    const closed = await lab.invoke('net.tcpClient.close', { id: a.id })
    expect(closed.state).toBe('closed')
    expect(closed.bytesSent).toBe(12)
    expect(closed.bytesReceived).toBe(12)
    await until(() => clientEvents(a.id).some((e) => e.event === 'closed'), 'closed event')
    expect(clientEvents(a.id).find((e) => e.event === 'closed')).toMatchObject({ reason: 'local' })
    expect((await lab.invoke('net.tcpClient.list', {})).map((c) => c.id)).toEqual([b.id])
    const again = await lab.call('net.tcpClient.close', { id: a.id })
    expect(again.ok === false && again.error.code).toBe('ERR_NOT_FOUND')
  })

  it('repeats a send with a gap, one sent event per write with increasing times', async () => {
    const port = await labServer()
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, nodelay: true })
    const result = await lab.invoke('net.tcpClient.send', { id: c.id, payload: 'ab', repeat: 3, gapMs: 30 })
    expect(result).toMatchObject({ sends: 3, payloadBytes: 2, bytesPerSend: 2, totalBytes: 6, hex: '6162' })
    expect(result.lastAt).toBeGreaterThan(result.firstAt)
    const sent = clientEvents(c.id).filter((e) => e.event === 'sent')
    expect(sent.map((e) => (e.event === 'sent' ? e.seq : 0))).toEqual([1, 2, 3])
    await until(() => received(c.id).length === 12, 'three replies')
    expect(Buffer.from(received(c.id), 'hex').toString()).toBe('ABABAB')
  })

  it('sends hex payloads byte for byte and refuses bad hex with a clear message', async () => {
    const port = await labServer('echo')
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })
    const r = await lab.invoke('net.tcpClient.send', { id: c.id, payload: '00 ff:10\n7f', hex: true })
    expect(r).toMatchObject({ payloadBytes: 4, hex: '00ff107f' })
    await until(() => received(c.id) === '00ff107f', 'echoed bytes')

    const odd = await lab.call('net.tcpClient.send', { id: c.id, payload: 'abc', hex: true })
    expect(odd.ok).toBe(false)
    if (!odd.ok) {
      expect(odd.error.code).toBe('ERR_INVALID_INPUT')
      expect(odd.error.message).toMatch(/odd number/)
    }
    const bad = await lab.call('net.tcpClient.send', { id: c.id, payload: '12 zz', hex: true })
    expect(!bad.ok && bad.error.message).toMatch(/"z" at position 4/)
  })

  it('round-trips GBK text through the lab echo server: 你好 is c4e3bac3 on the wire', async () => {
    const port = await labServer('echo')
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, encoding: 'gbk' })
    const r = await lab.invoke('net.tcpClient.send', { id: c.id, payload: '你好' })
    expect(r.hex).toBe('c4e3bac3')
    await until(() => received(c.id) === 'c4e3bac3', 'GBK echo')
    const texts = clientEvents(c.id).filter((e) => e.event === 'received').map((e) => (e.event === 'received' ? e.text : ''))
    expect(texts.join('')).toBe('你好')
    const bad = await lab.call('net.tcpClient.send', { id: c.id, payload: '😀' })
    expect(!bad.ok && bad.error.code).toBe('ERR_ENCODING')
  })

  it('frames what it sends and reports whole messages it receives (len32be)', async () => {
    // A bare server that answers each framed message with a framed upper-cased copy, in one write each.
    const server = net.createServer((s) => {
      let buf = Buffer.alloc(0)
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d])
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const n = buf.readUInt32BE(0)
          const body = Buffer.from(buf.subarray(4, 4 + n).toString().toUpperCase())
          const head = Buffer.alloc(4)
          head.writeUInt32BE(body.length)
          // Deliberately split the reply across two writes: the client must still see one message.
          s.write(Buffer.concat([head, body.subarray(0, 1)]))
          setTimeout(() => s.write(body.subarray(1)), 20)
          buf = buf.subarray(4 + n)
        }
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, frame: 'len32be', nodelay: true })
    const r = await lab.invoke('net.tcpClient.send', { id: c.id, payload: 'abc' })
    expect(r.bytesPerSend).toBe(7)
    await until(() => clientEvents(c.id).some((e) => e.event === 'message'), 'a framed message')
    const messages = clientEvents(c.id).filter((e) => e.event === 'message')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ text: 'ABC', bytes: 3 })
    expect(clientEvents(c.id).filter((e) => e.event === 'received').length).toBeGreaterThanOrEqual(2)
    await lab.invoke('net.tcpClient.close', { id: c.id })
  })

  it('reports a refused connection and a server that hangs up', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const freePort = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const refused = await lab.call('net.tcpClient.open', { host: '127.0.0.1', port: freePort })
    expect(!refused.ok && refused.error.code).toBe('ERR_CONNECTION_REFUSED')

    const server = net.createServer((s) => s.end('bye'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port })
    await until(() => clientEvents(c.id).some((e) => e.event === 'closed'), 'closed by the server')
    expect(clientEvents(c.id).find((e) => e.event === 'closed')).toMatchObject({ reason: 'remote' })
    expect((await lab.invoke('net.tcpClient.list', {})).find((x) => x.id === c.id)?.state).toBe('closed')
    const late = await lab.call('net.tcpClient.send', { id: c.id, payload: 'x' })
    expect(!late.ok && late.error.code).toBe('ERR_BAD_STATE')
  })
})

describe('IPv6 loopback', () => {
  it.skipIf(skipWithoutIpv6)('connects to [::1] as written in URLs, where this machine has IPv6', async () => {
    const server = net.createServer((s) => s.pipe(s))
    await new Promise<void>((r) => server.listen(0, '::1', () => r()))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const c = await lab.invoke('net.tcpClient.open', { host: '[::1]', port })
    expect(c.remote.address).toBe('::1')
    expect((await lab.invoke('net.tcp.send', { host: '[::1]', port, message: 'v6' })).reply).toBe('v6')
  })
})

describe('one-shot net.tcp.send', () => {
  it('still sends plain UTF-8 and reads the upper-cased reply', async () => {
    const port = await labServer()
    const r = await lab.invoke('net.tcp.send', { host: '127.0.0.1', port, message: 'hello' })
    expect(r).toMatchObject({ reply: 'HELLO', replyHex: '48454c4c4f', bytesSent: 5, bytesReceived: 5 })
  })

  it('takes GBK text or hex, and reads a framed reply', async () => {
    const port = await labServer('echo')
    expect(await lab.invoke('net.tcp.send', { host: '127.0.0.1', port, message: '你好', encoding: 'gbk' })).toMatchObject({ reply: '你好', replyHex: 'c4e3bac3' })
    expect(await lab.invoke('net.tcp.send', { host: '127.0.0.1', port, message: 'c4 e3 ba c3', hex: true, encoding: 'gbk' })).toMatchObject({ reply: '你好' })
    const framed = await lab.invoke('net.tcp.send', { host: '127.0.0.1', port, message: 'abc', frame: 'len32le' })
    expect(framed).toMatchObject({ reply: 'abc', replyHex: '03000000616263', bytesSent: 7 })
    const bad = await lab.call('net.tcp.send', { host: '127.0.0.1', port, message: 'xyz', hex: true })
    expect(!bad.ok && bad.error.code).toBe('ERR_INVALID_INPUT')
  })
})

describe('persistent TCP clients: limits and shutdown', () => {
  it(`refuses more than ${MAX_TCP_CLIENTS} open clients with ERR_LIMIT, and closing one makes room`, async () => {
    const port = await labServer()
    const opened = await Promise.all(Array.from({ length: MAX_TCP_CLIENTS }, () => lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })))
    expect(new Set(opened.map((c) => c.id)).size).toBe(MAX_TCP_CLIENTS)
    const more = await lab.call('net.tcpClient.open', { host: '127.0.0.1', port })
    expect(!more.ok && more.error.code).toBe('ERR_LIMIT')
    await lab.invoke('net.tcpClient.close', { id: opened[0]!.id })
    expect((await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })).state).toBe('open')
  })

  it('closes every client when the lab stops: the server sees each connection end', async () => {
    const server = net.createServer()
    const open = new Set<net.Socket>()
    server.on('connection', (s) => {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('end', () => s.end())
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    for (let i = 0; i < 3; i++) await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })
    await until(() => open.size === 3, 'three connections')
    await lab.close()
    await until(() => open.size === 0, 'every connection closed')
  })
})

describe('UDP sender', () => {
  async function udpUpperServer(): Promise<number> {
    const s = dgram.createSocket('udp4')
    // ASCII letters only, like Python's bytes.upper(): GBK bytes pass through.
    s.on('message', (m, r) => s.send(m.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)), r.port, r.address))
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())))
    return s.address().port
  }

  it('sends each repeat as one datagram and collects every reply', async () => {
    const port = await udpUpperServer()
    const r = await lab.invoke('net.udp.send', { host: '127.0.0.1', port, payload: 'ping', repeat: 3, gapMs: 5 })
    expect(r.sent.map((d) => d.seq)).toEqual([1, 2, 3])
    expect(r.replies).toHaveLength(3)
    expect(r.replies.map((d) => d.text)).toEqual(['PING', 'PING', 'PING'])
    expect(r.replies[0]!.from.port).toBe(port)
    expect(r.local.port).toBeGreaterThan(0)
    // Talking to this machine, the sender listens for replies on loopback only.
    expect(r.local.address).toBe('127.0.0.1')
  })

  it('decodes GBK replies and sends hex', async () => {
    const port = await udpUpperServer()
    const r = await lab.invoke('net.udp.send', { host: '127.0.0.1', port, payload: 'c4e3bac3', hex: true, encoding: 'gbk' })
    expect(r.hex).toBe('c4e3bac3')
    expect(r.replies[0]).toMatchObject({ text: '你好', bytes: 4 })
  })

  it('refuses a datagram over 65,507 bytes before sending anything', async () => {
    let got = 0
    const s = dgram.createSocket('udp4')
    s.on('message', () => got++)
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())))
    const big = await lab.call('net.udp.send', { host: '127.0.0.1', port: s.address().port, payload: 'x'.repeat(65_508), waitReplyMs: 0 })
    expect(!big.ok && big.error.code).toBe('ERR_DATAGRAM_TOO_LARGE')
    const fits = await lab.invoke('net.udp.send', { host: '127.0.0.1', port: s.address().port, payload: 'x'.repeat(65_507), waitReplyMs: 0 })
    expect(fits.sent).toHaveLength(1)
    await until(() => got === 1, 'the datagram that fits')
    expect(events.filter((e) => e.topic === 'net.client' && e.payload.event === 'sent')).toHaveLength(1)
  })

  it('waits for replies only as long as asked when nobody answers', async () => {
    const s = dgram.createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())))
    const r = await lab.invoke('net.udp.send', { host: '127.0.0.1', port: s.address().port, payload: 'anyone?', waitReplyMs: 50 })
    expect(r.sent).toHaveLength(1)
    expect(r.replies).toHaveLength(0)
  })
})
