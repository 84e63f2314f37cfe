import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LabEvent, RunProgress } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

let lab: Lab
let events: LabEvent[]
beforeEach(() => {
  lab = createTestLab()
  events = []
  lab.onEvent((e) => events.push(e))
})
afterEach(() => lab.close())

const MESSAGES = ['hello', 'sticky', 'packets', '你好']

describe('sticky-packet experiment', () => {
  it('merges back-to-back sends into fewer recv() chunks when the reader is slow', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: MESSAGES, gapMs: 0, readDelayMs: 150, recvSize: 1024 })
    expect(r.sends).toHaveLength(4)
    const total = Buffer.concat(MESSAGES.map((m) => Buffer.from(m))).length
    expect(r.totalBytes).toBe(total)
    // Every byte sent arrives once, in order: the recv chunks tile the stream.
    expect(r.recvs.reduce((n, c) => n + c.bytes, 0)).toBe(total)
    expect(r.recvs.map((c) => c.offset)).toEqual(r.recvs.map((_, i) => r.recvs.slice(0, i).reduce((n, c) => n + c.bytes, 0)))
    expect(Buffer.from(r.recvs.map((c) => c.hex).join(''), 'hex').toString()).toBe(MESSAGES.join(''))
    // The reader slept while all four sends arrived: they come out merged.
    expect(r.recvs.length).toBeLessThan(r.sends.length)
    expect(r.merged).toBeGreaterThan(0)
    expect(r.recvs[0]!.sends.length).toBeGreaterThan(1)
    expect(r.messages).toEqual([])
    expect(r.udp).toBeNull()
  })

  it('splits a message when recv(n) is smaller than it', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['abcdefghij'], recvSize: 4, readDelayMs: 0 })
    expect(r.recvs.map((c) => c.bytes)).toEqual([4, 4, 2])
    expect(r.recvs.every((c) => c.sends.length === 1 && c.sends[0] === 0)).toBe(true)
    expect(r.split).toBe(1)
  })

  for (const frame of ['len32le', 'len32be', 'line'] as const) {
    it(`recovers exactly the messages sent with ${frame} framing, however the chunks fell`, async () => {
      const r = await lab.invoke('net.sticky.run', { messages: MESSAGES, frame, recvSize: 5, readDelayMs: 20 })
      expect(r.messages.map((m) => m.text)).toEqual(MESSAGES)
      expect(r.messages.every((m) => m.matches)).toBe(true)
      const header = frame === 'line' ? 1 : 4
      expect(r.sends.map((s) => s.bytes - s.payloadBytes)).toEqual(MESSAGES.map(() => header))
      expect(r.recvs.every((c) => c.bytes <= 5)).toBe(true)
    })
  }

  it('keeps every UDP datagram whole: one recvfrom() per sendto()', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: MESSAGES, readDelayMs: 100, udp: true })
    expect(r.udp).not.toBeNull()
    const udp = r.udp!
    expect(udp.received).toBe(4)
    expect(udp.datagrams.map((d) => d.text)).toEqual(MESSAGES)
    expect(udp.datagrams.map((d) => d.received)).toEqual(MESSAGES.map((m) => Buffer.byteLength(m)))
    expect(udp.datagrams.every((d) => d.discarded === 0)).toBe(true)
  })

  it('shows a datagram larger than recv(n) losing its tail', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['abcdefgh'], recvSize: 3, readDelayMs: 0, udp: true })
    expect(r.udp!.datagrams[0]).toMatchObject({ bytes: 8, received: 3, discarded: 5, text: 'abc' })
  })

  it('refuses a newline inside a line-framed message and runs that would take too long', async () => {
    const nl = await lab.call('net.sticky.run', { messages: ['a\nb'], frame: 'line' })
    expect(!nl.ok && nl.error.code).toBe('ERR_INVALID_INPUT')
    const slow = await lab.call('net.sticky.run', { messages: ['x'.repeat(100)], recvSize: 1, readDelayMs: 1000 })
    expect(!slow.ok && slow.error.code).toBe('ERR_LIMIT')
  })
})

describe('serial vs concurrent comparison', () => {
  // run.progress is the comparison's only progress event (its row as `step`).
  const progress = () => events.filter((e) => e.topic === 'run.progress').map((e) => e.payload as RunProgress)

  it('in serial mode the second client is served only after the first is done; async serves both at once', async () => {
    const r = await lab.invoke('net.compare.run', { clients: 3, messages: 3, bytes: 16, handler: 'delay:30', modes: ['serial', 'async'] })
    expect(r.modes.map((m) => m.mode)).toEqual(['serial', 'async'])
    for (const m of r.modes) {
      expect(m.messages).toBe(9)
      expect(m.wrong).toBe(0)
      expect(m.failed).toBe(0)
      expect(m.timeline).toHaveLength(9)
      expect(m.p50Ms).toBeLessThanOrEqual(m.p99Ms)
      expect(m.p99Ms).toBeLessThanOrEqual(m.maxMs)
      expect(m.msgsPerSec).toBeCloseTo((m.messages / m.totalMs) * 1000, 0)
      for (const c of m.clients) {
        expect(c.messages).toBe(3)
        expect(c.firstReplyMs).toBeCloseTo(c.firstReplyAt! - c.connectAt, 2)
        // The wait is the kernel's handshake plus the server's queue; never the handler's 30 ms.
        expect(c.waitMs).toBeCloseTo(c.connectMs! + c.serverWaitMs!, 2)
        expect(c.waitMs!).toBeLessThanOrEqual(c.firstReplyMs! - 30)
        expect(c.serviceMs).toBeCloseTo(c.doneAt! - c.firstReplyAt!, 2)
        expect(c.retried).toBe(false)
        expect(c.doneAt!).toBeGreaterThanOrEqual(c.firstReplyAt!)
      }
      for (const e of m.timeline) expect(e.end).toBeGreaterThanOrEqual(e.start)
    }
    const serial = r.modes[0]!
    // Order the clients by when they were first answered: each next one waited at least until the
    // previous one had finished all its round trips (one connection at a time).
    const byService = [...serial.clients].sort((a, b) => a.firstReplyAt! - b.firstReplyAt!)
    for (let i = 1; i < byService.length; i++) {
      expect(byService[i]!.firstReplyAt!).toBeGreaterThanOrEqual(byService[i - 1]!.doneAt!)
      // Each next one's wait ended later (it was taken from the queue after the previous one was
      // done). Compared as moments, not as lengths: a client that began connecting later (a loaded
      // machine staggers the starts) may have waited less in all and still been served after.
      const waitEnd = (c: (typeof byService)[number]) => c.connectAt + c.waitMs!
      expect(waitEnd(byService[i]!)).toBeGreaterThan(waitEnd(byService[i - 1]!))
      // The server's own account agrees: by its queue times, it took each later client later.
      const takenAt = (c: (typeof byService)[number]) => c.connectAt + c.connectMs! + c.queuedMs!
      expect(takenAt(byService[i]!)).toBeGreaterThan(takenAt(byService[i - 1]!))
    }
    expect(serial.clients.every((c) => c.servedBy?.kind === 'queue')).toBe(true)
    expect(serial.requestQueueSize).toBe(5)
    expect(serial.retried).toBe(0)
    expect(serial.firstReply.p50).toBeLessThanOrEqual(serial.firstReply.max)
    expect(r.modes[1]!.clients.every((c) => c.servedBy?.kind === 'loop' && c.queuedMs === null)).toBe(true)
    // After its first reply (whose exchange includes the time queued), no client's exchange overlaps
    // another client's in serial mode; in async mode they do.
    const overlaps = (tl: typeof serial.timeline) => {
      const served = tl.filter((e) => e.seq > 0)
      return served.some((a) => served.some((b) => a.client !== b.client && a.start < b.end && b.start < a.end))
    }
    expect(overlaps(serial.timeline)).toBe(false)
    expect(overlaps(r.modes[1]!.timeline)).toBe(true)

    const p = progress()
    expect(p[0]).toMatchObject({ phase: 'start', kind: 'net.compare', runId: r.runId, total: 18, done: 0 })
    expect(p.at(-1)).toMatchObject({ phase: 'done', done: 18 })
    expect(p.at(-1)!.step).toBeUndefined()
    const dones = p.map((x) => x.done)
    expect(dones).toEqual([...dones].sort((a, b) => a - b))
    // Each row is reported as it starts (never throttled away), in the order run.
    const steps = p.flatMap((x) => (x.step ? [`${x.step.index + 1}/${x.step.count} ${x.step.server}:${x.step.mode}`] : []))
    expect([...new Set(steps)]).toEqual(['1/2 lab:serial', '2/2 lab:async'])
    expect(p.find((x) => x.step?.index === 1)!.done).toBe(9)
  })

  it('threading and forking servers answer every client right, each on its own connection', async () => {
    // Which client finishes first depends on how fast a thread or a child starts on a loaded
    // machine, so only correctness is checked here; the serial ordering is checked above.
    const r = await lab.invoke('net.compare.run', { clients: 2, messages: 2, bytes: 8, handler: 'delay:20', modes: ['threading', 'forking'] })
    expect(r.modes.map((m) => m.mode)).toEqual(['threading', 'forking'])
    for (const m of r.modes) {
      expect(m.messages, m.mode).toBe(4)
      expect(m.wrong, m.mode).toBe(0)
      expect(m.failed, m.mode).toBe(0)
      expect(m.clients.map((c) => c.messages), m.mode).toEqual([2, 2])
      expect(m.port, m.mode).toBeGreaterThan(0)
      for (const c of m.clients) expect(c.announcedAt, m.mode).not.toBeNull()
    }
    // Each client had its own thread, then its own child process, as the server reported them.
    const [threading, forking] = r.modes
    expect(threading!.clients.map((c) => c.servedBy?.kind)).toEqual(['thread', 'thread'])
    if (process.platform === 'linux') expect(new Set(threading!.clients.map((c) => c.servedBy?.tid)).size).toBe(2)
    expect(forking!.clients.map((c) => c.servedBy?.kind)).toEqual(['process', 'process'])
    const pids = forking!.clients.map((c) => c.servedBy?.pid)
    expect(new Set(pids).size).toBe(2)
    expect(pids).not.toContain(process.pid)
    expect(r.modes[0]!.port).not.toBe(r.modes[1]!.port)
    // The clients came once the spares were ready (threading keeps 2, forking 1): those found one ready.
    if (process.platform === 'linux') expect(threading!.clients.map((c) => c.startup?.spare)).toEqual([true, true])
    expect(forking!.clients.filter((c) => c.startup?.spare).length).toBeGreaterThanOrEqual(1)
  })

  it('refuses a serial run that would take minutes', async () => {
    const r = await lab.call('net.compare.run', { clients: 64, messages: 1000, handler: 'delay:100', modes: ['serial'] })
    expect(!r.ok && r.error.code).toBe('ERR_LIMIT')
  })
})
