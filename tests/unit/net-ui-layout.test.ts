import { describe, expect, it } from 'vitest'
import { fitLabel, layoutDatagrams, layoutSticky, tickStep } from '../../renderer/charts/net-sticky-layout'
import { layoutBars, layoutTimeline, meanWaitMs, sharedSpanMs } from '../../renderer/charts/net-compare-layout'
import { visibleRange } from '../../renderer/composables/use-virtual-list'

// Three 5-byte sends read as one 15-byte chunk, then a 4-byte recv size splitting them.
const sends = [0, 1, 2].map((i) => ({ index: i, offset: i * 5, bytes: 5, payloadBytes: 5, text: ['hello', 'world', 'again'][i]! }))

describe('sticky lanes layout', () => {
  it('puts sends and recvs on one byte axis and marks a chunk holding several sends as merged', () => {
    const l = layoutSticky({ totalBytes: 15, sends, recvs: [{ index: 0, offset: 0, bytes: 15, text: 'helloworldagain', sends: [0, 1, 2] }], frame: 'none' }, 300)
    expect(l.sends.map((s) => [s.x, s.w])).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ])
    expect(l.recvs).toHaveLength(1)
    expect(l.recvs[0]).toMatchObject({ x: 0, w: 300, kind: 'merged' })
    expect(l.sends.every((s) => s.kind === 'clean')).toBe(true)
    // A chunk ending at the end of the stream is not a cut inside it.
    expect(l.cuts).toEqual([])
    expect(l.ticks[0]).toEqual({ x: 0, label: '0' })
    expect(l.ticks.map((t) => t.label)).toEqual(['0', '2', '4', '6', '8', '10', '12', '15'])
  })

  it('marks a send cut over several recvs as split and each of its pieces as partial', () => {
    const recvs = [
      { index: 0, offset: 0, bytes: 4, text: 'hell', sends: [0] },
      { index: 1, offset: 4, bytes: 4, text: 'owor', sends: [0, 1] },
      { index: 2, offset: 8, bytes: 7, text: 'ldagain', sends: [1, 2] },
    ]
    const l = layoutSticky({ totalBytes: 15, sends, recvs, frame: 'none' }, 150)
    expect(l.sends.map((s) => s.kind)).toEqual(['split', 'split', 'clean'])
    expect(l.recvs.map((r) => r.kind)).toEqual(['partial', 'merged', 'merged'])
    expect(l.cuts).toEqual([40, 80])
  })

  it('shades a length prefix at the start of a send and a newline at its end, and centres the label on the payload', () => {
    const framed = [{ index: 0, offset: 0, bytes: 9, payloadBytes: 5, text: 'hello' }]
    const le = layoutSticky({ totalBytes: 9, sends: framed, recvs: [], frame: 'len32le' }, 90)
    expect(le.sends[0]!.header).toEqual({ x: 0, w: 40 })
    expect(le.sends[0]!.labelX).toBe(65)
    const line = layoutSticky({ totalBytes: 6, sends: [{ index: 0, offset: 0, bytes: 6, payloadBytes: 5, text: 'hello' }], recvs: [], frame: 'line' }, 60)
    expect(line.sends[0]!.header).toEqual({ x: 50, w: 10 })
    expect(line.sends[0]!.labelX).toBe(25)
  })

  it('draws a 1-byte send among many bytes at least one pixel wide', () => {
    const l = layoutSticky(
      { totalBytes: 100_001, sends: [{ index: 0, offset: 0, bytes: 100_000, payloadBytes: 100_000, text: 'x' }, { index: 1, offset: 100_000, bytes: 1, payloadBytes: 1, text: 'y' }], recvs: [], frame: 'none' },
      500,
    )
    expect(l.sends[1]!.w).toBeGreaterThanOrEqual(1)
  })

  it('lays datagrams out as separate boxes with gaps, a truncated one marked partial', () => {
    const boxes = layoutDatagrams(
      [
        { index: 0, bytes: 10, received: 10, text: 'a' },
        { index: 1, bytes: 10, received: 4, text: 'b' },
      ],
      106,
      6,
    )
    expect(boxes.map((b) => [b.x, b.w])).toEqual([
      [0, 50],
      [56, 50],
    ])
    expect(boxes.map((b) => b.kind)).toEqual(['clean', 'partial'])
  })

  it('picks 1-2-5 tick steps and fits labels with an ellipsis', () => {
    expect(tickStep(15)).toBe(2)
    expect(tickStep(1000)).toBe(200)
    expect(tickStep(0)).toBe(1)
    expect(fitLabel('hello', 100)).toBe('hello')
    expect(fitLabel('helloworld', 40)).toBe('hel…')
    expect(fitLabel('你好世界', 10)).toBe('')
  })
})

describe('comparison layout', () => {
  const mode = {
    totalMs: 200,
    clients: [
      { client: 0, connectAt: 0, firstReplyAt: 50, waitMs: 50 },
      { client: 1, connectAt: 0, firstReplyAt: 150, waitMs: 150 },
    ],
    timeline: [
      { client: 0, seq: 0, start: 0, end: 50 },
      { client: 1, seq: 0, start: 100, end: 150 },
    ],
  }

  it('draws one row per client and one bar per exchange on the shared time axis', () => {
    const t = layoutTimeline(mode, 400, 400, 10, 4)
    expect(t.rows).toEqual([0, 1])
    expect(t.bars).toEqual([
      { client: 0, seq: 0, x: 0, y: 0, w: 50 },
      { client: 1, seq: 0, x: 100, y: 14, w: 50 },
    ])
    // Client 1 connected at 0 but its first exchange began at 100: that wait is drawn.
    expect(t.waits).toEqual([{ client: 1, x: 0, y: 14, w: 100 }])
    expect(t.height).toBe(24)
  })

  it('takes the longest mode as the common span, averages waits, scales bars to the largest', () => {
    expect(sharedSpanMs([{ totalMs: 200, timeline: [] }, { totalMs: 100, timeline: [{ end: 260 }] }])).toBe(260)
    expect(meanWaitMs(mode.clients)).toBe(100)
    expect(meanWaitMs([{ waitMs: null }])).toBe(0)
    const { bars, max } = layoutBars(
      [
        { mode: 'serial', value: 10 },
        { mode: 'async', value: 40 },
      ],
      200,
    )
    expect(max).toBe(40)
    expect(bars.map((b) => b.w)).toEqual([50, 200])
  })
})

describe('virtual list', () => {
  it('renders only the rows in view plus a few either side', () => {
    expect(visibleRange(0, 400, 40, 50_000, 5)).toEqual({ start: 0, end: 15 })
    expect(visibleRange(40 * 1000, 400, 40, 50_000, 5)).toEqual({ start: 995, end: 1015 })
    expect(visibleRange(40 * 49_995, 400, 40, 50_000, 5)).toEqual({ start: 49_990, end: 50_000 })
    expect(visibleRange(0, 400, 40, 0)).toEqual({ start: 0, end: 0 })
  })
})
