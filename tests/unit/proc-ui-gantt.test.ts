import { describe, expect, it } from 'vitest'
import type { RunResult, TaskResult } from '../../shared/contract/proc'
import { parseTaskSpec } from '../../shared/task-spec'
import { commonSpan, ganttLayout, ganttRows, linearScale, niceStep, niceTicks, runMetrics, specErrorKey } from '../../renderer/charts/proc-gantt-layout'

function task(p: Partial<TaskResult> & { id: number }): TaskResult {
  return {
    kind: 'cpu', spec: 'cpu:100ms', pid: 100, slot: 0, cpu: 0, startMs: 0, endMs: 100, cpuMs: 100, wallMs: 100, waitMs: 0, ok: true,
    phases: [{ phase: 'cpu', startMs: p.startMs ?? 0, endMs: p.endMs ?? 100, cpuMs: p.cpuMs ?? 100 }],
    ...p,
  }
}

function run(p: Partial<RunResult>): RunResult {
  return {
    runId: 'r', mode: 'serial', spec: 'cpu:100ms*2', wallMs: 200, cpus: 2, workers: 1, cpusUsable: 1, pinned: { ok: false, reason: 'x' },
    cpuMsTotal: 200, utilisation: 1, startupMs: 0, tasks: [], startedAt: 0, ...p,
  }
}

describe('Gantt layout', () => {
  describe('ganttRows', () => {
    it('puts the tasks of one process in one row, ordered by slot, then by start', () => {
      const rows = ganttRows([
        task({ id: 1, pid: 20, slot: 1, startMs: 0 }),
        task({ id: 2, pid: 10, slot: 0, startMs: 50, cpu: 1 }),
        task({ id: 3, pid: 10, slot: 0, startMs: 0, cpu: 0 }),
      ])
      expect(rows.map((r) => r.pid)).toEqual([10, 20])
      expect(rows[0]!.tasks.map((t) => t.id)).toEqual([3, 2])
      expect(rows[0]!.cpus).toEqual([0, 1])
    })

    it('gives a replaced child (same slot, new PID) its own row, and tasks that never reached a child a slot row', () => {
      const rows = ganttRows([task({ id: 1, pid: 10, slot: 0 }), task({ id: 2, pid: 11, slot: 0, startMs: 200 }), task({ id: 3, pid: null, slot: null, cpu: null })])
      expect(rows.map((r) => r.key)).toEqual(['10', '11', 'slot-none'])
      expect(rows[2]!.cpus).toEqual([])
    })
  })

  describe('scales and ticks', () => {
    it('picks 1-2-5 steps', () => {
      expect(niceStep(1000, 5)).toBe(200)
      expect(niceStep(2151, 4)).toBe(1000)
      expect(niceStep(90, 4)).toBe(50)
      expect(niceStep(0)).toBe(1)
    })

    it('ends the axis at the first tick past the data', () => {
      expect(niceTicks(430, 5)).toEqual([0, 100, 200, 300, 400, 500])
      expect(niceTicks(430, 4)).toEqual([0, 200, 400, 600])
      expect(niceTicks(400, 4)).toEqual([0, 100, 200, 300, 400])
      expect(niceTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3])
    })

    it('maps linearly and clamps', () => {
      const x = linearScale(200, 100, 300)
      expect(x(0)).toBe(100)
      expect(x(100)).toBe(200)
      expect(x(500)).toBe(300)
      expect(x(-5)).toBe(100)
    })
  })

  describe('ganttLayout', () => {
    const tasks = [
      task({ id: 1, pid: 10, slot: 0, startMs: 0, endMs: 400, cpuMs: 100, phases: [{ phase: 'cpu', startMs: 0, endMs: 400, cpuMs: 100 }], ran: [[0, 40], [200, 260]] }),
      task({ id: 2, pid: 11, slot: 1, startMs: 0, endMs: 200, cpuMs: 0.4, kind: 'io', phases: [{ phase: 'io', startMs: 0, endMs: 200, cpuMs: 0.4 }], ran: [] }),
    ]
    const l = ganttLayout(tasks, { width: 500, maxMs: 400, labelWidth: 100, rowHeight: 20, ticks: 4, top: 0 })
    const plotW = 500 - 26 - 100

    it('draws one row per process and a bar spanning each task’s wall time', () => {
      expect(l.rows).toHaveLength(2)
      expect(l.rows[1]!.y).toBe(20)
      const bar = l.rows[0]!.bars[0]!
      expect(bar.x).toBe(100)
      expect(bar.x + bar.w).toBeCloseTo(100 + plotW)
    })

    it('draws the sampled CPU slices where they happened, not one block from the start', () => {
      const bar = l.rows[0]!.bars[0]!
      expect(bar.placement).toBe('sampled')
      expect(bar.cpu).toHaveLength(2)
      expect(bar.cpu[0]!.x).toBe(100)
      expect(bar.cpu[0]!.w).toBeCloseTo(plotW / 10)
      expect(bar.cpu[1]!.x).toBeCloseTo(100 + plotW / 2)
      expect(bar.cpu[1]!.w).toBeCloseTo((plotW * 60) / 400)
      expect(l.rows[1]!.bars[0]!.cpu).toEqual([])
      expect(l.rows[1]!.bars[0]!.io[0]!.w).toBeCloseTo(plotW / 2)
    })

    it('does not place CPU time it could not sample: the bar says it is somewhere inside', () => {
      const unsampled = ganttLayout([task({ id: 1, ran: undefined })], { width: 500, maxMs: 100 })
      expect(unsampled.rows[0]!.bars[0]!).toMatchObject({ placement: 'unplaced', cpu: [] })
      const live = ganttLayout([task({ id: 1, ran: undefined })], { width: 500, maxMs: 100, live: true })
      expect(live.rows[0]!.bars[0]!.placement).toBe('live')
      const failedLive = ganttLayout([task({ id: 1, ran: undefined, ok: false })], { width: 500, maxMs: 100, live: true })
      expect(failedLive.rows[0]!.bars[0]!.placement).toBe('unplaced')
    })

    it('labels every bar: inside when it fits, else after it, else before it', () => {
      const narrow = ganttLayout(
        [
          task({ id: 1, startMs: 0, endMs: 200 }),
          task({ id: 12, startMs: 200, endMs: 203 }),
          task({ id: 13, startMs: 203, endMs: 206 }),
          task({ id: 14, startMs: 300, endMs: 303 }),
        ],
        { width: 500, maxMs: 400, labelWidth: 100 },
      )
      const labels = narrow.rows[0]!.bars.map((b) => b.label)
      expect(labels[0]).toMatchObject({ inside: true, anchor: 'end' })
      // #12 is followed at once by #13: no room after it, but room before? no (#1 ends where it starts): after it anyway.
      expect(labels[1]).toMatchObject({ inside: false, anchor: 'start' })
      expect(labels[2]).toMatchObject({ inside: false, anchor: 'start' })
      expect(labels[3]).toMatchObject({ inside: false, anchor: 'start' })
      const crowded = ganttLayout([task({ id: 1, startMs: 0, endMs: 100 }), task({ id: 22, startMs: 200, endMs: 202 }), task({ id: 3, startMs: 203, endMs: 300 })], {
        width: 500,
        maxMs: 400,
        labelWidth: 100,
      })
      expect(crowded.rows[0]!.bars[1]!.label).toMatchObject({ inside: false, anchor: 'end' })
    })

    it('uses the whole plot width for the data: the axis ends at the longest run, ticks inside it', () => {
      expect(l.axisY).toBe(44)
      expect(l.ticks[0]).toEqual({ x: 100, ms: 0 })
      expect(l.ticks.at(-1)!.x).toBe(100 + plotW)
      const odd = ganttLayout(tasks, { width: 500, maxMs: 430, labelWidth: 100, ticks: 4 })
      expect(odd.ticks.map((t) => t.ms)).toEqual([0, 200, 400])
      expect(odd.rows[0]!.bars[0]!.x + odd.rows[0]!.bars[0]!.w).toBeCloseTo(100 + (plotW * 400) / 430)
    })

    it('shares the time span of several runs', () => {
      expect(commonSpan([run({ wallMs: 300, tasks }), null, run({ wallMs: 100, tasks: [] })])).toBe(400)
    })
  })

  describe('runMetrics', () => {
    it('computes speedup against the serial run of the same tasks and the ideal', () => {
      const serial = run({ wallMs: 800, spec: 'cpu:400ms*2' })
      const parallel = run({ mode: 'parallel', wallMs: 420, spec: 'cpu:400ms*2', workers: 2, cpusUsable: 2 })
      const m = runMetrics(parallel, serial)
      expect(m.speedup).toBeCloseTo(1.9, 2)
      expect(m.idealWallMs).toBe(400)
      expect(m.idealSpeedup).toBe(2)
      expect(m.efficiency).toBeCloseTo(400 / 420)
    })

    it('has no measured speedup without a serial run of the same spec', () => {
      expect(runMetrics(run({ mode: 'parallel', spec: 'io:200ms*8' }), run({ spec: 'cpu:1ms' })).speedup).toBeNull()
    })
  })

  describe('specErrorKey', () => {
    it.each([
      ['', 'empty'],
      ['cpu:1ms,,io:2ms', 'emptyItem'],
      ['cpu:abc', 'notDuration'],
      ['cpu', 'needsDuration'],
      ['mixed:100', 'mixedNeeds'],
      ['cpu:20s', 'taskMax'],
      ['cpu:1ms*x', 'countWhole'],
      ['cpu:1ms*0', 'countRange'],
      ['disk:1ms', 'unknownKind'],
      ['crash:0', 'exitCode'],
      ['hang:forever', 'hangArgs'],
      ['cpu:1ms*40,io:1ms*40', 'maxTasks'],
      ['cpu:10s*13', 'maxTotal'],
    ])('explains %j with its own message (%s)', (spec, key) => {
      const r = parseTaskSpec(spec)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(specErrorKey(r.error.message)).toBe(key)
    })
  })
})
