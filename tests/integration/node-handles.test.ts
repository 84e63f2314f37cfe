/**
 * The private Node handle fields the `threading` mode depends on (main/lab/net/node-handles.ts),
 * checked on real sockets against the running Node. If a Node upgrade changes one of them, this
 * file fails with the field's name — before the threading mode silently falls back or breaks.
 */
import { readFileSync, readlinkSync } from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { abortConnection, alreadyReset, descriptorOf, setBlocking, threadsCanOwnDescriptors } from '../../main/lab/net/node-handles'
import { SharedConn } from '../../main/lab/net/shared-conn'

const linux = process.platform === 'linux'
const O_NONBLOCK = 0o4000

/** A connected pair on loopback: `server` was accepted paused, as the lab's servers accept. */
async function pair(): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const srv = net.createServer({ pauseOnConnect: true })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r))
  const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1')
  client.on('error', () => {})
  const server = await accepted
  server.on('error', () => {})
  srv.close()
  return { server, client, close: () => (server.destroy(), client.destroy()) }
}

describe.skipIf(!linux)(`Node ${process.version}: the private socket handle fields the threading mode uses`, () => {
  const open: Array<() => void> = []
  afterEach(() => open.splice(0).forEach((f) => f()))

  it('threads can own descriptors here', () => {
    expect(threadsCanOwnDescriptors()).toBe(true)
  })

  it('socket._handle.fd is the connection’s real descriptor (a socket in /proc/self/fd)', async () => {
    const p = await pair()
    open.push(p.close)
    const fd = descriptorOf(p.server)
    expect(fd, 'socket._handle.fd is gone or not a number').toEqual(expect.any(Number))
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toMatch(/^socket:\[\d+\]$/)
  })

  it('socket._handle.setBlocking(true) clears O_NONBLOCK on that descriptor', async () => {
    const p = await pair()
    open.push(p.close)
    const fd = descriptorOf(p.server)!
    const flags = () => parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8)
    expect(flags() & O_NONBLOCK).toBe(O_NONBLOCK)
    expect(setBlocking(p.server), 'socket._handle.setBlocking is gone or failed').toBe(true)
    expect(flags() & O_NONBLOCK).toBe(0)
  })

  it('socket._handle.getpeername tells a connection reset before it was read', async () => {
    const p = await pair()
    open.push(p.close)
    expect(alreadyReset(p.server)).toBe(false)
    p.client.resetAndDestroy()
    const end = Date.now() + 5_000
    while (!alreadyReset(p.server) && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    expect(alreadyReset(p.server), 'getpeername on a reset connection no longer fails').toBe(true)
  })

  it('a UDP handle’s open(fd) + disconnect() aborts the TCP connection (the wake-up for a blocked recv)', async () => {
    const p = await pair()
    open.push(p.close)
    const reset = new Promise<string>((r) => p.client.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')))
    p.client.on('data', () => {})
    expect(abortConnection(descriptorOf(p.server)!), 'dgram handle open/disconnect moved').toBe(true)
    expect(await reset).toBe('ECONNRESET')
  })

  it('SharedConn carries events through its ring, wrapping around, and counts what did not fit', () => {
    const s = new SharedConn()
    const mine = new SharedConn(s.sab)
    let sent = 0
    let seen = 0
    // Records of varying size, many times round the 256 KB ring: every one comes out once, in order.
    for (let round = 0; round < 40; round++) {
      // Binary records (recv with up to 256 raw bytes, send) and JSON ones (an error), mixed.
      for (let i = 0; i < 400; i++) {
        const n = sent + 1
        const ok = n % 3 === 0 ? mine.sent(n, Buffer.from('reply')) : n % 3 === 1 ? mine.recv(n, Buffer.alloc((sent * 7) % 300, 0xab)) : mine.push({ event: 'error', error: { code: 'ERR_INTERNAL', message: String(n) } })
        if (ok) sent++
      }
      for (const e of s.drain()) {
        const n = ++seen
        // A record keeps the first `bytes` of its buffer (the loop passes its longer, reused read buffer), at most 256.
        if (n % 3 === 0) expect(e).toEqual({ event: 'send', bytes: n, hex: Buffer.from('reply').subarray(0, n).toString('hex'), truncated: n > 256 })
        else if (n % 3 === 1) {
          const raw = Math.min(((n - 1) * 7) % 300, 256, n)
          expect(e).toEqual({ event: 'recv', bytes: n, hex: 'ab'.repeat(raw), truncated: n > 256 })
        } else expect(e).toEqual({ event: 'error', error: { code: 'ERR_INTERNAL', message: String(n) } })
      }
    }
    expect(seen).toBe(sent)
    expect(sent).toBe(40 * 400)
    for (let i = 0; i < 100_000; i++) mine.recv(1000, Buffer.alloc(1000, 0xff))
    expect(s.dropped()).toBeGreaterThan(0)
    expect(s.drain().length).toBeGreaterThan(0)
  })

  it('SharedConn records made from its own read buffer keep the bytes as they were when recorded', () => {
    const s = new SharedConn()
    const mine = new SharedConn(s.sab)
    // The thread's loop reads into this buffer and makes the reply in it: each record copies first.
    const buf = mine.readBuffer(1024)
    expect(buf.length).toBe(1024)
    const hex = (t: string) => Buffer.from(t).toString('hex')
    buf.write('hello world')
    mine.recv(5, buf)
    buf.write('HELLO')
    mine.sent(5, buf)
    buf.fill(0x61, 0, 300)
    mine.recv(300, buf)
    expect(s.drain()).toEqual([
      { event: 'recv', bytes: 5, hex: hex('hello'), truncated: false },
      { event: 'send', bytes: 5, hex: hex('HELLO'), truncated: false },
      { event: 'recv', bytes: 300, hex: '61'.repeat(256), truncated: true },
    ])
  })
})
