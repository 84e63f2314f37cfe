import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { allowedCpus, firstAllowedCpu, parseCpuList, pinToCpu } from '../../main/lab/proc/affinity'

let child: ChildProcess | null = null
afterEach(() => {
  child?.kill('SIGKILL')
  child = null
})

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

/** A real multi-threaded process to pin (Node starts its libuv and V8 threads at once). */
async function sleeper(): Promise<number> {
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' })
  const pid = child.pid!
  // Wait for the threads themselves, not for a duration: on a busy machine they may take a while.
  while (readdirSync(`/proc/${pid}/task`).length < 4) await new Promise((r) => setTimeout(r, 20))
  return pid
}

describe('affinity helpers', () => {
  it('parses Linux CPU lists', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6])
    expect(parseCpuList('1')).toEqual([1])
    expect(parseCpuList('0,2-3\n')).toEqual([0, 2, 3])
    expect(parseCpuList('')).toEqual([])
  })

  it.runIf(process.platform === 'linux')('reads the CPUs this process may use from /proc, as many as Node counts', () => {
    const cpus = allowedCpus()
    expect(cpus).not.toBeNull()
    expect(cpus!.length).toBe(os.availableParallelism())
    expect(cpus).toContain(firstAllowedCpu())
    expect(allowedCpus(2 ** 22 + 12345)).toBeNull()
  })

  const lastCpu = () => os.availableParallelism() - 1
  const threadCpus = (pid: number) => readdirSync(`/proc/${pid}/task`).map((tid) => allowedCpus(pid, Number(tid))?.join(','))

  it.runIf(process.platform === 'linux' && has('taskset', ['-V']))('pins every thread with taskset, confirmed by /proc', async () => {
    const pid = await sleeper()
    expect(await pinToCpu(pid, lastCpu(), 'taskset')).toEqual({ ok: true, cpu: lastCpu(), method: 'taskset' })
    const cpus = threadCpus(pid)
    expect(cpus.length).toBeGreaterThan(1)
    expect(new Set(cpus)).toEqual(new Set([String(lastCpu())]))
  })

  it.runIf(process.platform === 'linux' && has('python3', ['-c', 'import os; os.sched_setaffinity']))('falls back to Python os.sched_setaffinity per thread', async () => {
    const pid = await sleeper()
    expect(await pinToCpu(pid, lastCpu(), 'python')).toEqual({ ok: true, cpu: lastCpu(), method: 'python' })
    expect(new Set(threadCpus(pid))).toEqual(new Set([String(lastCpu())]))
  })

  it('says why when it cannot pin', async () => {
    const r = await pinToCpu(2 ** 22 + 12345, 0)
    expect(r.ok).toBe(false)
    expect(r.reason).toEqual(expect.any(String))
    expect(await pinToCpu(-1, 0)).toEqual({ ok: false, reason: 'bad pid or cpu' })
  })
})
