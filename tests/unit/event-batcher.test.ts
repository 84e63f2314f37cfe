import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LabEvent } from '../../shared/contract'
import { EventBatcher } from '../../main/lab/event-batcher'

const ev = (n: number): LabEvent => ({ topic: 'net.server', payload: { serverId: 's', at: n, event: 'closed' } })
const at = (e: LabEvent) => (e.topic === 'net.server' ? e.payload.at : -1)

describe('EventBatcher', () => {
  afterEach(() => vi.useRealTimers())

  it('delivers events in one batch per interval, in order', () => {
    vi.useFakeTimers()
    const batches: number[][] = []
    const b = new EventBatcher((events) => batches.push(events.map(at)), 50, 100)
    for (let i = 0; i < 5; i++) b.push(ev(i))
    expect(batches).toEqual([])
    vi.advanceTimersByTime(50)
    expect(batches).toEqual([[0, 1, 2, 3, 4]])
  })

  it('caps a batch and counts the rest as dropped instead of queueing without bound', () => {
    vi.useFakeTimers()
    const seen: { n: number; dropped: number }[] = []
    const b = new EventBatcher((events, dropped) => seen.push({ n: events.length, dropped }), 50, 10)
    for (let i = 0; i < 25; i++) b.push(ev(i))
    vi.advanceTimersByTime(50)
    expect(seen).toEqual([{ n: 10, dropped: 15 }])
  })

  it('flushes what is pending on close and ignores later events', () => {
    const seen: number[] = []
    const b = new EventBatcher((events) => seen.push(events.length), 1_000, 10)
    b.push(ev(1))
    b.close()
    b.push(ev(2))
    expect(seen).toEqual([1])
  })
})
