import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { LabEvent, NetLogEntry } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

let lab: Lab
let seen: LabEvent[]
beforeEach(() => {
  lab = createTestLab()
  seen = []
  lab.onEvent((e) => seen.push(e))
})
afterEach(() => lab.close())

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function readAll(): Promise<NetLogEntry[]> {
  const out: NetLogEntry[] = []
  for (let after = 0; ; ) {
    const page = await lab.invoke('net.log.read', { afterSeq: after, limit: 3 })
    out.push(...page.entries)
    if (!page.more) return out
    after = page.entries.at(-1)!.seq
  }
}

describe('the network event log the engine keeps (issue 14)', () => {
  it('keeps every server and client event, numbered as the doors see them, and counts the traffic', async () => {
    const server = await lab.invoke('net.tcpServer.start', { port: 0 })
    const client = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port: server.port })
    await lab.invoke('net.tcpClient.send', { id: client.id, payload: 'hello', repeat: 2 })
    const bytes = (topic: string, event: string) =>
      seen.filter((e) => e.topic === topic && (e.payload as { event: string }).event === event).reduce((n, e) => n + (e.payload as { bytes: number }).bytes, 0)
    await until(() => bytes('net.client', 'received') === 10 && bytes('net.server', 'send') === 10, 'both replies')

    const net = seen.filter((e) => e.topic === 'net.server' || e.topic === 'net.client')
    const kept = await readAll()
    // The same events, in the same order, with the numbers the doors saw on them.
    expect(kept.map((k) => k.seq)).toEqual(net.map((e) => (e.payload as { logSeq: number }).logSeq))
    expect(kept.map((k) => k.seq)).toEqual(kept.map((_, i) => i + 1))
    expect(kept.map((k) => `${k.topic}:${k.event.event}`)).toEqual(net.map((e) => `${e.topic}:${(e.payload as { event: string }).event}`))
    expect(kept.find((k) => k.topic === 'net.client' && k.event.event === 'sent')!.event).toMatchObject({ clientId: client.id, hex: Buffer.from('hello').toString('hex') })

    const counters = await lab.invoke('net.counters.read', {})
    const s = counters.servers.find((x) => x.serverId === server.id)!
    const count = (topic: string, event: string) => net.filter((e) => e.topic === topic && (e.payload as { event: string }).event === event).length
    // The kernel may merge the two sends into one read: the counters count the reads there were.
    expect(s).toMatchObject({ bytesIn: 10, bytesOut: 10, messagesIn: count('net.server', 'recv'), messagesOut: count('net.server', 'send') })
    expect(s.conns).toHaveLength(1)
    expect(s.conns[0]).toMatchObject({ conn: expect.any(Number), bytesIn: 10, bytesOut: 10, closedAt: null })
    expect(s.lastAt).toBeGreaterThanOrEqual(server.startedAt)
    const c = counters.clients.find((x) => x.clientId === client.id)!
    expect(c).toMatchObject({ proto: 'tcp', bytesOut: 10, messagesOut: 2, bytesIn: 10 })

    await expect(lab.invoke('net.counters.reset', { serverId: server.id, conn: s.conns[0]!.conn! })).resolves.toEqual({ reset: 1 })
    const after = (await lab.invoke('net.counters.read', {})).servers.find((x) => x.serverId === server.id)!
    expect(after.conns[0]).toMatchObject({ bytesIn: 0, bytesOut: 0, lastAt: null })
    expect(after.bytesIn).toBe(10)
    const unknown = await lab.call('net.counters.reset', { serverId: 'no-such' })
    expect(unknown.ok ? null : unknown.error.code).toBe('ERR_NOT_FOUND')

    await expect(lab.invoke('net.log.clear', {})).resolves.toEqual({ cleared: kept.length })
    expect(await lab.invoke('net.log.read', {})).toMatchObject({ entries: [], total: 0, dropped: 0, lastSeq: kept.length })
  })
})
