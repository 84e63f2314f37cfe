/**
 * The `lab tree`, `lab counter` and `lab simulate` commands, run as real processes
 * (bin/lab.js → out/main/cli.js: run `npm run build` first).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'
import { REPO_ROOT } from '../helpers/paths'

const linux = process.platform === 'linux'
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>

describe('lab tree', () => {
  const spawned: ChildProcess[] = []
  afterEach(() => {
    for (const c of spawned.splice(0)) c.kill('SIGKILL')
  })

  it('--json prints the CLI engine\'s own tree: its PPID is this test', async () => {
    const r = await runLab(['tree', '--json'])
    expect(r.code).toBe(0)
    const out = json(r.stdout) as { processes: { pid: number; ppid: number; name: string; cmd: string; state: string; role?: string; threads: { tid: number; name: string }[] }[]; limits: string[] }
    const root = out.processes[0]!
    expect(root).toMatchObject({ ppid: process.pid, role: 'main' })
    expect(typeof root.name).toBe('string')
    expect(root.cmd).toContain('lab.js')
    expect(typeof root.state).toBe('string')
    expect(root.threads.length).toBeGreaterThan(0)
    expect(root.threads[0]).toEqual(expect.objectContaining({ tid: expect.any(Number), name: expect.any(String) }))
    expect(Array.isArray(out.limits)).toBe(true)
  })

  it.runIf(linux)('--pid prints the tree under PID with the PIDs and PPIDs ps reports', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    spawned.push(child)
    const r = await runLab(['tree', '--pid', String(child.pid), '--json'])
    expect(r.code).toBe(0)
    const out = json(r.stdout) as { processes: { pid: number; ppid: number; threads: { tid: number }[] }[] }
    expect(out.processes.map((p) => [p.pid, p.ppid])).toEqual([[child.pid, process.pid]])
    let osPpid: number
    try {
      osPpid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(child.pid)], { encoding: 'utf8' }).trim())
    } catch {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8') // no procps: ask /proc
      osPpid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    }
    expect(osPpid).toBe(process.pid)
    expect(out.processes[0]!.threads.map((t) => t.tid)).toContain(child.pid)
  })

  it('--watch --json prints one snapshot per interval until stopped', async () => {
    const watch = new LabProcess(['tree', '--watch', '--interval', '250', '--json'])
    try {
      const first = await watch.waitFor((l) => l.seq === 1)
      const second = await watch.waitFor((l) => l.seq === 2)
      const root = (first.processes as { pid: number; ppid: number }[])[0]!
      expect(root.pid).toBe(watch.child.pid)
      expect(first.added).toContain(watch.child.pid)
      expect(second.added).toEqual([])
      expect(second.exited).toEqual([])
    } finally {
      expect(await watch.stop()).toBe(0)
    }
  })

  it('labels another lab\'s counter children by their entry file (no shared registry across processes)', async () => {
    const counter = new LabProcess(['counter', '--processes', '2', '--increments', '10', '--hold', '4000', '--json'])
    try {
      let roles: (string | undefined)[] = []
      const deadline = Date.now() + 15_000
      while (roles.length < 2 && Date.now() < deadline) {
        const r = await runLab(['tree', '--pid', String(counter.child.pid), '--json'])
        const out = json(r.stdout) as { processes?: { ppid: number; role?: string }[] }
        roles = (out.processes ?? []).filter((p) => p.ppid === counter.child.pid).map((p) => p.role)
      }
      expect(roles).toEqual(['counter', 'counter'])
      await counter.waitFor((l) => l.kind === 'processes')
    } finally {
      await counter.stop()
    }
  })

  it('prints an indented text tree with threads and the OS notes', async () => {
    const r = await runLab(['tree'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+ \S+ \[main\]/)
    expect(r.stdout).toContain('threads: ')
    expect(r.stdout).toMatch(/note: /)
  })

  it('exits 1 with ERR_NOT_FOUND for a missing PID, 2 for a bad one', async () => {
    const missing = linux ? readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim() : '2147483646'
    const r = await runLab(['tree', '--pid', missing, '--json'])
    expect(r.code).toBe(1)
    expect(json(r.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
    expect((await runLab(['tree', '--pid', 'abc'])).code).toBe(2)
  })
})

describe('lab counter', () => {
  it('--threads N --atomic --json: no update lost', async () => {
    const r = await runLab(['counter', '--threads', '2', '--increments', '20000', '--atomic', '--json'])
    expect(r.code).toBe(0)
    const out = json(r.stdout)
    expect(out).toMatchObject({ kind: 'threads', n: 2, increments: 20_000, atomic: true, expected: 40_000, final: 40_000, lost: 0 })
    expect(out.perWorker).toHaveLength(2)
  })

  it('--processes N --json: the parent counter stays 0', async () => {
    const r = await runLab(['counter', '--processes', '2', '--increments', '1000', '--json'])
    expect(r.code).toBe(0)
    const out = json(r.stdout) as { final: number; lost: number; perWorker: { pid: number; final: number }[] }
    expect(out).toMatchObject({ kind: 'processes', final: 0, lost: 2000 })
    expect(out.perWorker.map((w) => w.final)).toEqual([1000, 1000])
  })

  it('text output names the lost updates; bad usage exits 2', async () => {
    const r = await runLab(['counter', '--threads', '2', '--increments', '1000'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/expected 2000, final \d+, lost \d+/)
    expect((await runLab(['counter'])).code).toBe(2)
    expect((await runLab(['counter', '--threads', '2', '--processes', '2'])).code).toBe(2)
    expect((await runLab(['counter', '--processes', '2', '--atomic'])).code).toBe(2)
    expect((await runLab(['counter', '--threads', '99'])).code).toBe(2)
  })
})

describe('lab simulate', () => {
  it('--json gives totals and the tick-by-tick trace (README example -l 3:0 -L 5)', async () => {
    const r = await runLab(['simulate', '--procs', '3:0', '--io-length', '5', '--json'])
    expect(r.code).toBe(0)
    const out = json(r.stdout) as { simulation: boolean; totalTime: number; cpuBusy: number; ioBusy: number; trace: unknown[] }
    expect(out).toMatchObject({ simulation: true, totalTime: 21, cpuBusy: 6, ioBusy: 15 })
    expect(out.trace).toHaveLength(21)
    expect(out.trace[6]).toEqual({ tick: 7, ioDone: true, states: ['RUN:io_done'], cpu: 1, io: 0 })
  })

  it('text output is process-run.py -c -p, under a SIMULATION banner', async () => {
    const r = await runLab(['simulate', '--procs', '1:0,4:100', '--switch', 'end'])
    expect(r.code).toBe(0)
    const recorded = readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'process-run', 'q4-switch-end.txt'), 'utf8').split('\n').slice(1).join('\n')
    expect(r.stdout.startsWith('SIMULATION')).toBe(true)
    expect(r.stdout).toContain(recorded.trimEnd())
  })

  it('bad options exit 2', async () => {
    expect((await runLab(['simulate'])).code).toBe(2)
    expect((await runLab(['simulate', '--procs', '1:0', '--switch', 'sideways'])).code).toBe(2)
    expect((await runLab(['simulate', '--procs', '1:0', '--io-length', '999'])).code).toBe(2)
    const r = await runLab(['simulate', '--procs', 'x', '--json'])
    expect(r.code).toBe(2)
    expect(json(r.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
  })
})
