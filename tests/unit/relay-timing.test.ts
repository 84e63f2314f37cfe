import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RELAY_DETAILED_PER_WINDOW, RELAY_SUMMARY_WINDOW_MS, RELAY_TIMER_FINE_MS, type RelayEvent } from '../../shared/contract'
import { directionRandom, fullConditions, planDatagram } from '../../main/lab/net/relay-conditions'
import { RelayLog } from '../../main/lab/net/relay-log'
import { PassSummary } from '../../main/lab/net/relay-summary'
import { DeadlineHeap, HeadTimer } from '../../main/lab/net/relay-timer'

type Summary = Extract<RelayEvent, { event: 'summary' }>

/** A relay log whose clock the test sets. */
function fakeLog() {
  const events: RelayEvent[] = []
  const log = new RelayLog('relay-t', (e) => events.push(e))
  let t = 0
  log.now = () => t
  return { log, events, at: (ms: number) => (t = ms) }
}

describe('the relay sends in deadline order', () => {
  it('a deadline heap gives back every item earliest first, ties in arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (dues) => {
        const heap = new DeadlineHeap<{ dueT: number; seq: number }>()
        dues.forEach((dueT, seq) => heap.push({ dueT, seq }))
        const out: { dueT: number; seq: number }[] = []
        for (let x = heap.pop(); x; x = heap.pop()) out.push(x)
        const want = dues.map((dueT, seq) => ({ dueT, seq })).sort((a, b) => a.dueT - b.dueT || a.seq - b.seq)
        expect(out).toEqual(want)
      }),
    )
  })

  it(`one wake-up for the earliest deadline: a later one does not replace it; a timer until ${RELAY_TIMER_FINE_MS} ms before, then the next loop turn`, () => {
    vi.useFakeTimers()
    const fired: number[] = []
    const timer = new HeadTimer(() => fired.push(Date.now()))
    const t0 = Date.now()
    timer.wakeAt(30, 0)
    timer.wakeAt(50, 0)
    timer.wakeAt(10, 0)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(100)
    expect(fired.map((t) => t - t0)).toEqual([10 - RELAY_TIMER_FINE_MS])
    // Within the last stretch: no timer (it would land a whole ms late), the loop's next turn, which the link re-checks against its clock.
    fired.length = 0
    timer.wakeAt(200.4, 200)
    timer.wakeAt(200.9, 200)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(0)
    expect(fired.map((t) => t - t0)).toEqual([100])
    timer.wakeAt(300, 200)
    timer.clear()
    vi.advanceTimersByTime(200)
    expect(fired).toHaveLength(1)
    vi.useRealTimers()
  })
})

describe('a direction with no condition set: listed one by one up to a budget, summed beyond', () => {
  afterEach(() => vi.useRealTimers())

  it(`lists the first ${RELAY_DETAILED_PER_WINDOW} of a ${RELAY_SUMMARY_WINDOW_MS} ms window, sums the rest into one summary at its end, then lists again`, () => {
    vi.useFakeTimers()
    const { log, events, at } = fakeLog()
    const s = new PassSummary(log, 'up', 'tcp')
    const listed: number[] = []
    let offset = 0
    for (let seq = 1; seq <= 100; seq++) {
      at(seq)
      if (s.take(1, seq, 10, offset) !== null) listed.push(seq)
      offset += 10
    }
    expect(listed).toEqual(Array.from({ length: RELAY_DETAILED_PER_WINDOW }, (_, i) => i + 1))
    expect(events).toEqual([])
    at(RELAY_SUMMARY_WINDOW_MS + 1)
    vi.advanceTimersByTime(RELAY_SUMMARY_WINDOW_MS)
    const sums = events as Summary[]
    expect(sums).toHaveLength(1)
    const n = 100 - RELAY_DETAILED_PER_WINDOW
    expect(sums[0]).toMatchObject({ event: 'summary', conn: 1, dir: 'up', proto: 'tcp', messages: n, bytes: n * 10, firstSeq: RELAY_DETAILED_PER_WINDOW + 1, lastSeq: 100, offset: RELAY_DETAILED_PER_WINDOW * 10, fromT: RELAY_DETAILED_PER_WINDOW + 1 })
    // A new window: listed again.
    at(RELAY_SUMMARY_WINDOW_MS + 2)
    expect(s.take(1, 101, 10, 1000)).toBe(RELAY_SUMMARY_WINDOW_MS + 2)
  })

  it('a slow sender is listed message by message, window after window', () => {
    vi.useFakeTimers()
    const { log, events, at } = fakeLog()
    const s = new PassSummary(log, 'down', 'udp')
    for (let seq = 1; seq <= 200; seq++) {
      at(seq * 20)
      expect(s.take(3, seq, 5, 0)).toBe(seq * 20)
      vi.advanceTimersByTime(20)
    }
    expect(events).toEqual([])
  })

  it('sums per connection, and a flush before a close reports only that connection', () => {
    vi.useFakeTimers()
    const { log, events } = fakeLog()
    const s = new PassSummary(log, 'up', 'udp')
    for (let seq = 1; seq <= RELAY_DETAILED_PER_WINDOW; seq++) s.take(1, seq, 1, 0)
    s.take(1, 40, 7, 0)
    s.take(2, 41, 8, 0)
    s.take(1, 42, 9, 0)
    s.flush(2)
    expect(events).toMatchObject([{ event: 'summary', conn: 2, messages: 1, bytes: 8, firstSeq: 41, lastSeq: 41 }])
    s.close()
    expect(events.slice(1)).toMatchObject([{ event: 'summary', conn: 1, messages: 2, bytes: 16, firstSeq: 40, lastSeq: 42 }])
  })
})

describe('seeded loss', () => {
  it('loses each percentage within ±2 points over 10,000 datagrams, for every seed tried', () => {
    for (const lossPct of [1, 10, 25, 50, 90]) {
      for (const seed of [1, 5, 63, 1234, 2_147_483_647]) {
        const c = fullConditions({ lossPct })
        const rand = directionRandom(seed, 'up')
        let dropped = 0
        for (let i = 0; i < 10_000; i++) if (planDatagram(c, rand, 8).action === 'dropped') dropped++
        expect(Math.abs(dropped / 100 - lossPct), `loss ${lossPct} % seed ${seed}`).toBeLessThanOrEqual(2)
      }
    }
  })
})
