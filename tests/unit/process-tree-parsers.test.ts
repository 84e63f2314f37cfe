/**
 * The per-OS parsers of the process tree. Linux is also tested for real (integration);
 * macOS and Windows cannot run here, so their parsers are tested on hand-written samples
 * of `ps` and PowerShell output (tests/fixtures/ps-darwin, ps-win32: see their READMEs).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CpuTracker, depthFirst, stateFromLetter } from '../../main/lab/proc/process-tree-common'
import { darwinProcesses, parseCpuTime, parsePsArgs, parsePsList, parsePsThreads } from '../../main/lab/proc/process-tree-darwin'
import { parseCmdline, parseProcStat, parseVmRss } from '../../main/lab/proc/process-tree-linux'
import { encodeScript, parseWin32Json, psScript } from '../../main/lab/proc/process-tree-win32'
import { labelProcess } from '../../main/lab/proc/process-tree'
import { clearRoles, registerProcess, registerThread } from '../../main/lab/proc/roles'
import { REPO_ROOT } from '../helpers/paths'

const fixture = (...p: string[]) => readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', ...p), 'utf8')

describe('Linux /proc parsers', () => {
  it('reads stat fields counting from the LAST ")" (a comm may hold spaces and parentheses)', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    //         cutime cstime priority nice num_threads itrealvalue starttime vsize rss …
    const line = '4242 (my (odd) name) S 4200 4242 4242 0 -1 4194560 900 0 0 0 37 12 0 0 20 0 11 0 123456 1100000000 15000 18446744073709551615'
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'my (odd) name',
      state: 'S',
      ppid: 4200,
      cpuTicks: 49,
      numThreads: 11,
      startTicks: 123456,
      rssPages: 15000,
    })
    expect(parseProcStat('garbage')).toBeNull()
  })

  it('reads VmRSS in bytes, and none for a kernel thread', () => {
    expect(parseVmRss('Name:\tnode\nVmRSS:\t   61234 kB\nThreads:\t11\n')).toBe(61234 * 1024)
    expect(parseVmRss('Name:\tkthreadd\nThreads:\t1\n')).toBeNull()
  })

  it('joins NUL-separated arguments', () => {
    expect(parseCmdline('node\0bin/lab.js\0tree\0')).toBe('node bin/lab.js tree')
    expect(parseCmdline('')).toBe('')
  })
})

describe('macOS ps parsers (hand-written samples)', () => {
  const rows = parsePsList(fixture('ps-darwin', 'ps-list.txt'))

  it('parses every row, with comm keeping its spaces and lstart as local time', () => {
    expect(rows.map((r) => [r.pid, r.ppid, r.stat])).toEqual([
      [1, 0, 'Ss'],
      [501, 1, 'S'],
      [502, 501, 'S'],
      [610, 501, 'R'],
      [611, 610, 'Z'],
      [700, 1, 'S'],
    ])
    expect(rows[2]!.comm).toBe('/Applications/Socket Process Lab.app/Contents/Frameworks/Socket Process Lab Helper (Renderer).app/Contents/MacOS/Socket Process Lab Helper (Renderer)')
    expect(rows[3]).toMatchObject({ cpuPercent: 99, rssBytes: 45056 * 1024, cpuMs: 2500, startedAt: new Date(2026, 10, 6, 10, 16, 2).getTime() })
    expect(rows[5]!.cpuMs).toBe(3_660_010) // 1:01:00.01
  })

  it('parses cpu times with hours and days', () => {
    expect(parseCpuTime('0:01.50')).toBe(1500)
    expect(parseCpuTime('1:02:03.45')).toBe(3_723_450)
    expect(parseCpuTime('1-00:00:01')).toBe(86_401_000)
  })

  it('joins list, arguments and threads into the tree under the lab, parents first', () => {
    const tree = depthFirst(rows, 501)
    const processes = darwinProcesses(tree, parsePsArgs(fixture('ps-darwin', 'ps-args.txt')), parsePsThreads(fixture('ps-darwin', 'ps-threads.txt')))
    expect(processes.map((p) => [p.pid, p.ppid, p.name, p.threadCount])).toEqual([
      [501, 1, 'Socket Process Lab', 3],
      [502, 501, 'Socket Process Lab Helper (Renderer)', 2],
      [610, 501, 'Socket Process Lab', 2],
      [611, 610, '(node)', 1],
    ])
    expect(processes[1]!.cmd).toContain('--type=renderer')
    expect(processes[2]!.threads.map((t) => [t.tid, t.state, t.cpuPercent])).toEqual([
      [1, 'running', 99],
      [2, 'sleeping', 0],
    ])
    expect(processes[3]!.state).toBe('zombie')
    // Roles: the renderer is recognised from --type=renderer, the pool child from its entry file.
    expect(labelProcess(processes[1]!, 501).role).toBe('renderer')
    expect(labelProcess(processes[2]!, 501).role).toBe('pool')
    expect(labelProcess(processes[3]!, 501).role).toBeUndefined()
  })
})

describe('Windows PowerShell parser (hand-written samples)', () => {
  it('builds the tree with threads and their states', () => {
    const processes = parseWin32Json(fixture('ps-win32', 'tree.json'), 4120)
    expect(processes.map((p) => [p.pid, p.ppid, p.threadCount, p.threads.length])).toEqual([
      [4120, 3000, 31, 3],
      [5008, 4120, 18, 1],
      [6100, 4120, 2, 2],
      [6150, 6100, 1, 1],
    ])
    expect(processes[0]).toMatchObject({ name: 'Socket Process Lab.exe', rssBytes: 152043520, cpuMs: 2188, startedAt: 1795761330000, state: 'unknown' })
    expect(processes[0]!.threads.map((t) => [t.tid, t.stateCode])).toEqual([
      [4124, 'Wait'],
      [4188, 'Wait'],
      [4200, 'Running'],
    ])
    expect(processes[3]!.startedAt).toBeUndefined()
  })

  it('accepts one-element lists written as plain objects, and a null command line', () => {
    const [p] = parseWin32Json(fixture('ps-win32', 'single.json'), 7000)
    expect(p).toMatchObject({ pid: 7000, cmd: '', threadCount: 1 })
    expect(p!.threads).toEqual([{ tid: 7004, name: '', state: 'sleeping', stateCode: 'Wait', cpuPercent: null }])
  })

  it('puts only an integer PID into the PowerShell script', () => {
    const script = psScript(4120.7, true)
    expect(script).toContain('[void]$ids.Add(4120)')
    expect(script).toContain('ConvertTo-Json')
    expect(psScript(5, false)).not.toContain('do {')
    expect(Buffer.from(encodeScript(script), 'base64').toString('utf16le')).toBe(script)
  })
})

describe('shared helpers', () => {
  afterEach(() => clearRoles())

  it('maps state letters', () => {
    expect(['R', 'S', 'D', 'T', 't', 'Z', 'X', 'I', 'U', '?'].map(stateFromLetter)).toEqual([
      'running', 'sleeping', 'disk-sleep', 'stopped', 'stopped', 'zombie', 'dead', 'idle', 'disk-sleep', 'unknown',
    ])
  })

  it('orders depth-first from the root and drops what is not under it', () => {
    const items = [
      { pid: 10, ppid: 1 },
      { pid: 12, ppid: 10 },
      { pid: 11, ppid: 10 },
      { pid: 13, ppid: 11 },
      { pid: 99, ppid: 1 },
    ]
    expect(depthFirst(items, 10).map((p) => p.pid)).toEqual([10, 11, 13, 12])
    expect(depthFirst(items, 5)).toEqual([])
  })

  it('computes CPU % since start first, then between samples, and notices a reused id', () => {
    const cpu = new CpuTracker()
    expect(cpu.percent('p1', 7, 500, 10_000, 9_000)).toEqual({ percent: 50, basis: 'lifetime' })
    expect(cpu.percent('p1', 7, 700, 11_000, 9_000)).toEqual({ percent: 20, basis: 'interval' })
    expect(cpu.percent('p1', 8, 10, 12_000, 11_990)).toEqual({ percent: 100, basis: 'lifetime' })
  })

  it('labels registered processes and threads, the engine and main threads', () => {
    const p = parseWin32Json(fixture('ps-win32', 'tree.json'), 4120)
    const undo = registerProcess(6100, 'pool', 'pool child 1/2')
    registerThread(4200, 'counter', 'counter thread 1/2')
    const [main, renderer, pool, conhost] = p.map((x) => labelProcess(x, 4120))
    expect(main!.role).toBe('main')
    expect(main!.threads.find((t) => t.tid === 4200)).toMatchObject({ role: 'counter', label: 'counter thread 1/2' })
    expect(renderer!.role).toBe('renderer')
    expect(pool).toMatchObject({ role: 'pool', label: 'pool child 1/2' })
    expect(conhost!.role).toBeUndefined()
    undo()
    // Unregistered (as seen from another lab process), the pool child is still known by its entry file.
    const again = labelProcess(parseWin32Json(fixture('ps-win32', 'tree.json'), 4120)[2]!, 4120)
    expect(again.role).toBe('pool')
    expect(again.label).toBeUndefined()
  })

  it('labels the threads Node 24 (Electron 41) names; Node 20 names them all "node", left unlabelled', () => {
    // The names a Node 24.14 process has in /proc/<pid>/task/*/comm (read on this machine).
    const names = ['MainThread', 'DelayedTaskSche', 'V8Worker', 'SignalInspector', 'WorkerThread', 'libuv-worker', 'node']
    const threads = names.map((name, i) => ({ tid: 900 + i, name, state: 'sleeping' as const, stateCode: 'S', cpuPercent: 0 }))
    const p = labelProcess({ pid: 900, ppid: 1, name: 'MainThread', cmd: 'node x.js', state: 'sleeping', stateCode: 'S', cpuPercent: 0, cpuBasis: 'lifetime', cpuMs: 0, rssBytes: 0, threadCount: threads.length, threads }, 1)
    expect(p.threads.map((t) => [t.name, t.role])).toEqual([
      ['MainThread', 'main'],
      ['DelayedTaskSche', 'v8'],
      ['V8Worker', 'v8'],
      ['SignalInspector', 'signal'],
      ['WorkerThread', 'worker'],
      ['libuv-worker', 'libuv'],
      ['node', undefined],
    ])
  })
})
