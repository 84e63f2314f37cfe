/**
 * Process-tree sampling benchmark (issue 4, item 9: "one tree sample of the lab's processes
 * costs under 10 ms"). Prints one table; asserts nothing (docs/ARCHITECTURE.md, style habit 9). Baselines measured in
 * the same run: one /proc file read, and one run of `ps -eo pid,ppid` (what shelling out costs).
 *
 *   npm run bench -- tests/bench/os-tree-bench.ts
 *
 * The lab under test: the engine (this process) with 4 idle child processes and 4 worker
 * threads of its own, i.e. roughly a lab with a pool of 4 and a few connection threads.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { afterAll, it } from 'vitest'
import { LinuxTreeReader } from '../../main/lab/proc/process-tree-linux'
import { createTestLab } from '../helpers/lab'

const lab = createTestLab()
const children: ChildProcess[] = []
const workers: Worker[] = []
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  await Promise.all(workers.map((w) => w.terminate()))
  await lab.close()
})

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b)
  return { median: s[s.length >> 1]!, p95: s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]! }
}

function time(n: number, f: () => unknown): number[] {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    f()
    out.push(performance.now() - t0)
  }
  return out
}

async function timeAsync(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await f()
    out.push(performance.now() - t0)
  }
  return out
}

it.runIf(process.platform === 'linux')('process tree: cost of one sample of the lab', async () => {
  for (let i = 0; i < 4; i++) children.push(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }))
  for (let i = 0; i < 4; i++) workers.push(new Worker('setInterval(() => {}, 1000)', { eval: true }))
  // Let the children start all their threads (a Node child takes a few hundred ms to start here).
  const deadline = Date.now() + 5_000
  while (children.some((c) => readdirSync(`/proc/${c.pid}/task`).length < 7) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))

  const walk = new LinuxTreeReader()
  const scan = new LinuxTreeReader('/proc', { scanAll: true })
  const first = walk.readTreeSync(process.pid)!
  const threads = first.reduce((n, p) => n + p.threads.length, 0)
  for (let i = 0; i < 20; i++) walk.readTreeSync(process.pid) // warm up the JIT

  const rows: [string, { median: number; p95: number }][] = [
    ['one /proc/self/stat read (baseline)', stats(time(2_000, () => readFileSync('/proc/self/stat', 'utf8')))],
    ['tree sample, children files (default)', stats(time(200, () => walk.readTreeSync(process.pid)))],
    ['tree sample, whole-/proc scan (fallback)', stats(time(100, () => scan.readTreeSync(process.pid)))],
    ['os.tree through the engine facade', stats(await timeAsync(200, () => lab.invoke('os.tree', {})))],
    ['ps -eo pid,ppid (baseline: shelling out)', stats(time(10, () => execFileSync('ps', ['-eo', 'pid=,ppid='])))],
  ]
  const perRead = rows[0]![1].median
  const sample = rows[1]![1].median
  console.log(
    [
      '',
      `process tree sample — ${first.length} processes, ${threads} threads (engine + 4 children + 4 worker threads)`,
      `${'what'.padEnd(44)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(9)}`,
      ...rows.map(([what, s]) => `${what.padEnd(44)} ${s.median.toFixed(3).padStart(10)} ${s.p95.toFixed(3).padStart(9)}`),
      '',
      `one sample ≈ ${(sample / perRead).toFixed(0)} /proc file reads; target < 10 ms: ${sample < 10 ? 'met' : 'NOT met'} (median ${sample.toFixed(2)} ms)`,
      '',
    ].join('\n'),
  )
})
