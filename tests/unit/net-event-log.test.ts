import { describe, expect, it } from 'vitest'
import { NetEventLog } from '../../main/lab/net/event-log'
import { TrafficCounterBook } from '../../main/lab/net/traffic-counters'
import type { ServerEvent } from '../../shared/contract'

const recv = (conn: number, bytes: number, at: number): ServerEvent => ({ serverId: 's-1', at, event: 'recv', conn, bytes, hex: '', truncated: false })

describe('the engine-kept network event log', () => {
  it('numbers every event, stamps the number on it, and reads back in pages', () => {
    const log = new NetEventLog(100)
    const events = Array.from({ length: 10 }, (_, i) => recv(1, i, 1000 + i))
    for (const e of events) log.note('net.server', e)
    expect(events.map((e) => e.logSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const first = log.read(0, 4)
    expect(first.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(first).toMatchObject({ lastSeq: 10, total: 10, dropped: 0, more: true })
    const rest = log.read(4, 100)
    expect(rest.entries.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10])
    expect(rest.more).toBe(false)
    expect(log.read(10).entries).toEqual([])
  })

  it('keeps the newest when full and counts the dropped ones; after clear the numbering goes on', () => {
    const log = new NetEventLog(5)
    for (let i = 0; i < 12; i++) log.note('net.server', recv(1, i, i))
    const page = log.read()
    expect(page.entries.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12])
    expect(page).toMatchObject({ total: 12, dropped: 7 })
    // A page that had seen up to 3 gets what is still kept after it.
    expect(log.read(3).entries[0]!.seq).toBe(8)
    expect(log.read(9).entries.map((e) => e.seq)).toEqual([10, 11, 12])
    expect(log.clear()).toBe(5)
    const e = recv(1, 1, 1)
    log.note('net.server', e)
    expect(e.logSeq).toBe(13)
    expect(log.read()).toMatchObject({ total: 1, dropped: 0, lastSeq: 13 })
  })
})

describe('traffic counters', () => {
  it('adds bytes and messages per server and per connection, with the last whole second as the rate', () => {
    const book = new TrafficCounterBook()
    const t = 1_000_000
    book.serverEvent({ serverId: 's-1', at: t, event: 'listening', proto: 'tcp', host: '127.0.0.1', port: 1 })
    book.serverEvent({ serverId: 's-1', at: t, event: 'connection', conn: 1, remote: { address: '127.0.0.1', port: 5 }, servedBy: { kind: 'loop', pid: 1, tid: null } })
    book.serverEvent(recv(1, 5, t + 100))
    book.serverEvent(recv(1, 7, t + 900))
    book.serverEvent({ serverId: 's-1', at: t + 950, event: 'send', conn: 1, bytes: 12 })
    book.serverEvent(recv(2, 3, t + 1200))
    const read = book.read(t + 1500)
    const s = read.servers[0]!
    expect(s).toMatchObject({ serverId: 's-1', bytesIn: 15, bytesOut: 12, messagesIn: 3, messagesOut: 1, rateInBps: 12, rateOutBps: 12, lastAt: t + 1200 })
    expect(s.conns.find((c) => c.conn === 1)).toMatchObject({ bytesIn: 12, bytesOut: 12, messagesIn: 2, messagesOut: 1 })
    // Two seconds of silence: no rate.
    expect(book.read(t + 3500).servers[0]!.rateInBps).toBe(0)
    expect(book.reset({ serverId: 's-1', conn: 1 }, t + 2000)).toBe(1)
    const after = book.read(t + 2000).servers[0]!
    expect(after.conns.find((c) => c.conn === 1)).toMatchObject({ bytesIn: 0, messagesOut: 0, lastAt: null, since: t + 2000 })
    expect(after.bytesIn).toBe(15)
    expect(() => book.reset({ serverId: 'nope' })).toThrow(/no counters/)
    book.serverEvent({ serverId: 's-1', at: t, event: 'closed' })
    expect(book.read().servers).toEqual([])
  })

  it('counts UDP peers and clients', () => {
    const book = new TrafficCounterBook()
    const from = { address: '127.0.0.1', port: 4000 }
    book.serverEvent({ serverId: 's-2', at: 10, event: 'datagram', from, bytes: 6, hex: '', truncated: false })
    book.serverEvent({ serverId: 's-2', at: 11, event: 'sendto', to: from, bytes: 6 })
    book.clientEvent({ clientId: 'c-1', proto: 'tcp', at: 10, event: 'sent', seq: 1, bytes: 4, hex: '', truncated: false })
    book.clientEvent({ clientId: 'c-1', proto: 'tcp', at: 12, event: 'received', bytes: 4, hex: '', text: '', truncated: false })
    const r = book.read(20)
    expect(r.servers[0]!.conns[0]).toMatchObject({ peer: '127.0.0.1:4000', bytesIn: 6, bytesOut: 6, messagesIn: 1, messagesOut: 1 })
    expect(r.clients[0]).toMatchObject({ clientId: 'c-1', bytesIn: 4, bytesOut: 4, messagesIn: 1, messagesOut: 1, lastAt: 12 })
    expect(book.reset({})).toBe(3)
    expect(book.read(20).clients[0]!.bytesOut).toBe(0)
  })
})
