/**
 * Issue 10, items 1 and 2: the kernel's own evidence of time slicing, with real processes.
 * Structure is asserted, never times: slices that do not overlap and alternate, counts that
 * are positive or larger than others. Linux only (/proc); elsewhere the fields must be absent
 * with a coded reason.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunResult, TaskResult } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { CpuSampler } from '../../main/lab/proc/cpu-sampler'
import { readThreadCounters } from '../../main/lab/proc/sched-counters'
import { createTestLab } from '../helpers/lab'
import { isAlive, killAll, waitUntil } from '../helpers/procs'

const linux = process.platform === 'linux'
let lab: Lab | null = null
const seen = new Set<number>()

function open(): Lab {
  lab = createTestLab()
  lab.onEvent((e) => {
    if (e.topic === 'proc.progress' && e.payload.event === 'pool-ready') for (const pid of e.payload.pids) seen.add(pid)
  })
  return lab
}

async function run(l: Lab, input: { tasks: string; mode: 'serial' | 'concurrent' | 'parallel' }): Promise<RunResult> {
  const r = await l.call('proc.run', input)
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as RunResult
}

/** Idle (+ iowait) time of one CPU so far, ms, from /proc/stat (USER_HZ = 100 here and almost everywhere). */
function cpuIdleMs(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `))!
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  return (f[3]! + f[4]!) * 10
}

afterEach(async () => {
  await lab?.close()
  lab = null
  const leftovers = [...seen].filter(isAlive)
  killAll(leftovers)
  seen.clear()
  expect(leftovers, 'pool children left alive').toEqual([])
})

const total = (ran: [number, number][]) => ran.reduce((s, [a, b]) => s + (b - a), 0)

describe.runIf(linux)('CPU time where it happened (Linux schedstat)', () => {
  it('four cpu:400ms pinned to one CPU: sampled slices interleave without overlapping, and the OS took the CPU from each', async () => {
    const idle0 = cpuIdleMs(0)
    const r = await run(open(), { tasks: 'cpu:400ms*4', mode: 'concurrent' })
    const idleMs = cpuIdleMs(0) - idle0
    expect(r.pinned.ok, r.pinned.reason).toBe(true)
    expect(r.pinned.cpu).toBe(0)
    expect(r.sampling).toMatchObject({ ok: true, method: 'schedstat' })
    const tasks = r.tasks as (TaskResult & { ran: [number, number][] })[]
    for (const t of tasks) {
      expect(t.ok).toBe(true)
      expect(t.cpus).toEqual([r.pinned.cpu])
      // Claim 1 of the course: a task that holds the CPU too long has it taken away.
      expect(t.involuntarySwitches, `task ${t.id}`).toBeGreaterThan(0)
      // Each waited in the run queue while the others ran.
      expect(t.runQueueWaitMs, `task ${t.id}`).toBeGreaterThan(0)
      // The samples account for most of the CPU time the task used.
      expect(total(t.ran)).toBeGreaterThan(0.7 * t.cpuMs)
      for (const [a, b] of t.ran) {
        expect(b).toBeGreaterThan(a)
        expect(a).toBeGreaterThanOrEqual(t.startMs - 0.11)
        expect(b).toBeLessThanOrEqual(t.endMs + 0.11)
      }
    }
    // One CPU: no two tasks' slices overlap in time.
    const all = tasks.flatMap((t) => t.ran.map(([a, b]) => ({ id: t.id, a, b }))).sort((x, y) => x.a - y.a)
    for (let i = 1; i < all.length; i++) expect(all[i]!.a, `slice ${i} of task ${all[i]!.id} overlaps task ${all[i - 1]!.id}`).toBeGreaterThanOrEqual(all[i - 1]!.b - 1e-6)
    // They interleave: the order of running switches between tasks many times (run one after
    // another, it would switch 3 times).
    let handovers = 0
    for (let i = 1; i < all.length; i++) if (all[i]!.id !== all[i - 1]!.id) handovers++
    expect(handovers).toBeGreaterThan(3 * 4)
    // Their union covers the wall time, except what other programs on this shared machine took
    // from that CPU: the slices are the CPU time the kernel counted for them (≥ 80 %), and the CPU
    // was never idle for long while four tasks wanted it (/proc/stat, over the whole call).
    const union = total(all.map((s): [number, number] => [s.a, s.b]))
    expect(union).toBeGreaterThan(0.8 * tasks.reduce((s, t) => s + t.cpuMs, 0))
    expect(idleMs).toBeLessThan(0.2 * r.wallMs + 100)
    console.info(`4 × cpu:400ms on CPU 0: slices cover ${Math.round((union / r.wallMs) * 100)} % of ${Math.round(r.wallMs)} ms wall; CPU 0 idle ${idleMs} ms; ${handovers} handovers`)
    if (r.sampling?.ok) expect(r.sampling.samplerCpuMs).toBeGreaterThan(0)
  })

  it('eight io:200ms: each task gave the CPU up, and voluntary switches outnumber involuntary ones', async () => {
    const r = await run(open(), { tasks: 'io:200ms*8', mode: 'concurrent' })
    const tasks = r.tasks
    for (const t of tasks) {
      expect(t.ok).toBe(true)
      expect(t.voluntarySwitches, `task ${t.id}`).toBeGreaterThanOrEqual(1)
    }
    const voluntary = tasks.reduce((s, t) => s + t.voluntarySwitches!, 0)
    const involuntary = tasks.reduce((s, t) => s + t.involuntarySwitches!, 0)
    expect(voluntary).toBeGreaterThan(involuntary)
  })

  it('a reused pool child: every task gets its own counts (deltas), not the child’s running total', async () => {
    const r = await run(open(), { tasks: 'io:30ms*6', mode: 'serial' })
    expect(new Set(r.tasks.map((t) => t.pid)).size).toBe(1)
    // Six one-sleep tasks on one child: the 6th counts its own few switches, not all six tasks' sum.
    const counts = r.tasks.map((t) => t.voluntarySwitches!)
    expect(Math.max(...counts)).toBeLessThan(counts.reduce((a, b) => a + b, 0))
    expect(counts.at(-1)!).toBeLessThanOrEqual(counts[0]! + 3)
  })

  it('a PID that vanishes mid-run is a coded "missing", never a crash or a made-up number', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 150)'], { stdio: 'ignore' })
    const pid = child.pid!
    const started = CpuSampler.start(5)
    expect(started.ok).toBe(true)
    if (!started.ok) return
    started.sampler.track(pid)
    await new Promise((resolve) => child.once('exit', resolve))
    await waitUntil(() => !isAlive(pid), 2_000)
    // Reap-free: after exit the /proc entry goes away; a few more ticks read (or fail to read) it.
    await new Promise((resolve) => setTimeout(resolve, 40))
    const report = started.sampler.stop()
    const series = report.series.find((s) => s.pid === pid)!
    expect(series.runNs.some(Number.isFinite)).toBe(true)
    expect(report.missing).toEqual([{ pid, error: expect.objectContaining({ code: 'ERR_NOT_FOUND' }) }])
    // A number after the PID was gone would be invented: the last readings are NaN.
    expect(Number.isNaN(series.runNs.at(-1)!)).toBe(true)
    // The one-shot reader says the same, in the same words of the catalogue.
    expect(readThreadCounters(`/proc/${pid}/task/${pid}`)).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
    // A file that is not the kernel's format is not a number either.
    expect(readThreadCounters('/proc/self/task/0')).toMatchObject({ ok: false })
  })
})

describe.skipIf(linux)('without /proc', () => {
  it('the counters are absent and say why', async () => {
    const r = await run(open(), { tasks: 'io:20ms', mode: 'serial' })
    expect(r.sampling).toMatchObject({ ok: false, error: { code: 'ERR_UNSUPPORTED' } })
    expect(r.tasks[0]!.voluntarySwitches).toBeUndefined()
    expect(r.tasks[0]!.countersMissing).toMatchObject({ code: 'ERR_UNSUPPORTED' })
  })
})
