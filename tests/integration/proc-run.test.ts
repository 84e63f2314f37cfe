import { afterEach, describe, expect, it } from 'vitest'
import type { ProcProgress, RunResult } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { cpusAllowed, isAlive, killAll, waitUntil } from '../helpers/procs'

let lab: Lab | null = null
const seen = new Set<number>()

function open(): { lab: Lab; events: ProcProgress[] } {
  lab = createTestLab()
  const events: ProcProgress[] = []
  lab.onEvent((e) => {
    if (e.topic !== 'proc.progress') return
    events.push(e.payload)
    if (e.payload.event === 'pool-ready') for (const pid of e.payload.pids) seen.add(pid)
  })
  return { lab, events }
}

async function run(l: Lab, input: Parameters<Lab['invoke']>[1] & object): Promise<RunResult> {
  const r = await l.call('proc.run', input as never)
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as RunResult
}

afterEach(async () => {
  await lab?.close()
  lab = null
  const leftovers = [...seen].filter(isAlive)
  killAll(leftovers)
  seen.clear()
  expect(leftovers, 'pool children left alive').toEqual([])
})

describe('proc.run', () => {
  it('serial: one child runs the tasks one after another', async () => {
    const { lab } = open()
    const r = await run(lab, { tasks: 'cpu:60ms*2,io:60ms,mixed:20/40', mode: 'serial' })
    expect(r).toMatchObject({ mode: 'serial', workers: 1, cpusUsable: 1, pinned: { ok: false } })
    expect(r.tasks.map((t) => t.id)).toEqual([1, 2, 3, 4])
    expect(new Set(r.tasks.map((t) => t.pid)).size).toBe(1)
    for (let i = 1; i < r.tasks.length; i++) expect(r.tasks[i]!.startMs).toBeGreaterThanOrEqual(r.tasks[i - 1]!.endMs)
    for (const t of r.tasks) {
      expect(t.ok).toBe(true)
      expect(t.wallMs).toBeCloseTo(t.endMs - t.startMs, 0)
      expect(t.endMs).toBeLessThanOrEqual(r.wallMs)
    }
    expect(r.tasks[0]!.cpuMs).toBeGreaterThanOrEqual(60)
    // An I/O task of the same length spends a fraction of a CPU task's CPU time (relative: the machine may be busy).
    expect(r.tasks[2]!.cpuMs).toBeLessThan(r.tasks[0]!.cpuMs / 2)
    expect(r.tasks[3]!.phases.map((p) => p.phase)).toEqual(['cpu', 'io'])
    expect(r.cpuMsTotal).toBeCloseTo(r.tasks.reduce((s, t) => s + t.cpuMs, 0), 0)
    expect(r.utilisation).toBeCloseTo(r.cpuMsTotal / r.wallMs, 2)
  })

  it('concurrent: one child per task, all pinned to one CPU, which the OS confirms', async () => {
    const { lab, events } = open()
    const allowed: (string | null)[] = []
    lab.onEvent((e) => {
      if (e.topic === 'proc.progress' && e.payload.event === 'pool-ready') allowed.push(...e.payload.pids.map(cpusAllowed))
    })
    const r = await run(lab, { tasks: 'cpu:50ms*3,io:50ms*2', mode: 'concurrent' })
    expect(r.workers).toBe(5)
    expect(new Set(r.tasks.map((t) => t.pid)).size).toBe(5)
    if (process.platform === 'linux' && r.pinned.ok) {
      expect(r.pinned).toMatchObject({ ok: true, cpu: expect.any(Number) })
      expect(r.cpusUsable).toBe(1)
      // Read from /proc, independently of the engine's own check.
      expect(allowed).toEqual(Array(5).fill(String(r.pinned.cpu)))
      for (const t of r.tasks) expect(t.cpu, `task ${t.id}`).toBe(r.pinned.cpu)
      // Three CPU-bound processes on one CPU: the OS switches between them, and each sees it.
      const cpuPhases = r.tasks.filter((t) => t.kind === 'cpu').map((t) => t.phases[0]!)
      expect(Math.max(...cpuPhases.map((p) => p.slices!.length))).toBeGreaterThanOrEqual(2)
      for (const p of cpuPhases) {
        const flat = p.slices!.flat()
        expect(flat).toEqual([...flat].sort((a, b) => a - b))
        expect(flat[0]!).toBeGreaterThanOrEqual(p.startMs - 0.2)
        expect(flat.at(-1)!).toBeLessThanOrEqual(p.endMs + 0.2)
      }
    } else {
      expect(r.pinned.ok).toBe(false)
      expect(r.pinned.reason).toEqual(expect.any(String))
    }
    const ready = events.find((e) => e.event === 'pool-ready')
    expect(ready).toMatchObject({ runId: r.runId, mode: 'concurrent', workers: 5, tasks: 5 })
  })

  it('parallel: a pool of one child per CPU (or --workers), emitting progress in order', async () => {
    const { lab, events } = open()
    const r = await run(lab, { tasks: 'io:30ms*5', mode: 'parallel', workers: 2 })
    expect(r).toMatchObject({ mode: 'parallel', workers: 2, pinned: { ok: false } })
    expect(new Set(r.tasks.map((t) => t.pid)).size).toBe(2)
    expect(r.tasks.every((t) => t.slot === 0 || t.slot === 1)).toBe(true)
    const kinds = events.map((e) => e.event)
    expect(kinds[0]).toBe('pool-ready')
    expect(kinds.at(-1)).toBe('run-finished')
    expect(kinds.filter((k) => k === 'task-started')).toHaveLength(5)
    expect(kinds.filter((k) => k === 'task-finished')).toHaveLength(5)
    for (const id of [1, 2, 3, 4, 5]) {
      const started = events.findIndex((e) => e.event === 'task-started' && e.taskId === id)
      const finished = events.findIndex((e) => e.event === 'task-finished' && e.task.id === id)
      expect(started).toBeGreaterThan(0)
      expect(finished).toBeGreaterThan(started)
    }
    expect(events.every((e) => e.runId === r.runId && typeof e.at === 'number')).toBe(true)
  })

  it('reports a crashing and a hanging task as failed tasks, and the rest still run', async () => {
    const { lab, events } = open()
    const r = await run(lab, { tasks: 'crash:7,hang,io:20ms*2', mode: 'parallel', workers: 2, deadlineMs: 400 })
    const [crash, hang, ...rest] = r.tasks
    expect(crash).toMatchObject({ ok: false, error: { code: 'ERR_TASK_CRASHED', params: { exitCode: 7 } } })
    expect(hang).toMatchObject({ ok: false, error: { code: 'ERR_TASK_TIMEOUT', params: { deadlineMs: 400, signal: 'SIGTERM' } } })
    expect(rest.every((t) => t.ok)).toBe(true)
    const replaced = events.filter((e) => e.event === 'child-replaced')
    // The crashed child's slot is refilled before the I/O tasks can run there; the timed-out one may
    // still be starting when the run ends (the pool's own tests show that replacement).
    expect(replaced.map((e) => e.event === 'child-replaced' && e.reason)).toContain('crashed')
    for (const e of replaced) if (e.event === 'child-replaced') seen.add(e.newPid)
    expect(isAlive(crash!.pid!)).toBe(false)
    expect(isAlive(hang!.pid!)).toBe(false)
  })

  it('runs one thing at a time, and proc.stop ends a run and its children', async () => {
    const { lab, events } = open()
    const first = lab.call('proc.run', { tasks: 'hang*2', mode: 'parallel', deadlineMs: 60_000 })
    expect(await waitUntil(() => events.filter((e) => e.event === 'task-started').length === 2, 10_000)).toBe(true)
    const status = await lab.invoke('proc.pool.status', {})
    const mine = status.children.filter((c) => c.poolId === events[0]!.runId)
    expect(mine.map((c) => c.state)).toEqual(['busy', 'busy'])
    const second = await lab.call('proc.run', { tasks: 'io:1', mode: 'serial' })
    expect(second).toMatchObject({ ok: false, error: { code: 'ERR_BAD_STATE' } })
    expect(await lab.invoke('proc.stop', {})).toEqual({ stopped: true })
    const r = await first
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value.tasks.map((t) => t.error?.code)).toEqual(['ERR_POOL_STOPPED', 'ERR_POOL_STOPPED'])
    for (const c of mine) expect(isAlive(c.pid)).toBe(false)
    expect(await lab.invoke('proc.stop', {})).toEqual({ stopped: false })
  })

  it('closing the lab mid-run leaves no child behind', async () => {
    const { lab, events } = open()
    const pending = lab.call('proc.run', { tasks: 'cpu:5000ms,io:5000ms', mode: 'concurrent' })
    expect(await waitUntil(() => events.some((e) => e.event === 'pool-ready'), 10_000)).toBe(true)
    const ready = events.find((e) => e.event === 'pool-ready')!
    const pids = ready.event === 'pool-ready' ? ready.pids : []
    expect(pids.every(isAlive)).toBe(true)
    await lab.close()
    await pending
    for (const pid of pids) expect(isAlive(pid)).toBe(false)
  })

  it('io@socket waits on a real TCP socket (the slow peer of the lab answers after the time), using little CPU', async () => {
    const { lab } = open()
    const r = await run(lab, { tasks: 'io:120ms@socket*2,mixed:20/60@socket', mode: 'concurrent' })
    expect(r.tasks.map((t) => t.ok)).toEqual([true, true, true])
    for (const t of r.tasks.slice(0, 2)) {
      expect(t.spec).toBe('io:120ms@socket')
      expect(t.cpuMs).toBeLessThan(120 / 4)
      expect(t.phases[0]!.endMs - t.phases[0]!.startMs).toBeGreaterThanOrEqual(119)
    }
    expect(r.tasks[2]!.phases.map((p) => p.phase)).toEqual(['cpu', 'io'])
  })

  it('shows the bounded queue: tasks past queueLimit fail with ERR_QUEUE_FULL, the rest run', async () => {
    const { lab } = open()
    const r = await run(lab, { tasks: 'io:50ms*4', mode: 'serial', queueLimit: 1 })
    expect(r.tasks.map((t) => (t.ok ? 'ok' : t.error?.code))).toEqual(['ok', 'ok', 'ERR_QUEUE_FULL', 'ERR_QUEUE_FULL'])
    expect(r.tasks[2]).toMatchObject({ pid: null, error: { params: { queueLimit: 1 } } })
  })

  it('rejects a bad task spec with ERR_INVALID_INPUT naming the bad item', async () => {
    const { lab } = open()
    const r = await lab.call('proc.run', { tasks: 'cpu:400ms*4,io:fast', mode: 'serial' })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('ERR_INVALID_INPUT')
      expect(r.error.message).toMatch(/tasks item 2 "io:fast"/)
    }
  })
})

describe('proc.compare', () => {
  it('runs serial, concurrent and parallel, and reports speedups against serial and ideal', async () => {
    const { lab } = open()
    const r = await lab.invoke('proc.compare', { tasks: 'cpu:40ms*2,io:40ms*2' })
    expect(r.runs.map((x) => x.mode)).toEqual(['serial', 'concurrent', 'parallel'])
    expect(r.speedup.concurrent).toBeCloseTo(r.runs[0]!.wallMs / r.runs[1]!.wallMs, 2)
    expect(r.speedup.parallel).toBeCloseTo(r.runs[0]!.wallMs / r.runs[2]!.wallMs, 2)
    expect(r.ideal.wallMs.serial).toBe(160)
    expect(r.ideal.wallMs.concurrent).toBe(80)
    expect(r.ideal.speedup.concurrent).toBe(2)
    expect(new Set(r.runs.map((x) => x.runId)).size).toBe(3)
  })
})
