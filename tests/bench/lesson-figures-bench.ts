/**
 * The figures lessons 7 and 8 quote (issues 9 and 11), measured the way the learner measures them:
 * with the in-app comparison's own engine function (`runCompare`, what `net.compare.run` runs).
 *   1. Lesson 8's try-it: 4 clients × 5 messages, a 50 ms handler, every mode. Per mode: total time,
 *      each client's wait (connect + wait for its thread/process), and how it got its thread or process
 *      (a spare that was ready, or one started for it, and what starting it took).
 *   2. The backlog: 32 clients connect at once to the threading server with socketserver's
 *      request_queue_size of 5, then with 128: how many SYNs the kernel dropped (connect ≥ 1 s).
 * Python's socketserver classes run beside the lab's modes (where python3 exists), same clients, same run.
 * Several rounds, interleaved, so the machine's load hits every mode alike; `async` (no thread or
 * process to start) is the baseline of each round. Not a test: it prints a table.
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { expect, it } from 'vitest'
import type { CompareModeResult, ServeStartup, ServerEvent } from '../../shared/contract'
import { runCompare } from '../../main/lab/net/compare-experiment'
import { runLoad } from '../../main/lab/net/load-client'
import { TcpServer } from '../../main/lab/net/tcp-server'
import { WORKERS_DIR } from '../helpers/paths'
import { hasPython } from '../helpers/python'

const ROUNDS = Number(process.env.LESSON_BENCH_ROUNDS ?? 3)

const mid = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN
}
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-')

function row(m: CompareModeResult, round: number) {
  const ups = m.clients.map((c) => c.startup).filter((u) => u !== null)
  return [
    String(round),
    m.server === 'python' ? `python ${m.pythonClass ?? m.mode}` : m.mode,
    fmt(m.totalMs, 0),
    fmt(mid(m.clients.map((c) => c.waitMs ?? NaN))),
    fmt(Math.max(...m.clients.map((c) => c.waitMs ?? 0))),
    ups.length ? `${ups.filter((u) => u.spare).length}/${ups.length}` : '-',
    fmt(mid(ups.map((u) => u.waitedMs))),
    fmt(mid(ups.map((u) => u.threadStartMs ?? NaN))),
    String(m.retried ?? 0),
    fmt(m.firstReply?.max ?? NaN, 0),
  ]
}

function print(title: string, rows: string[][]) {
  const head = ['round', 'mode', 'total ms', 'wait p50', 'wait max', 'spare ready', 'thread/process wait p50', 'start p50 ms', 'retried', '1st reply max ms']
  const table = [head, ...rows]
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  const lines = table.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  console.log(['', title, ...lines].join('\n'))
}

const deps = (runId: string) => ({ workersDir: WORKERS_DIR, runId, progress: () => {} })

it('lesson 8: 4 clients × 5 messages × 50 ms, every mode, and the backlog at 5 and 128', async () => {
  const eight: string[][] = []
  const ratios: string[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await runCompare({ clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading', 'forking', 'async'], python: hasPython }, deps(`lesson8-${round}`))
    for (const m of r.modes) eight.push(row(m, round))
    const base = r.modes.find((m) => m.mode === 'async')!.totalMs
    ratios.push(`  round ${round}: ` + r.modes.map((m) => `${m.server === 'python' ? 'python ' : ''}${m.mode} ${fmt(m.totalMs / base, 2)}×`).join(', '))
    for (const m of r.modes) expect(m.wrong + m.failed, m.mode).toBe(0)
  }
  print(`Lesson 8's try-it (4 × 5 × delay:50), ${ROUNDS} rounds; ${os.cpus().length} CPUs, Node ${process.versions.node}, load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`, eight)
  console.log(['', 'total time against async (no thread or process to start) in the same round:', ...ratios].join('\n'))

  const backlog: string[][] = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const requestQueueSize of [5, 128]) {
      const r = await runCompare({ clients: 32, messages: 20, handler: 'upper', modes: ['threading'], requestQueueSize, python: hasPython }, deps(`backlog-${requestQueueSize}-${round}`))
      for (const m of r.modes) backlog.push(row({ ...m, mode: `threading, backlog ${requestQueueSize}` as CompareModeResult['mode'], pythonClass: `${m.pythonClass}, backlog ${requestQueueSize}` }, round))
    }
  }
  print(`32 clients at once × 20 round trips, upper, threading: backlog (request_queue_size) 5 against 128`, backlog)
}, 600_000)

/**
 * 3. What a spare buys when it IS ready: a threading and a forking server left idle long enough for
 *    their spares to start, then one client at a time with a pause between (so the used spare is
 *    replaced): that client's wait for its thread or process, and what starting the spare took.
 */
it('a ready spare: one client at a time on an idle threading and forking server', async () => {
  const lines: string[] = []
  for (const mode of ['threading', 'forking'] as const) {
    const ups: ServeStartup[] = []
    const server = new TcpServer(`spare-bench-${mode}`, { host: '127.0.0.1', port: 0, handler: 'upper', workersDir: WORKERS_DIR, mode }, (e: ServerEvent) => {
      if (e.event === 'connection' && e.startup) ups.push({ ...e.startup })
    })
    try {
      const info = await server.listen()
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 3_000))
        const load = await runLoad({ proto: 'tcp', host: '127.0.0.1', port: info.port, clients: 1, messages: 20, bytes: 32, expect: 'upper', replyTimeoutMs: 30_000 })
        expect(load.wrong + load.failedClients).toBe(0)
      }
    } finally {
      await server.close()
    }
    lines.push(`  ${mode.padEnd(9)}  ready ${ups.filter((u) => u.spare).length}/${ups.length}  wait ms ${ups.map((u) => fmt(u.waitedMs, 2)).join(' ')}  start ms ${ups.map((u) => fmt(u.threadStartMs ?? NaN, 0)).join(' ')}`)
  }
  console.log(['', `A ready spare (5 clients, one at a time, 3 s apart); load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}:`, ...lines].join('\n'))
}, 120_000)

/** 4. What Python pays for the same: a thread started and joined, a fork that exits and is waited for (200 each). */
it.skipIf(!hasPython)('python: a thread and a fork, started and ended', () => {
  const script = [
    'import threading, time, os',
    'N = 200',
    't0 = time.perf_counter()',
    'for _ in range(N):',
    '    th = threading.Thread(target=lambda: None); th.start(); th.join()',
    't1 = time.perf_counter()',
    'for _ in range(N):',
    '    pid = os.fork()',
    '    if pid == 0: os._exit(0)',
    '    os.waitpid(pid, 0)',
    't2 = time.perf_counter()',
    'print(f"{(t1 - t0) / N * 1000:.2f} {(t2 - t1) / N * 1000:.2f}")',
  ].join('\n')
  const [thread, fork] = execFileSync('python3', ['-c', script]).toString().trim().split(' ')
  console.log(`\nPython, per start (200 each): a thread started and joined ${thread} ms; os.fork() + _exit + waitpid ${fork} ms; load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`)
})
