import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LabError } from '../../main/lab/errors'
import { WorkerPool } from '../../main/lab/proc/worker-pool'
import { parseTaskSpec, type TaskSpec } from '../../shared/task-spec'
import { WORKERS_DIR } from '../helpers/paths'
import { isAlive, killAll, waitUntil } from '../helpers/procs'

const entry = path.join(WORKERS_DIR, 'pool-child.js')
const pools: WorkerPool[] = []
const seen = new Set<number>()

function task(spec: string): TaskSpec {
  const r = parseTaskSpec(spec)
  if (!r.ok) throw new Error(r.error.message)
  return r.tasks[0]!
}

async function start(size: number, extra: Partial<Parameters<typeof WorkerPool.start>[0]> = {}): Promise<WorkerPool> {
  const pool = await WorkerPool.start({ entry, size, ...extra })
  pools.push(pool)
  for (const pid of pool.pids()) seen.add(pid)
  return pool
}

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(LabError)
    return err as LabError
  }
  throw new Error('expected the task to fail')
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
  const leftovers = [...seen].filter(isAlive)
  killAll(leftovers)
  seen.clear()
  expect(leftovers, 'children left alive after close').toEqual([])
})

describe('process pool', () => {
  it('starts the requested number of real child processes, each our child', async () => {
    const pool = await start(3)
    const pids = pool.pids()
    expect(new Set(pids).size).toBe(3)
    expect(pids).not.toContain(process.pid)
    for (const pid of pids) expect(isAlive(pid)).toBe(true)
    expect(pool.children().map((c) => c.state)).toEqual(['idle', 'idle', 'idle'])
    expect(pool.children().every((c) => c.role === 'pool-child' && c.poolId === pool.poolId)).toBe(true)
  })

  it('reports OS CPU time: a cpu task uses at least its budget, an io task a small part of it', async () => {
    const pool = await start(1)
    const cpu = await pool.run(1, task('cpu:150ms'), { deadlineMs: 20_000 })
    const io = await pool.run(2, task('io:150ms'), { deadlineMs: 20_000 })
    expect(cpu.cpuMs).toBeGreaterThanOrEqual(150)
    expect(io.cpuMs).toBeLessThan(150 / 4)
    // Wall time of an io task is at least its wait; both ran in the pool's child.
    expect(io.endAt - io.startAt).toBeGreaterThanOrEqual(149)
    expect(cpu.pid).toBe(pool.pids()[0])
    expect(io.pid).toBe(cpu.pid)
    if (process.platform === 'linux') expect(cpu.cpu).toEqual(expect.any(Number))
    expect(cpu.phases.map((p) => p.phase)).toEqual(['cpu'])
  })

  it('queues beyond the free children and refuses past the queue limit with ERR_QUEUE_FULL', async () => {
    const pool = await start(1, { queueLimit: 2 })
    const running = pool.run(1, task('io:300ms'), { deadlineMs: 20_000 })
    const queued = [pool.run(2, task('io:1ms'), { deadlineMs: 20_000 }), pool.run(3, task('io:1ms'), { deadlineMs: 20_000 })]
    expect(pool.status()).toMatchObject({ busy: 1, queued: 2, queueLimit: 2 })
    const refused = await failure(pool.run(4, task('io:1ms'), { deadlineMs: 20_000 }))
    expect(refused.code).toBe('ERR_QUEUE_FULL')
    expect(refused.params).toMatchObject({ queueLimit: 2 })
    const done = await Promise.all([running, ...queued])
    expect(done.map((d) => d.taskId)).toEqual([1, 2, 3])
    // Queued tasks started only after the one before them ended (one child).
    expect(done[1]!.startAt).toBeGreaterThanOrEqual(done[0]!.endAt)
  })

  it('fails a crashing task with its exit code and replaces the child', async () => {
    const replaced: { oldPid: number; newPid: number; reason: string }[] = []
    const pool = await start(1, { onReplaced: (e) => replaced.push(e) })
    const [oldPid] = pool.pids()
    const err = await failure(pool.run(1, task('crash:3'), { deadlineMs: 20_000 }))
    expect(err.code).toBe('ERR_TASK_CRASHED')
    expect(err.params).toMatchObject({ pid: oldPid, exitCode: 3 })
    // The next task runs on a fresh child.
    const next = await pool.run(2, task('io:1ms'), { deadlineMs: 20_000 })
    seen.add(next.pid)
    expect(next.pid).not.toBe(oldPid)
    expect(isAlive(oldPid!)).toBe(false)
    expect(replaced).toEqual([{ slot: 0, oldPid, newPid: next.pid, reason: 'crashed' }])
    expect(pool.status().replaced).toBe(1)
  })

  it('kills a hanging task after its deadline (SIGTERM) and replaces the child', async () => {
    const pool = await start(1)
    const [oldPid] = pool.pids()
    const err = await failure(pool.run(1, task('hang'), { deadlineMs: 300 }))
    expect(err.code).toBe('ERR_TASK_TIMEOUT')
    expect(err.params).toMatchObject({ pid: oldPid, signal: 'SIGTERM', deadlineMs: 300 })
    expect(isAlive(oldPid!)).toBe(false)
    const next = await pool.run(2, task('cpu:1ms'), { deadlineMs: 20_000 })
    seen.add(next.pid)
    expect(next.pid).not.toBe(oldPid)
  })

  it('uses SIGKILL when a hanging child ignores SIGTERM', async () => {
    const pool = await start(1, { killGraceMs: 200 })
    const [oldPid] = pool.pids()
    const err = await failure(pool.run(1, task('hang:noterm'), { deadlineMs: 200 }))
    expect(err.code).toBe('ERR_TASK_TIMEOUT')
    expect(err.params).toMatchObject({ signal: 'SIGKILL' })
    expect(isAlive(oldPid!)).toBe(false)
  })

  it('close ends every child, fails queued and running tasks with ERR_POOL_STOPPED, and is idempotent', async () => {
    const pool = await start(2)
    const pids = pool.pids()
    const running = [pool.run(1, task('hang'), { deadlineMs: 60_000 }), pool.run(2, task('cpu:5000ms'), { deadlineMs: 60_000 })]
    const queued = pool.run(3, task('io:1ms'), { deadlineMs: 60_000 })
    await waitUntil(() => pool.status().busy === 2, 5_000)
    const closing = [pool.close(), pool.close()]
    const errors = await Promise.all([...running, queued].map(failure))
    expect(errors.map((e) => e.code)).toEqual(['ERR_POOL_STOPPED', 'ERR_POOL_STOPPED', 'ERR_POOL_STOPPED'])
    await Promise.all(closing)
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false)
    expect(pool.children()).toEqual([])
    expect((await failure(pool.run(4, task('io:1ms'), { deadlineMs: 1_000 }))).code).toBe('ERR_POOL_STOPPED')
  })

  it('says plainly when the child entry is not built', async () => {
    const err = await failure(WorkerPool.start({ entry: path.join(WORKERS_DIR, 'no-such-child.js'), size: 1 }))
    expect(err.code).toBe('ERR_INTERNAL')
    expect(err.message).toMatch(/not built/)
  })
})
