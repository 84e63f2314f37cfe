import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { ServerEvent } from '../../shared/contract'
import { EVENT_HEX_BYTES } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

/**
 * Issue 9: the course's loop with no framing (blocking-loop.ts `courseLoop`) makes each reply in its
 * read buffer, to stay lean in a cold thread or child. What the log shows must still be what was
 * read and what was written: the recv event the client's bytes, the send event the handler's reply.
 */
let lab: Lab
let events: ServerEvent[]
const cleanups: (() => unknown)[] = []
beforeEach(() => {
  lab = createTestLab()
  events = []
  lab.onEvent((e) => e.topic === 'net.server' && events.push(e.payload))
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await lab.close()
})

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

type Io = Extract<ServerEvent, { event: 'recv' | 'send' }>
const io = (serverId: string, kind: 'recv' | 'send') => events.filter((e): e is Io => e.serverId === serverId && e.event === kind)
const text = (e: Io) => Buffer.from(e.hex!, 'hex').toString('latin1')

describe.each(['threading', 'forking'] as const)('%s mode, no framing: the log shows the bytes read and the reply written', (mode) => {
  it('recv keeps the client’s bytes, send the reply made from them; a long one is cut with its size exact', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, mode, handler: 'upper', recvSize: 4096 })
    const socket = net.connect({ host: '127.0.0.1', port: server.port })
    socket.on('error', () => {})
    socket.setNoDelay(true)
    cleanups.push(() => socket.destroy())
    let got = ''
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')))
    await new Promise<void>((r) => socket.once('connect', () => r()))
    socket.write('hello, Ab-z')
    await until(() => got === 'HELLO, AB-Z', 'the first reply')
    const long = 'q'.repeat(1000)
    socket.write(long)
    await until(() => got.length === 11 + 1000, 'the long reply')
    await until(() => io(server.id, 'send').length >= 2 && io(server.id, 'send').reduce((n, e) => n + e.bytes, 0) === 1011, 'both reply events')

    const [firstIn] = io(server.id, 'recv')
    const [firstOut] = io(server.id, 'send')
    expect(text(firstIn!)).toBe('hello, Ab-z')
    expect(firstIn!.bytes).toBe(11)
    expect(text(firstOut!)).toBe('HELLO, AB-Z')
    expect(firstOut!.bytes).toBe(11)
    // The long message may arrive in more than one read: each recv keeps its own bytes, lower case.
    const later = io(server.id, 'recv').slice(1)
    expect(later.reduce((n, e) => n + e.bytes, 0)).toBe(1000)
    for (const e of later) {
      expect(text(e)).toBe('q'.repeat(Math.min(e.bytes, EVENT_HEX_BYTES)))
      expect(e.truncated).toBe(e.bytes > EVENT_HEX_BYTES)
    }
    for (const e of io(server.id, 'send').slice(1)) expect(text(e)).toBe('Q'.repeat(Math.min(e.bytes, EVENT_HEX_BYTES)))
  })
})
