import dgram from 'node:dgram'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { v4Interfaces } from '../../main/lab/net/udp-cast'
import { createTestLab } from '../helpers/lab'
import { LabProcess, runLab } from '../helpers/cli'

/**
 * Broadcast and multicast over real sockets on loopback (issue 14): the loopback broadcast
 * 127.255.255.255, a group joined on 127.0.0.1. Nothing here is sent beyond this machine: every
 * address that would leave it is refused before a socket exists, and that refusal is what is tested.
 */
const GROUP = '239.255.42.7'

/**
 * Can this kernel carry multicast on loopback? A raw probe: join GROUP on 127.0.0.1, send to it
 * with IP_MULTICAST_IF = 127.0.0.1. Null when it can, else the reason (the tests then skip, saying it).
 */
async function loopbackMulticast(): Promise<string | null> {
  const r = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  const s = dgram.createSocket('udp4')
  try {
    await new Promise<void>((res, rej) => {
      r.once('error', rej)
      r.bind(0, GROUP, () => res())
    })
    r.addMembership(GROUP, '127.0.0.1')
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()))
    s.setMulticastInterface('127.0.0.1')
    const got = new Promise<boolean>((res) => {
      r.once('message', () => res(true))
      setTimeout(() => res(false), 2_000)
    })
    s.send('probe', r.address().port, GROUP)
    return (await got) ? null : 'a datagram sent to the group on 127.0.0.1 did not arrive within 2 s'
  } catch (err) {
    return `the kernel refused: ${(err as Error).message}`
  } finally {
    r.close()
    s.close()
  }
}

describe('UDP broadcast and multicast, on loopback', () => {
  let lab: Lab
  let noMulticast: string | null = null
  beforeAll(async () => {
    noMulticast = await loopbackMulticast()
  })
  const closers: (() => unknown)[] = []
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    for (const c of closers.splice(0)) await c()
    await lab.close()
  })

  it('broadcasts to 127.255.255.255 with broadcast: true; a server bound there answers, one bound to 127.0.0.1 hears nothing', async () => {
    const server = await lab.invoke('net.udpServer.start', { host: '127.255.255.255', port: 0 })
    // A plain socket on 127.0.0.1, same port: a broadcast is not addressed to it.
    const plain = dgram.createSocket('udp4')
    let plainGot = 0
    plain.on('message', () => plainGot++)
    await new Promise<void>((r) => plain.bind(server.port, '127.0.0.1', () => r()))
    closers.push(() => plain.close())
    const r = await lab.invoke('net.udp.send', { host: '127.255.255.255', port: server.port, payload: 'hello all', broadcast: true, waitReplyMs: 2_000 })
    expect(r.cast).toEqual({ kind: 'broadcast' })
    expect(r.local.address).toBe('127.0.0.1')
    expect(r.replies.map((d) => d.text)).toEqual(['HELLO ALL'])
    expect(r.replies[0]!.from.address).toMatch(/^127\./)
    const info = (await lab.invoke('net.server.list', {})).find((s) => s.id === server.id)!
    expect(info.stats.datagrams).toBe(1)
    expect(plainGot).toBe(0)
  })

  it('without broadcast: true the OS refuses the send (EACCES), explained as ERR_BROADCAST_NOT_ENABLED on the broadcast field', async () => {
    const server = await lab.invoke('net.udpServer.start', { host: '127.255.255.255', port: 0 })
    const r = await lab.call('net.udp.send', { host: '127.255.255.255', port: server.port, payload: 'x', waitReplyMs: 0 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('ERR_BROADCAST_NOT_ENABLED')
    expect(r.error.field).toBe('broadcast')
    expect(r.error.message).toContain('EACCES')
    expect(r.error.hint).toContain('SO_BROADCAST')
    expect((await lab.invoke('net.server.list', {}))[0]!.stats.datagrams).toBe(0)
  })

  it('refuses, before any socket, every broadcast that would leave this machine unless allInterfaces consents', async () => {
    const outside = ['255.255.255.255', ...v4Interfaces().filter((i) => !i.internal).map((i) => i.broadcast)]
    for (const host of outside) {
      const r = await lab.call('net.udp.send', { host, port: 9, payload: 'x', broadcast: true, waitReplyMs: 0 })
      expect(r.ok, host).toBe(false)
      if (r.ok) continue
      expect(r.error.code).toBe('ERR_BEYOND_LOOPBACK')
      expect(r.error.params).toMatchObject({ address: host, path: 'allInterfaces' })
      expect(r.error.hint).toContain('--all-interfaces')
    }
  })

  it('multicast: one datagram to the group reaches both servers that joined it on 127.0.0.1, and both answer', async (ctx) => {
    if (noMulticast) ctx.skip(`no multicast on loopback here: ${noMulticast}`)
    const a = await lab.invoke('net.udpServer.start', { multicastGroup: GROUP, port: 0 })
    const b = await lab.invoke('net.udpServer.start', { multicastGroup: GROUP, port: a.port, handler: 'reverse' })
    for (const s of [a, b]) {
      expect(s.host).toBe(GROUP)
      expect(s.multicast).toEqual({ group: GROUP, interface: '127.0.0.1' })
    }
    // Multicast waits the whole reply time: long enough for both members on a busy machine.
    const r = await lab.invoke('net.udp.send', { host: GROUP, port: a.port, payload: 'abc', waitReplyMs: 3_000 })
    expect(r.cast).toEqual({ kind: 'multicast', multicastInterface: '127.0.0.1', multicastTtl: 1 })
    expect(r.local.address).toBe('127.0.0.1')
    expect(r.sent).toHaveLength(1)
    expect(r.replies.map((d) => d.text).sort()).toEqual(['ABC', 'cba'])
    const list = await lab.invoke('net.server.list', {})
    expect(list.map((s) => s.stats.datagrams)).toEqual([1, 1])
  })

  it('a group member bound to 127.0.0.1 would never hear the group: refused, host named; so is a group that is not one', async () => {
    const host = await lab.call('net.udpServer.start', { multicastGroup: GROUP, host: '127.0.0.1', port: 0 })
    expect(host.ok ? null : [host.error.code, host.error.field]).toEqual(['ERR_INVALID_INPUT', 'host'])
    const group = await lab.call('net.udpServer.start', { multicastGroup: '10.1.2.3', port: 0 })
    expect(group.ok ? null : [group.error.code, group.error.field]).toEqual(['ERR_INVALID_INPUT', 'multicastGroup'])
    // 0.0.0.0 is allowed for a member, with the every-interface consent like any server.
    const any = await lab.call('net.udpServer.start', { multicastGroup: GROUP, host: '0.0.0.0', port: 0 })
    expect(any.ok ? null : any.error.code).toBe('ERR_CONSENT_REQUIRED')
    expect(await lab.invoke('net.server.list', {})).toEqual([])
  })

  it('multicast through an interface that is not loopback needs consent; one that is not this machine\'s is refused', async () => {
    const network = v4Interfaces().find((i) => !i.internal)
    if (network) {
      const send = await lab.call('net.udp.send', { host: GROUP, port: 9, payload: 'x', multicastInterface: network.address, waitReplyMs: 0 })
      expect(send.ok ? null : [send.error.code, send.error.field]).toEqual(['ERR_BEYOND_LOOPBACK', 'multicastInterface'])
      const join = await lab.call('net.udpServer.start', { multicastGroup: GROUP, multicastInterface: network.address, port: 0 })
      expect(join.ok ? null : [join.error.code, join.error.field]).toEqual(['ERR_BEYOND_LOOPBACK', 'multicastInterface'])
    }
    // 192.0.2.x is TEST-NET-1 (documentation): an address no interface has, unless this machine's is in it.
    const foreign = ['192.0.2.254', '198.51.100.254'].find((a) => !v4Interfaces().some((i) => i.address === a))!
    const r = await lab.call('net.udp.send', { host: GROUP, port: 9, payload: 'x', multicastInterface: foreign, waitReplyMs: 0 })
    expect(r.ok ? null : [r.error.code, r.error.field]).toEqual(['ERR_ADDRESS_NOT_AVAILABLE', 'multicastInterface'])
  })

  it('the CLI: lab serve udp --multicast joins, lab send udp to the group prints each member\'s reply with its sender; a broadcast without --broadcast exits 1', async (ctx) => {
    if (noMulticast) ctx.skip(`no multicast on loopback here: ${noMulticast}`)
    const server = new LabProcess(['serve', 'udp', '--multicast', GROUP, '--port', '0', '--json'])
    closers.push(() => server.stop())
    const listening = await server.waitFor((l) => l.event === 'listening')
    expect(listening).toMatchObject({ host: GROUP })
    const port = String(listening.port)
    const sent = await runLab(['send', 'udp', GROUP, port, 'hi', '--timeout', '2000'])
    expect(sent.code).toBe(0)
    expect(sent.stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port}  HI$`))
    const refused = await runLab(['send', 'udp', '127.255.255.255', port, 'hi', '--timeout', '200'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('ERR_BROADCAST_NOT_ENABLED')
    expect(refused.stderr).toContain('--broadcast')
  })
})
