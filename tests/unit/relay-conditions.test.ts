import { describe, expect, it } from 'vitest'
import { RELAY_PRESETS } from '../../shared/contract'
import { directionRandom, drawDelay, fullConditions, planDatagram } from '../../main/lab/net/relay-conditions'
import { summarize } from '../../main/lab/net/relay-probe'

describe('relay conditions', () => {
  it('the lossy-UDP preset, with its seed, loses datagrams 3, 6 and 13 of 20 and holds back 11 and 15', () => {
    const p = RELAY_PRESETS.lossyUdp
    const c = fullConditions(p.up)
    const rand = directionRandom(p.seed, 'up')
    const plans = Array.from({ length: 20 }, () => planDatagram(c, rand, 2))
    expect(plans.flatMap((x, i) => (x.action === 'dropped' ? [i + 1] : []))).toEqual([3, 6, 13])
    expect(plans.flatMap((x, i) => (x.holdFor > 0 ? [i + 1] : []))).toEqual([11, 15])
  })

  it('draws the same for the same seed, each direction its own stream, jitter inside its bounds', () => {
    const c = fullConditions({ delayMs: 50, jitterMs: 10 })
    const a = directionRandom(9, 'up')
    const b = directionRandom(9, 'up')
    const d = directionRandom(9, 'down')
    const xs = Array.from({ length: 100 }, () => drawDelay(c, a()))
    expect(Array.from({ length: 100 }, () => drawDelay(c, b()))).toEqual(xs)
    expect(Array.from({ length: 100 }, () => drawDelay(c, d()))).not.toEqual(xs)
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(40)
    expect(Math.max(...xs)).toBeLessThanOrEqual(60)
  })

  it('a reorder window without a percentage gets the default chance; truncation keeps N bytes', () => {
    expect(fullConditions({ reorderWindow: 3 }).reorderPct).toBe(10)
    expect(planDatagram(fullConditions({ truncateBytes: 4 }), directionRandom(1, 'up'), 10).keptBytes).toBe(4)
  })

  it("a probe's replies: missing, copies and late ones counted", () => {
    expect(summarize(6, [1, 2, 4, 3, 4, 6])).toEqual({ missing: [5], outOfOrder: 1, duplicates: 1, received: 5 })
  })
})
