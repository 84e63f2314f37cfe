/**
 * Where a threading or forking server's CPU goes (issue 9): the kernel's own accounting
 * (/proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, user and system time in clock ticks) read just
 * before and just after the same load as net-bench's (32 clients × 2,000 round trips × 64 B, one
 * load client process), with every spare ready first, for the lab's server and Python's
 * socketserver of the same kind, interleaved. Split into: the server's main thread; its other
 * threads alive in both readings (V8's and libuv's helpers, spares still waiting); threads that ended
 * or started between them (the connections' threads, which take their time with them when they end,
 * and replacement spares: the process's total minus the threads in both readings); and children
 * reaped between them (forking: the connections' processes).
 * Beside them, the floor: the same design with none of the lab's work (tests/bench/servers/bare-owned-server.mjs).
 * Linux only. SERVER_CPU_ROUNDS=N (default 2); SERVER_CPU_MODES=threading|forking (default both);
 * SERVER_CPU_BACKLOG=N (default 128).
 *
 *   npx vitest run --config tests/bench/vitest.bench.config.ts tests/bench/server-cpu-bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'vitest'
import { runLoad } from '../../main/lab/net/load-client'
import { LAB_BIN, REPO_ROOT } from '../helpers/paths'
import { hasPython } from '../helpers/python'
import { benchChildren, stopChild } from './bench-children'

const BACKLOG = process.env.SERVER_CPU_BACKLOG ?? '128'
const ROUNDS = Number(process.env.SERVER_CPU_ROUNDS ?? 2)
const MODES = (process.env.SERVER_CPU_MODES ?? 'threading|forking').split('|') as ('threading' | 'forking')[]
const TICKS = 100 // USER_HZ: /proc's clock ticks per second on Linux
const { start } = benchChildren('lab-server-cpu-')

interface Cpu {
  user: number
  sys: number
}
/** user/system seconds from a /proc stat line: fields 14 and 15 (utime, stime), 16 and 17 (children's). */
function statOf(file: string): { self: Cpu; children: Cpu } {
  const st = readFileSync(file, 'utf8')
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number)
  return { self: { user: f[11]! / TICKS, sys: f[12]! / TICKS }, children: { user: f[13]! / TICKS, sys: f[14]! / TICKS } }
}
function threads(pid: number): Map<number, Cpu> {
  const out = new Map<number, Cpu>()
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      out.set(tid, statOf(`/proc/${pid}/task/${tid}/stat`).self)
    } catch {
      // It ended between the listing and the read.
    }
  }
  return out
}
const sub = (a: Cpu, b: Cpu): Cpu => ({ user: a.user - b.user, sys: a.sys - b.sys })
const add = (a: Cpu, b: Cpu): Cpu => ({ user: a.user + b.user, sys: a.sys + b.sys })
const zero: Cpu = { user: 0, sys: 0 }

interface Row {
  server: string
  msgsPerSec: number
  main: Cpu
  helpers: Cpu
  others: Cpu
  children: Cpu
}

async function spareReady(logFile: string): Promise<void> {
  const end = Date.now() + 120_000
  while (Date.now() < end) {
    const spares = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"event":"spares"'))
    const last = spares.length ? (JSON.parse(spares[spares.length - 1]!) as { ready: number; of: number }) : null
    if (last && last.of > 0 && last.ready === last.of) return
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function measure(server: string, cmd: string, args: string[], lab: boolean): Promise<Row> {
  const s = await start(server, cmd, args)
  try {
    const common = { proto: 'tcp' as const, host: '127.0.0.1', port: s.port, bytes: 64, replyTimeoutMs: 60_000 }
    await runLoad({ ...common, clients: 4, messages: 200 })
    if (lab) await spareReady(s.logFile)
    const pid = s.child.pid!
    const before = { all: statOf(`/proc/${pid}/stat`), threads: threads(pid) }
    const result = await runLoad({ ...common, clients: 32, messages: 2_000 })
    // The lab's connections are closed (its log says so: 4 of the warm-up, 32 of the run), so that their threads have ended.
    if (lab) {
      const end = Date.now() + 30_000
      while (readFileSync(s.logFile, 'utf8').split('"event":"close"').length - 1 < 36 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    }
    const after = { all: statOf(`/proc/${pid}/stat`), threads: threads(pid) }
    // Alive throughout: in both readings. Everything else the process spent (threads that ended, and
    // ones started meanwhile: the connections' threads, replacement spares) is its total minus those.
    let living = zero
    let helpers = zero
    for (const [tid, cpu] of after.threads) {
      const was = before.threads.get(tid)
      if (!was) continue
      const spent = sub(cpu, was)
      living = add(living, spent)
      if (tid !== pid) helpers = add(helpers, spent)
    }
    const main = sub(after.threads.get(pid) ?? zero, before.threads.get(pid) ?? zero)
    return {
      server,
      msgsPerSec: result.msgsPerSec,
      main,
      helpers,
      others: sub(sub(after.all.self, before.all.self), living),
      children: sub(after.all.children, before.all.children),
    }
  } finally {
    await stopChild(s.child)
  }
}

it.skipIf(process.platform !== 'linux')('server CPU: where a threading or forking server spends it, beside Python’s', async () => {
  const rows: Row[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const spares = mode === 'threading' ? '32' : '8'
      rows.push(await measure(`lab ${mode}, ${spares} spares`, process.execPath, [LAB_BIN, 'serve', 'tcp', '--mode', mode, '--spares', spares, '--request-queue-size', BACKLOG, '--port', '0', '--json'], true))
      const course = path.join(REPO_ROOT, 'tests', 'fixtures', 'python', 'course_tcp_server.py')
      // The floor: the same design with none of the lab's work (net-bench's floor rows), a spare ready for each of the 4 + 32 connections.
      const floor = path.join(REPO_ROOT, 'tests', 'bench', 'servers', 'bare-owned-server.mjs')
      rows.push(await measure(`floor ${mode}, no lab code`, process.execPath, [floor, '0', mode === 'threading' ? 'thread' : 'fork', BACKLOG, '36'], false))
      if (hasPython) rows.push(await measure(`python ${mode === 'threading' ? 'Threading' : 'Forking'}TCPServer`, 'python3', [course, '0', mode, BACKLOG], false))
    }
  }
  const s = (c: Cpu) => `${(c.user + c.sys).toFixed(2)} (${c.user.toFixed(2)} user)`
  const table = [
    [`server (backlog ${BACKLOG})`, 'msgs/s', 'main thread s', 'other threads alive throughout s', 'threads that ended or started s', 'children reaped s', 'total s'],
    ...rows.map((r) => [r.server, r.msgsPerSec.toFixed(0), s(r.main), s(r.helpers), s(r.others), s(r.children), s(add(add(r.main, r.helpers), add(r.others, r.children)))]),
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  const lines = table.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  console.log(
    [
      '',
      `Server CPU for 32 clients × 2,000 round trips × 64 B, every spare ready first (kernel accounting, seconds; ${os.cpus().length} CPUs, Node ${process.versions.node}, load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}).`,
      'Python forks a child per connection and reaps it later: its children appear under "children reaped" only once reaped.',
      '',
      ...lines,
      '',
    ].join('\n'),
  )
}, 600_000)
