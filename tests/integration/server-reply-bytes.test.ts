import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { ServerEvent } from '../../shared/contract'
import { EVENT_HEX_BYTES } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

/**
 * Issue 14: the conversation shows the handler's replies, not their size only. Every mode's write
 * path (the main thread's Session, a connection thread's blocking loop through the shared ring, a
 * forked child's blocking loop through its batched event pipe, a UDP server's sendto) reports the
 * bytes it wrote, cut to EVENT_HEX_BYTES with the exact count kept.
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

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const sends = (serverId: string) => events.filter((e): e is Extract<ServerEvent, { event: 'send' }> => e.serverId === serverId && e.event === 'send')

describe.each(['async', 'serial', 'threading', 'forking'] as const)('%s mode: the handler’s replies carry their bytes', (mode) => {
  it('a short reply whole, a long one cut to EVENT_HEX_BYTES with its exact size', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0, mode, handler: 'upper', frame: 'line' })
    const socket = net.connect({ host: '127.0.0.1', port: server.port })
    socket.on('error', () => {})
    cleanups.push(() => socket.destroy())
    let got = ''
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')))
    await new Promise<void>((r) => socket.once('connect', () => r()))
    socket.write('hello 你好\n')
    await until(() => sends(server.id).length === 1, 'the first reply event')
    const long = 'x'.repeat(1000)
    socket.write(long + '\n')
    await until(() => sends(server.id).length === 2, 'the second reply event')
    await until(() => got.length === Buffer.byteLength('HELLO 你好\n') + 1001, 'the client to read both replies')

    const [short, cut] = sends(server.id)
    expect(short!.by).toBeUndefined()
    expect(short!.bytes).toBe(Buffer.byteLength('HELLO 你好\n'))
    expect(Buffer.from(short!.hex!, 'hex').toString('utf8')).toBe('HELLO 你好\n')
    expect(short!.truncated).toBe(false)
    expect(cut!.bytes).toBe(1001)
    expect(cut!.hex).toBe(Buffer.from('X'.repeat(EVENT_HEX_BYTES)).toString('hex'))
    expect(cut!.truncated).toBe(true)
  })
})

describe('UDP server', () => {
  it.each(['async', 'serial', 'threading'] as const)('%s mode: its sendto replies carry their bytes', async (mode) => {
    const dgram = await import('node:dgram')
    const server = await lab.invoke('net.udpServer.start', { port: 0, mode, handler: 'upper' })
    const client = dgram.createSocket('udp4')
    cleanups.push(() => new Promise<void>((r) => client.close(() => r())))
    const replies: Buffer[] = []
    client.on('message', (m) => replies.push(m))
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()))
    client.send(Buffer.from('abc 你好'), server.port, '127.0.0.1')
    await until(() => replies.length === 1 && events.some((e) => e.serverId === server.id && e.event === 'sendto'), 'the reply and its event')
    const sendto = events.find((e): e is Extract<ServerEvent, { event: 'sendto' }> => e.serverId === server.id && e.event === 'sendto')!
    expect(Buffer.from(sendto.hex!, 'hex')).toEqual(replies[0])
    expect(sendto.truncated).toBe(false)
  })
})
