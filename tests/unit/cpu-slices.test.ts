import { describe, expect, it } from 'vitest'
import { taskSlices } from '../../main/lab/proc/cpu-slices'
import { counterDelta, parseSchedstat, parseStatProcessor, parseStatusSwitches } from '../../main/lab/proc/sched-counters'

const ms = (x: number) => x * 1e6

describe('taskSlices: sampled CPU time → where each task ran', () => {
  it('puts each window’s CPU time inside that window, end to end on one CPU, and keeps the kernel’s totals', () => {
    // Ticks every 10 ms; A and B share CPU 0: A 6 ms + B 4 ms in the first window, B 10 ms in the second.
    const readings = {
      at: [0, 10, 20],
      series: [
        { pid: 1, runNs: [0, ms(6), ms(6)], cpu: [0, 0, 0] },
        { pid: 2, runNs: [0, ms(4), ms(14)], cpu: [0, 0, 0] },
      ],
    }
    const s = taskSlices(readings, [
      { taskId: 1, pid: 1, startAt: 0, endAt: 20 },
      { taskId: 2, pid: 2, startAt: 0, endAt: 20 },
    ])
    expect(s.get(1)!.ran).toEqual([[0, 6]])
    // B ran last in window 1, so it opens window 2 and its two slices join.
    expect(s.get(2)!.ran).toEqual([[6, 20]])
    expect(s.get(1)!.sampledMs).toBeCloseTo(6)
    expect(s.get(2)!.sampledMs).toBeCloseTo(14)
    expect(s.get(2)!.cpus).toEqual([0])
  })

  it('scales a window down when its slices add up to more than the window, so slices never overlap', () => {
    const readings = { at: [0, 10], series: [{ pid: 1, runNs: [0, ms(8)], cpu: [0, 0] }, { pid: 2, runNs: [0, ms(8)], cpu: [0, 0] }] }
    const s = taskSlices(readings, [
      { taskId: 1, pid: 1, startAt: 0, endAt: 10 },
      { taskId: 2, pid: 2, startAt: 0, endAt: 10 },
    ])
    expect(s.get(1)!.ran).toEqual([[0, 5]])
    expect(s.get(2)!.ran).toEqual([[5, 10]])
  })

  it('keeps CPUs apart: two tasks on two CPUs run at the same time', () => {
    const readings = { at: [0, 10], series: [{ pid: 1, runNs: [0, ms(10)], cpu: [0, 0] }, { pid: 2, runNs: [0, ms(10)], cpu: [1, 1] }] }
    const s = taskSlices(readings, [
      { taskId: 1, pid: 1, startAt: 0, endAt: 10 },
      { taskId: 2, pid: 2, startAt: 0, endAt: 10 },
    ])
    expect(s.get(1)!).toMatchObject({ ran: [[0, 10]], cpus: [0] })
    expect(s.get(2)!).toMatchObject({ ran: [[0, 10]], cpus: [1] })
  })

  it('gives a reused child’s CPU time to the task it was running, and skips readings that are missing', () => {
    const readings = { at: [0, 10, 20, 30], series: [{ pid: 1, runNs: [0, ms(5), NaN, ms(12)], cpu: [0, 0, NaN, 0] }] }
    const s = taskSlices(readings, [
      { taskId: 1, pid: 1, startAt: 0, endAt: 9 },
      { taskId: 2, pid: 1, startAt: 21, endAt: 30 },
    ])
    expect(s.get(1)!.ran).toEqual([[0, 5]])
    // The window 10–20 has a missing reading at 20, and 20–30 cannot be differenced without it: nothing is invented.
    expect(s.get(2)!.ran).toEqual([])
  })

  it('clips slices to the task’s own span', () => {
    const readings = { at: [0, 10], series: [{ pid: 1, runNs: [0, ms(10)], cpu: [0, 0] }] }
    const s = taskSlices(readings, [{ taskId: 1, pid: 1, startAt: 4, endAt: 10 }])
    expect(s.get(1)!.ran).toEqual([[4, 10]])
  })
})

describe('the /proc parsers', () => {
  it('reads schedstat, the switch counts and the processor field', () => {
    expect(parseSchedstat('477870693 566643517 149\n')).toEqual({ ok: true, value: { runNs: 477870693, waitNs: 566643517 } })
    expect(parseStatusSwitches('Name:\tx\nvoluntary_ctxt_switches:\t3\nnonvoluntary_ctxt_switches:\t149\n')).toEqual({ ok: true, value: { voluntary: 3, involuntary: 149 } })
    const stat = '13038 (a (b) c) R 13035 13035 9355 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 41077 3133440 389 18446744073709551615 1 2 3 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 4 5 6 7 8 9 10 0'
    expect(parseStatProcessor(stat)).toEqual({ ok: true, value: 1 })
  })

  it('says what is wrong instead of returning a number that is not the kernel’s', () => {
    expect(parseSchedstat('')).toMatchObject({ ok: false, error: { code: 'ERR_INTERNAL' } })
    expect(parseStatusSwitches('Name: x\n')).toMatchObject({ ok: false, error: { message: expect.stringContaining('voluntary_ctxt_switches') } })
    expect(parseStatProcessor('12 (x) R 1 2')).toMatchObject({ ok: false })
    const a = { runNs: 10, waitNs: 10, voluntary: 5, involuntary: 5, processor: 0 }
    expect(counterDelta(a, { ...a, voluntary: 4 })).toMatchObject({ ok: false })
    expect(counterDelta(a, { ...a, runNs: 2_000_010, waitNs: 3_000_010, voluntary: 7 })).toEqual({
      ok: true,
      value: { voluntarySwitches: 2, involuntarySwitches: 0, runQueueWaitMs: 3, runMs: 2 },
    })
  })
})
