import { describe, expect, it } from 'vitest'
import { clientParts, layoutParts, spreadOf } from '../../renderer/charts/compare-parts-layout'

describe('compare parts', () => {
  it('splits a client into connect, wait, first reply and service that add up to its whole time', () => {
    const p = clientParts({ client: 0, connectMs: 1000, serverWaitMs: 40, firstReplyMs: 1070, serviceMs: 90, retried: true })!
    expect(p.parts).toEqual({ connect: 1000, wait: 40, first: 30, service: 90 })
    expect(p.total).toBe(1160)
    expect(p.retried).toBe(true)
  })
  it('never lets the wait reach into the first reply beyond what it took', () => {
    const p = clientParts({ client: 1, connectMs: 2, serverWaitMs: 500, firstReplyMs: 100, serviceMs: 0, retried: false })!
    expect(p.parts.wait).toBe(98)
    expect(p.parts.first).toBe(0)
  })
  it('an unanswered client has no bar', () => {
    expect(clientParts({ client: 2, connectMs: 1, serverWaitMs: null, firstReplyMs: null, serviceMs: null, retried: false })).toBeNull()
  })
  it('lays the parts side by side on a shared scale', () => {
    const p = clientParts({ client: 0, connectMs: 10, serverWaitMs: 10, firstReplyMs: 40, serviceMs: 60, retried: false })!
    expect(layoutParts(p, 200, 100)).toEqual([
      { part: 'connect', x: 0, w: 5 },
      { part: 'wait', x: 5, w: 5 },
      { part: 'first', x: 10, w: 10 },
      { part: 'service', x: 20, w: 30 },
    ])
  })
  it('p50, p99, max', () => {
    expect(spreadOf([5, 1, 3, 2, 4])).toEqual({ p50: 3, p99: 5, max: 5 })
    expect(spreadOf([])).toEqual({ p50: 0, p99: 0, max: 0 })
  })
})
