import dgram from 'node:dgram'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { LabError } from '../../main/lab/errors'
import type { ServerEvent } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

/**
 * The UDP server's send from the server panel (issue 14, `net.udpServer.send`), against real
 * sockets: two real UDP clients of the test's own send to a lab server, and the panel's datagram
 * reaches only the one chosen (or both with `all`), from the server's own port, marked as the panel's.
 */

let lab: Lab
let serverEvents: ServerEvent[]
const sockets: dgram.Socket[] = []

beforeEach(() => {
  lab = createTestLab()
  serverEvents = []
  lab.onEvent((e) => e.topic === 'net.server' && serverEvents.push(e.payload))
})
afterEach(async () => {
  await lab.close()
  for (const s of sockets.splice(0)) s.close()
})

/** A real UDP client bound on loopback, keeping every datagram it receives with its sender's port. */
async function client(): Promise<{ port: number; got: { text: string; from: number }[]; send: (text: string, to: number) => void; next: (n: number) => Promise<void> }> {
  const socket = dgram.createSocket('udp4')
  sockets.push(socket)
  const got: { text: string; from: number }[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (m, r) => {
    got.push({ text: m.toString('latin1'), from: r.port })
    for (const w of waiters.splice(0)) w()
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  /** Resolves once `n` datagrams in all have arrived (a condition, never a sleep). */
  const next = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (got.length >= n ? resolve() : waiters.push(check))
      check()
    })
  return { port: socket.address().port, got, send: (text, to) => socket.send(text, to, '127.0.0.1'), next }
}

async function refused(p: Promise<unknown>): Promise<LabError> {
  try {
    await p
  } catch (err) {
    return err as LabError
  }
  throw new Error('expected the call to fail')
}

describe('UDP server send from the panel (net.udpServer.send), with two real clients', () => {
  it.each(['async', 'threading'] as const)('%s: only the chosen peer receives it; "all" reaches both; from the server port, marked by the panel', async (mode) => {
    const server = await lab.invoke('net.udpServer.start', { port: 0, mode })
    const a = await client()
    const b = await client()
    a.send('hi a', server.port)
    await a.next(1)
    b.send('hi b', server.port)
    await b.next(1)
    expect([a.got[0]!.text, b.got[0]!.text]).toEqual(['HI A', 'HI B'])

    // The server lists both as recent peers, the newest first.
    const info = (await lab.invoke('net.server.list', {})).find((s) => s.id === server.id)!
    expect(info.peers!.map((p) => `${p.address}:${p.port}`)).toEqual([`127.0.0.1:${b.port}`, `127.0.0.1:${a.port}`])
    expect(info.peers!.map((p) => p.datagrams)).toEqual([1, 1])

    const one = await lab.invoke('net.udpServer.send', { id: server.id, to: `127.0.0.1:${a.port}`, payload: 'only A' })
    expect(one.sent).toEqual([{ peer: `127.0.0.1:${a.port}`, bytes: 6 }])
    await a.next(2)
    expect(a.got[1]).toEqual({ text: 'only A', from: server.port })
    // B's next datagram is the one sent to B after it: "only A" never reached B (loopback keeps one sender's order).
    await lab.invoke('net.udpServer.send', { id: server.id, to: `127.0.0.1:${b.port}`, payload: 'for B' })
    await b.next(2)
    expect(b.got.map((d) => d.text)).toEqual(['HI B', 'for B'])

    const all = await lab.invoke('net.udpServer.send', { id: server.id, to: 'all', payload: 'c4e3bac3', hex: true })
    expect(all.sent.map((s) => s.peer).sort()).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort())
    await a.next(3)
    await b.next(3)
    expect(Buffer.from(a.got[2]!.text, 'latin1').toString('hex')).toBe('c4e3bac3')
    expect(Buffer.from(b.got[2]!.text, 'latin1').toString('hex')).toBe('c4e3bac3')

    // Each panel send is a sendto marked by the panel, with its bytes; the handler's replies are not.
    const sends = serverEvents.filter((e) => e.serverId === server.id && e.event === 'sendto')
    const panel = sends.filter((e) => 'by' in e && e.by === 'panel')
    expect(panel.map((e) => (e as { hex?: string }).hex)).toEqual(['6f6e6c792041', '666f722042', 'c4e3bac3', 'c4e3bac3'])
    expect(sends.length - panel.length).toBe(2)
    const after = (await lab.invoke('net.server.list', {})).find((s) => s.id === server.id)!
    expect(after.stats.bytesOut).toBe(4 + 4 + 6 + 5 + 4 + 4)
    // The traffic counters count them on the peer's row.
    const counters = (await lab.invoke('net.counters.read', {})).servers.find((s) => s.serverId === server.id)!
    expect(counters.conns.find((c) => c.peer === `127.0.0.1:${a.port}`)!.messagesOut).toBe(3)
  })

  it('refuses an address that never sent to it, a payload over one datagram, a TCP server, and a server nobody wrote to', async () => {
    const server = await lab.invoke('net.udpServer.start', { port: 0 })
    const nobody = await refused(lab.invoke('net.udpServer.send', { id: server.id, to: 'all', payload: 'x' }))
    expect([nobody.code, nobody.field]).toEqual(['ERR_BAD_STATE', 'to'])
    const a = await client()
    a.send('hi', server.port)
    await a.next(1)
    const stranger = await refused(lab.invoke('net.udpServer.send', { id: server.id, to: '127.0.0.1:9', payload: 'x' }))
    expect([stranger.code, stranger.field, stranger.params?.peer]).toEqual(['ERR_NOT_A_PEER', 'to', '127.0.0.1:9'])
    const big = await refused(lab.invoke('net.udpServer.send', { id: server.id, to: `127.0.0.1:${a.port}`, payload: 'ff'.repeat(65_508), hex: true }))
    expect(big.code).toBe('ERR_DATAGRAM_TOO_LARGE')
    const gbk = await lab.invoke('net.udpServer.send', { id: server.id, to: `127.0.0.1:${a.port}`, payload: '你好 #{{COUNTER}}', encoding: 'gbk', macros: true, counter: 7 })
    expect([gbk.hex, gbk.nextCounter]).toEqual([Buffer.from('c4e3bac32023', 'hex').toString('hex') + Buffer.from('7').toString('hex'), 8])
    await a.next(2)
    const tcp = await lab.invoke('net.tcpServer.start', { port: 0 })
    await expect(refused(lab.invoke('net.udpServer.send', { id: tcp.id, to: 'all', payload: 'x' }))).resolves.toMatchObject({ code: 'ERR_UNSUPPORTED' })
  })
})
