/**
 * Process-pool benchmark (issue 4, item 9). Prints one table; asserts nothing (docs/ARCHITECTURE.md, style habit 9):
 * every figure is compared with a baseline measured in this same run.
 *
 *   npm run bench -- tests/bench/proc-bench.ts
 *   (or: npm run build && npx vitest run --config tests/bench/vitest.bench.config.ts tests/bench/proc-bench.ts)
 *
 * 1. dispatching a tiny task to a warm pool (median of 200) vs starting a cold Node child
 *    and running the same task in it (median of 5);
 * 2. 8 × io:200ms concurrent, against the 200 ms one task takes;
 * 3. 4 × cpu:400ms parallel against serial (speedup on this machine's CPUs);
 * 4. the same 4 × cpu:400ms concurrent on ONE CPU against serial (should gain nothing);
 * 5. (second table) the CPU-slice sampler's own CPU time per run, against the tasks' (target ≤ 5 % of one CPU).
 */
import os from 'node:os'
import path from 'node:path'
import { afterAll, it } from 'vitest'
import { WorkerPool } from '../../main/lab/proc/worker-pool'
import { nowAbs } from '../../main/lab/proc/messages'
import { parseTaskSpec, type TaskSpec } from '../../shared/task-spec'
import type { RunMode, RunResult } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'
import { WORKERS_DIR } from '../helpers/paths'

const entry = path.join(WORKERS_DIR, 'pool-child.js')
const lab = createTestLab()
afterAll(() => lab.close())

function one(spec: string): TaskSpec {
  const r = parseTaskSpec(spec)
  if (!r.ok) throw new Error(r.error.message)
  return r.tasks[0]!
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

const run = (tasks: string, mode: RunMode, workers?: number): Promise<RunResult> =>
  lab.invoke('proc.run', workers === undefined ? { tasks, mode } : { tasks, mode, workers })

it('process pool: dispatch cost, I/O overlap, parallel speedup, one-CPU concurrency', async () => {
  const tiny = one('cpu:0ms')
  const rows: [string, string, string, string][] = []

  // 1. Warm dispatch: the pool is already started; round trip of a task that does nothing.
  const pool = await WorkerPool.start({ entry, size: 1 })
  const warm: number[] = []
  try {
    for (let i = 0; i < 220; i++) {
      const t0 = nowAbs()
      await pool.run(i, tiny, { deadlineMs: 10_000 })
      if (i >= 20) warm.push(nowAbs() - t0) // the first 20 warm up the JIT on both sides
    }
  } finally {
    await pool.close()
  }
  // Cold: start a Node child, wait until it is ready, run the same task, stop it.
  const cold: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = nowAbs()
    const p = await WorkerPool.start({ entry, size: 1 })
    await p.run(0, tiny, { deadlineMs: 10_000 })
    cold.push(nowAbs() - t0)
    await p.close()
  }
  const warmMed = median(warm)
  const coldMed = median(cold)
  rows.push(['warm dispatch (median of 200)', `${warmMed.toFixed(3)} ms (p90 ${percentile(warm, 90).toFixed(3)})`, `cold child start + task: ${coldMed.toFixed(1)} ms (median of 5)`, `${(coldMed / warmMed).toFixed(0)}× cheaper; target < 2 ms`])

  // 2. I/O-bound tasks overlap even on one CPU.
  const io = await run('io:200ms*8', 'concurrent')
  rows.push(['8 × io:200ms concurrent', `${io.wallMs.toFixed(1)} ms`, 'one task: 200 ms', `${(io.wallMs / 200).toFixed(3)}× of 200 ms; target ≤ 1.15×`])

  // 3 and 4. CPU-bound tasks: parallel helps, one-CPU concurrency does not.
  const serial = await run('cpu:400ms*4', 'serial')
  const parallel = await run('cpu:400ms*4', 'parallel')
  const concurrent = await run('cpu:400ms*4', 'concurrent')
  const cpus = os.availableParallelism()
  // CPU time over wall time: how many CPUs' worth the run actually got. On a shared machine a
  // parallel run that got ~1.0 had only one CPU free, whatever its speedup says.
  const got = (r: RunResult) => `got ${(r.cpuMsTotal / r.wallMs).toFixed(2)} CPUs`
  rows.push([
    `4 × cpu:400ms parallel (${parallel.workers} children)`,
    `${parallel.wallMs.toFixed(1)} ms`,
    `serial: ${serial.wallMs.toFixed(1)} ms (${got(serial)})`,
    `speedup ${(serial.wallMs / parallel.wallMs).toFixed(2)} on ${cpus} CPUs (${got(parallel)}); target ≥ 1.8`,
  ])
  rows.push([
    `4 × cpu:400ms concurrent, ${concurrent.pinned.ok ? `pinned to CPU ${concurrent.pinned.cpu}` : 'NOT pinned'}`,
    `${concurrent.wallMs.toFixed(1)} ms`,
    `serial: ${serial.wallMs.toFixed(1)} ms (${got(serial)})`,
    `${((concurrent.wallMs / serial.wallMs - 1) * 100).toFixed(1)} % vs serial (${got(concurrent)}); target within ±10 %`,
  ])

  const widths = [0, 1, 2, 3].map((c) => Math.max(...[['measure', 'result', 'baseline (same run)', 'comparison'], ...rows].map((r) => r[c]!.length)))
  const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ')
  console.log(
    [
      '',
      `process pool benchmark — ${cpus} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`,
      line(['measure', 'result', 'baseline (same run)', 'comparison']),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
      '',
    ].join('\n'),
  )
})

/**
 * Issue 10: what sampling every child's schedstat about every 10 ms costs while a run lives.
 * The sampler measures its own thread's CPU time around every tick; the target is ≤ 5 % of one
 * CPU. The baseline in the same run is the CPU time the run's tasks used (what is being watched).
 */
it('CPU-slice sampler: its own CPU time while a run lives, against the run’s', async () => {
  const cases: [string, RunMode][] = [
    ['io:500ms', 'concurrent'],
    ['io:500ms*8', 'concurrent'],
    ['io:500ms*16', 'concurrent'],
    ['cpu:400ms*4', 'concurrent'],
    ['cpu:400ms*4', 'parallel'],
  ]
  const head = ['run', 'children', 'ticks (mean interval)', 'sampler CPU', 'tasks’ CPU (baseline)', 'share of one CPU']
  const rows: string[][] = []
  for (const [tasks, mode] of cases) {
    const r = await run(tasks, mode)
    const s = r.sampling
    if (!s?.ok) {
      rows.push([`${tasks} ${mode}`, String(r.workers), '-', '-', `${r.cpuMsTotal.toFixed(1)} ms`, `not sampled: ${s ? s.error.message : 'no sampling info'}`])
      continue
    }
    const perReading = (s.samplerCpuMs * 1000) / Math.max(1, s.ticks * r.workers)
    rows.push([
      `${tasks} ${mode}`,
      String(r.workers),
      `${s.ticks} (${s.meanIntervalMs.toFixed(1)} ms)`,
      `${s.samplerCpuMs.toFixed(2)} ms (${perReading.toFixed(1)} µs per child per tick)`,
      `${r.cpuMsTotal.toFixed(1)} ms (sampler = ${((s.samplerCpuMs / Math.max(0.001, r.cpuMsTotal)) * 100).toFixed(2)} % of it)`,
      `${(s.samplerShare * 100).toFixed(2)} % over ${r.wallMs.toFixed(0)} ms wall; target ≤ 5 %`,
    ])
  }
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c]!.length)))
  const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ')
  console.log(
    [
      '',
      `CPU-slice sampler — ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`,
      line(head),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
      '',
    ].join('\n'),
  )
})
