/**
 * The process and thread tree against what the OS itself says, with real child processes.
 * On Linux the reference is `ps -eo pid,ppid` (procps) when it is installed, else /proc
 * directly (CI images without procps), and /proc/<pid>/task for threads.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OsTreeSnapshot } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

const linux = process.platform === 'linux'

/** PID → PPID for every process, from `ps -eo pid,ppid`, or from /proc when ps is missing. */
function osParents(): { source: 'ps' | 'proc'; parents: Map<number, number> } {
  const parents = new Map<number, number>()
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    for (const line of out.trim().split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number)
      parents.set(pid!, ppid!)
    }
    return { source: 'ps', parents }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // exited meanwhile
    }
  }
  return { source: 'proc', parents }
}

function tidsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b)
}

/** The largest PID the kernel hands out is below pid_max, so pid_max itself never exists. */
function missingPid(): number {
  return linux ? Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) : 2 ** 31 - 2
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const IDLE = 'setInterval(() => {}, 1000)'
/** A node process that starts one idle grandchild and prints its PID. */
const PARENT_OF_ONE = `const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(IDLE)}], { stdio: 'ignore' }); console.log(c.pid); ${IDLE}`

describe.runIf(linux)('process tree (Linux /proc)', () => {
  let lab: Lab
  const spawned: ChildProcess[] = []
  const extraPids: number[] = []

  const start = (code: string): ChildProcess => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] })
    spawned.push(child)
    return child
  }

  /** Starts a child with one grandchild; resolves when both exist. */
  async function family(): Promise<{ child: ChildProcess; grandPid: number }> {
    const child = start(PARENT_OF_ONE)
    const grandPid = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
      child.once('exit', () => reject(new Error('child exited early')))
    })
    extraPids.push(grandPid)
    return { child, grandPid }
  }

  beforeEach(() => {
    lab = createTestLab()
  })

  afterEach(async () => {
    await lab.close()
    for (const c of spawned.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    for (const pid of extraPids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  })

  it('lists the engine and its descendants with the PIDs and PPIDs the OS reports', async () => {
    const { child, grandPid } = await family()
    const tree = await lab.invoke('os.tree', {})
    const { source, parents } = osParents()
    expect(tree.rootPid).toBe(process.pid)
    expect(tree.processes[0]).toMatchObject({ pid: process.pid, role: 'main' })
    const pids = tree.processes.map((p) => p.pid)
    expect(pids).toContain(child.pid)
    expect(pids).toContain(grandPid)
    for (const p of tree.processes) expect([p.pid, p.ppid], `ppid of ${p.pid} (vs ${source})`).toEqual([p.pid, parents.get(p.pid)])
    // And nothing is missing: every descendant the OS listed is in the tree (except those gone since, like ps itself).
    const descendants = new Set([process.pid])
    for (let grew = true; grew; ) {
      grew = false
      for (const [pid, ppid] of parents) {
        if (descendants.has(ppid) && !descendants.has(pid)) {
          descendants.add(pid)
          grew = true
        }
      }
    }
    for (const pid of [child.pid!, grandPid]) expect(descendants.has(pid)).toBe(true)
    for (const pid of descendants) if (pid !== process.pid && existsSync(`/proc/${pid}`)) expect(pids, `descendant ${pid}`).toContain(pid)
  })

  it('gives the tree under a PID, parents first, and each process the threads /proc/<pid>/task lists', async () => {
    const { child, grandPid } = await family()
    // Node 24 renames its main thread "node" → "MainThread" while it boots: the name the tree read is
    // the one the OS gave just before or just after it was read.
    const commOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/comm`, 'utf8').trim()
    const namesBefore = new Map([child.pid!, grandPid].map((pid) => [pid, commOf(pid)]))
    const tree = await lab.invoke('os.tree', { pid: child.pid! })
    const namesAfter = new Map([child.pid!, grandPid].map((pid) => [pid, commOf(pid)]))
    expect(tree.processes.map((p) => [p.pid, p.ppid])).toEqual([
      [child.pid, process.pid],
      [grandPid, child.pid],
    ])
    // Idle node processes keep a steady set of threads; read once more in case one was still starting
    // (then that reading is the one checked, its count and names as well).
    for (const sampled of tree.processes) {
      let p = sampled
      let names = [namesBefore.get(p.pid), namesAfter.get(p.pid)]
      if (p.threads.map((t) => t.tid).join() !== tidsOf(p.pid).join()) {
        const before = commOf(p.pid)
        p = { ...p, ...(await lab.invoke('os.process', { pid: p.pid })) }
        names = [before, commOf(p.pid)]
      }
      const threads = p.threads.map((t) => t.tid)
      expect(threads).toEqual(tidsOf(p.pid))
      expect(p.threadCount).toBe(threads.length)
      // The name is the OS's: "node" on Node 20, "MainThread" on Node 24 (Electron 41's Node).
      const main = p.threads.find((t) => t.tid === p.pid)
      expect(main?.role).toBe('main')
      expect(names).toContain(main?.name)
    }
    const top = tree.processes[0]!
    expect(top.cmd).toContain(process.execPath)
    expect(top.rssBytes).toBeGreaterThan(1024 * 1024)
    expect(['running', 'sleeping']).toContain(top.state)
    expect(top.startedAt).toBeGreaterThan(Date.now() - 60_000)
    expect(tree.source).toBe('procfs')
    expect(tree.limits.length).toBeGreaterThan(0)
  })

  it('the engine thread count matches /proc/self/task', async () => {
    // The engine's threads may change while vitest runs: compare on a sample that agrees with a read right after it.
    const match = await until(async () => {
      const before = tidsOf(process.pid).join()
      const p = await lab.invoke('os.process', { pid: process.pid })
      const after = tidsOf(process.pid).join()
      return before === after ? { tree: p.threads.map((t) => t.tid).join(), os: after } : undefined
    }, 'a stable thread list')
    expect(match.tree).toBe(match.os)
  })

  it('shows a child with the right PPID, and no longer once it has exited', async () => {
    const child = start(IDLE)
    const seen = await until(async () => (await lab.invoke('os.tree', {})).processes.find((p) => p.pid === child.pid), 'the child in the tree')
    expect(seen.ppid).toBe(process.pid)
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
    const tree = await lab.invoke('os.tree', {})
    expect(tree.processes.map((p) => p.pid)).not.toContain(child.pid)
    const gone = await lab.call('os.process', { pid: child.pid! })
    expect(gone.ok ? null : gone.error.code).toBe('ERR_NOT_FOUND')
  })

  it('reports ERR_NOT_FOUND for a PID that does not exist', async () => {
    const pid = missingPid()
    for (const result of [await lab.call('os.process', { pid }), await lab.call('os.tree', { pid }), await lab.call('os.watch.start', { pid })]) {
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toMatchObject({ code: 'ERR_NOT_FOUND', params: { pid } })
    }
    // A thread id is not a process id, though /proc/<tid> answers too.
    const tid = tidsOf(process.pid).find((t) => t !== process.pid)!
    const thread = await lab.call('os.process', { pid: tid })
    expect(thread.ok ? null : thread.error.code).toBe('ERR_NOT_FOUND')
    const stop = await lab.call('os.watch.stop', { watchId: 'watch-none' })
    expect(stop.ok ? null : stop.error.code).toBe('ERR_NOT_FOUND')
  })

  it('the whole system under PID 1 (read by scanning /proc, cheaper than walking there) agrees with the OS', async () => {
    const { child, grandPid } = await family()
    const tree = await lab.invoke('os.tree', { pid: 1 })
    const { parents } = osParents()
    const pids = tree.processes.map((p) => p.pid)
    expect(pids[0]).toBe(1)
    for (const pid of [process.pid, child.pid!, grandPid]) expect(pids).toContain(pid)
    // Other programs start and stop meanwhile: compare the processes both listings saw.
    const both = tree.processes.filter((p) => parents.has(p.pid))
    expect(both.length).toBeGreaterThan(tree.processes.length * 0.8)
    for (const p of both) expect([p.pid, p.ppid]).toEqual([p.pid, parents.get(p.pid)])
  })

  it('looks up any PID, such as PID 1', async () => {
    const init = await lab.invoke('os.process', { pid: 1 })
    expect(init).toMatchObject({ pid: 1, ppid: 0 })
    expect(init.threads.length).toBeGreaterThan(0)
  })

  it('a watch emits snapshots that mark added and exited processes', async () => {
    const snaps: OsTreeSnapshot[] = []
    lab.onEvent((e) => e.topic === 'os.tree' && snaps.push(e.payload))
    const { watchId, intervalMs } = await lab.invoke('os.watch.start', { intervalMs: 250 })
    expect(intervalMs).toBe(250)
    const first = await until(() => snaps[0], 'the first snapshot')
    expect(first).toMatchObject({ watchId, seq: 1, rootPid: process.pid, exited: [] })
    expect(first.added).toContain(process.pid)

    const child = start(IDLE)
    const added = await until(() => snaps.find((s) => s.seq > 1 && s.added.includes(child.pid!)), 'a snapshot adding the child')
    expect(added.processes.find((p) => p.pid === child.pid)).toMatchObject({ ppid: process.pid })
    expect(added.addedThreads).toContain(child.pid)
    child.kill('SIGKILL')
    const exited = await until(() => snaps.find((s) => s.exited.includes(child.pid!)), 'a snapshot with the child exited')
    expect(exited.processes.map((p) => p.pid)).not.toContain(child.pid)
    expect(exited.seq).toBeGreaterThan(added.seq)

    expect(await lab.invoke('os.watch.stop', { watchId })).toEqual({ active: 0 })
    const count = snaps.length
    await new Promise((r) => setTimeout(r, 600))
    expect(snaps.length).toBe(count)
  })

  it('a 17th watch ends the oldest instead of locking the tree out', async () => {
    const ids: string[] = []
    for (let i = 0; i < 17; i++) ids.push((await lab.invoke('os.watch.start', { intervalMs: 10_000 })).watchId)
    const oldest = await lab.call('os.watch.stop', { watchId: ids[0]! })
    expect(oldest.ok ? null : oldest.error.code).toBe('ERR_NOT_FOUND')
    expect(await lab.invoke('os.watch.stop', { watchId: ids[16]! })).toEqual({ active: 15 })
    expect(await lab.invoke('os.watch.stop', {})).toEqual({ active: 0 })
  })

  it('a watch on a PID ends with an empty snapshot when that process exits', async () => {
    const child = start(IDLE)
    await until(async () => ((await lab.call('os.process', { pid: child.pid! })).ok ? true : undefined), 'the child')
    const snaps: OsTreeSnapshot[] = []
    lab.onEvent((e) => e.topic === 'os.tree' && snaps.push(e.payload))
    await lab.invoke('os.watch.start', { intervalMs: 250, pid: child.pid! })
    await until(() => snaps[0], 'the first snapshot')
    child.kill('SIGKILL')
    const last = await until(() => snaps.find((s) => s.processes.length === 0), 'the empty snapshot')
    expect(last.exited).toEqual([child.pid])
    expect(await lab.invoke('os.watch.stop', {})).toEqual({ active: 0 })
  })
})
