/**
 * main/lab/runs.ts: `run.progress` is every long run's one progress event. A run made of parts
 * reports each new part at once (the throttle never swallows it), and a run that learns what it
 * will do (net.compare once the Python probe answered) replans: total and estimate follow.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunProgress } from '../../shared/contract'
import { RunRegistry } from '../../main/lab/runs'

const plan = (...units: number[]) => ({ segments: units.map((u, i) => ({ label: `p${i}`, units: u, ms: 1_000 })) })

describe('RunRegistry progress', () => {
  // The clock stands still: the throttle's 100 ms never pass by themselves on a loaded machine.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends a new step at once, throttles progress within a step, and omits the step at the end', async () => {
    const seen: RunProgress[] = []
    const runs = new RunRegistry((p) => seen.push(p))
    await runs.track('net.compare', 'r1', plan(10, 10), async (run) => {
      for (let done = 1; done <= 10; done++) run.progress(done, { index: 0, count: 2, mode: 'serial', server: 'lab' })
      run.progress(10, { index: 1, count: 2, mode: 'async', server: 'lab' })
      run.progress(11, { index: 1, count: 2, mode: 'async', server: 'lab' })
    })
    // start, the first step, the second step (at once), done; the calls in between fall inside the throttle's 100 ms.
    expect(seen.map((p) => `${p.phase}:${p.done}:${p.step?.mode ?? '-'}`)).toEqual(['start:0:-', 'progress:1:serial', 'progress:10:async', 'done:20:-'])
  })

  it('replan: total and estimate follow the new plan', async () => {
    const seen: RunProgress[] = []
    const runs = new RunRegistry((p) => seen.push(p))
    await runs.track('net.compare', 'r2', plan(9, 9, 9), async (run) => {
      run.replan(plan(9, 9))
      run.progress(3, { index: 0, count: 2 })
    })
    expect(seen[0]).toMatchObject({ phase: 'start', total: 27, estimateMs: 3_000 })
    expect(seen[1]).toMatchObject({ phase: 'progress', total: 18, done: 3 })
    expect(seen.at(-1)).toMatchObject({ phase: 'done', total: 18, done: 18 })
  })
})
