import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'
import { isAlive, killAll, waitUntil } from '../helpers/procs'

const procs: LabProcess[] = []
const seen = new Set<number>()

afterEach(async () => {
  // (LabProcess.stop waits for 'exit'; a child already killed by a signal will not emit it again.)
  await Promise.all(procs.splice(0).filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => p.stop('SIGKILL')))
  // Give orphans their two seconds, then make sure nothing is left either way.
  await waitUntil(() => ![...seen].some(isAlive), 2_500)
  const leftovers = [...seen].filter(isAlive)
  killAll(leftovers)
  seen.clear()
  expect(leftovers, 'pool children left alive').toEqual([])
})

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>
}

describe('lab run / lab compare', () => {
  it('lab run --json prints the run with one entry per task', async () => {
    const r = await runLab(['run', '--tasks', 'cpu:30ms*2,io:30ms', '--mode', 'serial', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = lastJson(r.stdout)
    expect(out).toMatchObject({ mode: 'serial', wallMs: expect.any(Number), cpus: expect.any(Number), workers: 1 })
    const tasks = out.tasks as Record<string, unknown>[]
    expect(tasks).toHaveLength(3)
    for (const t of tasks) {
      expect(t).toMatchObject({ id: expect.any(Number), kind: expect.any(String), pid: expect.any(Number), startMs: expect.any(Number), endMs: expect.any(Number), cpuMs: expect.any(Number), ok: true })
      seen.add(t.pid as number)
    }
    expect(tasks.map((t) => t.kind)).toEqual(['cpu', 'cpu', 'io'])
    if (process.platform === 'linux') {
      // The scheduler's own figures per task (issue 10): switches, run-queue wait, CPUs, sampling cost.
      for (const t of tasks) {
        expect(t).toMatchObject({ voluntarySwitches: expect.any(Number), involuntarySwitches: expect.any(Number), runQueueWaitMs: expect.any(Number), cpus: expect.any(Array) })
        expect((t.cpus as number[]).length).toBeGreaterThan(0)
      }
      expect(out.sampling).toMatchObject({ ok: true, method: 'schedstat', samplerCpuMs: expect.any(Number) })
    }
  })

  it('lab compare --json prints three runs; without --json a table', async () => {
    const json = await runLab(['compare', '--tasks', 'cpu:20ms*2,io:20ms*2', '--json'])
    expect(json.code, json.stderr).toBe(0)
    const out = lastJson(json.stdout)
    const runs = out.runs as Record<string, unknown>[]
    expect(runs.map((r) => r.mode)).toEqual(['serial', 'concurrent', 'parallel'])
    for (const run of runs) expect((run.tasks as unknown[]).length).toBe(4)
    if (process.platform === 'linux') {
      for (const run of runs) for (const t of run.tasks as Record<string, unknown>[]) expect(t).toMatchObject({ voluntarySwitches: expect.any(Number), involuntarySwitches: expect.any(Number), runQueueWaitMs: expect.any(Number), cpus: expect.any(Array) })
    }
    // Pool sizes: serial 1, concurrent one per task, parallel one per CPU (at most one per task).
    expect(runs.map((r) => r.workers)).toEqual([1, 4, Math.min(os.availableParallelism(), 4)])
    expect(out).toMatchObject({ speedup: { concurrent: expect.any(Number), parallel: expect.any(Number) }, ideal: { wallMs: { serial: 80 } } })
    const text = await runLab(['compare', '--tasks', 'io:20ms*2'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^mode\s+children\s+wall ms\s+CPU ms\s+util %\s+speedup/m)
    for (const mode of ['serial', 'concurrent', 'parallel']) expect(text.stdout).toMatch(new RegExp(`^${mode}\\s+\\d+\\s+\\d+\\.\\d`, 'm'))
  })

  it('exits 1 and names the error when a task crashes; 2 on bad usage', async () => {
    const crash = await runLab(['run', '--tasks', 'crash:9', '--mode', 'serial', '--json'])
    expect(crash.code).toBe(1)
    const task = (lastJson(crash.stdout).tasks as Record<string, unknown>[])[0]!
    expect(task).toMatchObject({ ok: false, error: { code: 'ERR_TASK_CRASHED', params: { exitCode: 9 } } })
    const badSpec = await runLab(['run', '--tasks', 'cpu:400ms,warp:9', '--mode', 'serial', '--json'])
    expect(badSpec.code).toBe(2)
    expect(lastJson(badSpec.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/item 2 "warp:9"/) } })
    const badMode = await runLab(['run', '--tasks', 'io:1', '--mode', 'sideways'])
    expect(badMode.code).toBe(2)
    expect(badMode.stderr).toMatch(/--mode must be one of serial, concurrent, parallel/)
    const noTasks = await runLab(['compare'])
    expect(noTasks.code).toBe(2)
    expect(noTasks.stderr).toMatch(/--tasks is required/)
  })
})

describe('no orphans after kill -9 of the lab', () => {
  async function killedWhileRunning(tasks: string): Promise<number[]> {
    const lab = new LabProcess(['run', '--tasks', tasks, '--mode', 'parallel', '--workers', '2', '--events', '--json'])
    procs.push(lab)
    const ready = await lab.waitFor((l) => l.event === 'pool-ready')
    const pids = ready.pids as number[]
    for (const pid of pids) seen.add(pid)
    await lab.waitFor((l) => l.event === 'task-started' && l.taskId === 2)
    expect(pids).toHaveLength(2)
    expect(pids.every(isAlive)).toBe(true)
    await lab.stop('SIGKILL')
    return pids
  }

  it('children waiting on I/O exit within 2 s (IPC disconnect)', async () => {
    const pids = await killedWhileRunning('io:8000ms*2')
    expect(await waitUntil(() => !pids.some(isAlive), 2_000)).toBe(true)
  })

  it('children busy computing exit within 2 s (they notice their parent PID changed)', async () => {
    const pids = await killedWhileRunning('cpu:8000ms*2')
    expect(await waitUntil(() => !pids.some(isAlive), 2_000)).toBe(true)
  })
})
