/**
 * Threads versus processes with real worker threads and real child processes. How many
 * updates the racy threads lose depends on timing (and on the other work on this 2-core
 * machine), so only the accounting is asserted there, never that some were lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CounterResult, OsTree } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

const linux = process.platform === 'linux'

describe('proc.counter.run', () => {
  let lab: Lab

  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    await lab.close()
  })

  it('atomic threads lose no update', async () => {
    const r = await lab.invoke('proc.counter.run', { kind: 'threads', n: 3, increments: 200_000, atomic: true })
    expect(r).toMatchObject({ kind: 'threads', n: 3, increments: 200_000, atomic: true, expected: 600_000, final: 600_000, lost: 0 })
    expect(r.perWorker).toHaveLength(3)
    for (const w of r.perWorker) expect(w).toMatchObject({ pid: process.pid, increments: 200_000 })
    // The thread that finished last saw the complete count.
    expect(Math.max(...r.perWorker.map((w) => w.final))).toBe(600_000)
    if (linux) expect(new Set(r.perWorker.map((w) => w.tid)).size).toBe(3)
  })

  it('non-atomic threads: lost is exactly expected − final, never negative', async () => {
    const r = await lab.invoke('proc.counter.run', { kind: 'threads', n: 2, increments: 300_000 })
    expect(r.atomic).toBe(false)
    expect(r.expected).toBe(600_000)
    expect(r.lost).toBe(r.expected - r.final)
    expect(r.final).toBeGreaterThan(0)
    expect(r.final).toBeLessThanOrEqual(r.expected)
    expect(r.perWorker.every((w) => w.increments === 300_000)).toBe(true)
  })

  it('processes each count in their own memory: the parent counter stays 0', async () => {
    const r = await lab.invoke('proc.counter.run', { kind: 'processes', n: 3, increments: 50_000 })
    expect(r).toMatchObject({ kind: 'processes', n: 3, atomic: false, expected: 150_000, final: 0, lost: 150_000 })
    const pids = r.perWorker.map((w) => w.pid)
    expect(new Set(pids).size).toBe(3)
    expect(pids).not.toContain(process.pid)
    for (const w of r.perWorker) expect(w).toMatchObject({ final: 50_000, increments: 50_000 })
  })

  it('rejects a second run while one is going, and bad input', async () => {
    const first = lab.invoke('proc.counter.run', { kind: 'threads', n: 1, increments: 10, holdMs: 500 })
    const second = await lab.call('proc.counter.run', { kind: 'threads', n: 1 })
    expect(second.ok ? null : second.error.code).toBe('ERR_BAD_STATE')
    await first
    const bad = await lab.call('proc.counter.run', { kind: 'threads', n: 0 } as never)
    expect(bad.ok ? null : bad.error.code).toBe('ERR_INVALID_INPUT')
    const unknown = await lab.call('proc.counter.run', { kind: 'fibers', n: 2 } as never)
    expect(unknown.ok ? null : unknown.error.code).toBe('ERR_INVALID_INPUT')
  })

  describe.runIf(linux)('in the process tree while they run', () => {
    async function poll(until: (t: OsTree) => boolean, done: Promise<unknown>): Promise<OsTree> {
      let finished = false
      void done.finally(() => (finished = true))
      for (;;) {
        const t = await lab.invoke('os.tree', {})
        if (until(t)) return t
        if (finished) throw new Error('the run ended before it was seen in the tree')
        await new Promise((r) => setTimeout(r, 50))
      }
    }

    it('counter threads are labelled threads of the engine process', async () => {
      const run = lab.invoke('proc.counter.run', { kind: 'threads', n: 3, increments: 1000, holdMs: 1500 })
      const counterThreads = (t: OsTree) => t.processes[0]!.threads.filter((th) => th.role === 'counter')
      const seen = await poll((t) => counterThreads(t).length === 3, run)
      const r: CounterResult = await run
      expect(counterThreads(seen).map((th) => th.tid).sort()).toEqual(r.perWorker.map((w) => w.tid).sort())
      expect(counterThreads(seen).map((th) => th.label).sort()).toEqual(['counter thread 1/3', 'counter thread 2/3', 'counter thread 3/3'])
      // Once the run is over the labels are gone at once; the threads too, but the kernel drops an
      // ended thread's /proc entry a moment after it was joined (seen on a loaded CI machine), so the
      // tree is read again until it has.
      let after = await lab.invoke('os.tree', {})
      expect(counterThreads(after)).toEqual([])
      const ended = new Set(r.perWorker.map((w) => w.tid))
      const deadline = Date.now() + 10_000
      while (after.processes[0]!.threads.some((th) => ended.has(th.tid)) && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 50))
        after = await lab.invoke('os.tree', {})
      }
      for (const w of r.perWorker) expect(after.processes[0]!.threads.map((th) => th.tid)).not.toContain(w.tid)
    })

    it('counter children are labelled child processes of the engine', async () => {
      const run = lab.invoke('proc.counter.run', { kind: 'processes', n: 2, increments: 1000, holdMs: 1500 })
      const children = (t: OsTree) => t.processes.filter((p) => p.role === 'counter')
      const seen = await poll((t) => children(t).length === 2, run)
      const r = await run
      expect(children(seen).map((p) => p.pid).sort()).toEqual(r.perWorker.map((w) => w.pid).sort())
      for (const p of children(seen)) {
        expect(p.ppid).toBe(process.pid)
        expect(p.cmd).toContain('counter-child.js')
      }
      // The children have exited (or been killed) by the time the result arrives.
      const deadline = Date.now() + 5_000
      let left = children(await lab.invoke('os.tree', {}))
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 50))
        left = (await lab.invoke('os.tree', {})).processes.filter((p) => r.perWorker.some((w) => w.pid === p.pid))
      }
      expect(left).toEqual([])
    })
  })
})
