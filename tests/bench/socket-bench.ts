/**
 * Socket-table benchmark (issue 10: "one socket-table read < 10 ms with 1,000 connections open").
 * Prints one table; asserts nothing (docs/ARCHITECTURE.md, style habit 9). Baselines measured in
 * the same run: one read of /proc/self/net/tcp alone, and one run of `ss -tan` (what the kernel's
 * own tool costs, process start included).
 *
 *   npm run bench -- tests/bench/socket-bench.ts
 *
 * The lab under test: this process listens on 127.0.0.1 (backlog recorded, as the lab's servers
 * do, so no `ss` is started per read) and holds 1,000 client connections to itself — 2,001 TCP
 * sockets of its own, each an fd to match.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import net from 'node:net'
import { afterAll, it } from 'vitest'
import { noteListenBacklog, SocketTable } from '../../main/lab/net/socket-table'
import { LinuxSocketReader } from '../../main/lab/net/socket-table-linux'

const CONNECTIONS = 1_000
const server = net.createServer((s) => s.on('error', () => {}))
const clients: net.Socket[] = []
afterAll(async () => {
  for (const c of clients) c.destroy()
  await new Promise((r) => server.close(r))
})

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b)
  return { median: s[s.length >> 1]!, p95: s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]! }
}

async function timeAsync(n: number, f: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await f()
    out.push(performance.now() - t0)
  }
  return out
}

it.runIf(process.platform === 'linux')('socket table: cost of one read with 1,000 connections open', async () => {
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, () => r()))
  const port = (server.address() as net.AddressInfo).port
  noteListenBacklog(port, 1024)
  for (let i = 0; i < CONNECTIONS; i += 100) {
    await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port }, () => resolve())
      c.on('error', reject)
      clients.push(c)
    })))
  }
  const table = new SocketTable()
  const reader = new LinuxSocketReader()
  const first = await table.read()
  for (let i = 0; i < 5; i++) await table.read() // warm up the JIT

  const rows: [string, { median: number; p95: number }][] = [
    ['/proc/self/net/tcp read alone (baseline)', stats(await timeAsync(50, () => readFileSync('/proc/self/net/tcp', 'utf8')))],
    ['/proc/self/net/tcp6 read alone (walks the same table)', stats(await timeAsync(50, () => readFileSync('/proc/self/net/tcp6', 'utf8')))],
    ['2,000 fd readlinks alone', stats(await timeAsync(30, () => { for (const fd of readdirSync('/proc/self/fd')) { try { readlinkSync(`/proc/self/fd/${fd}`) } catch { /* closed */ } } }))],
    ['reader: fds + /proc/net tables, parsed', stats(await timeAsync(30, () => reader.readSync(process.pid, [process.pid])))],
    ['socket table read (os.sockets)', stats(await timeAsync(30, () => table.read()))],
    ['ss -tan (baseline: the kernel\'s own tool)', stats(await timeAsync(10, () => execFileSync('ss', ['-tan'], { maxBuffer: 64 * 1024 * 1024 })))],
  ]
  const read = rows[4]![1].median
  const ss = rows[5]![1].median
  console.log(
    [
      '',
      `socket table read — ${first.sockets.length} sockets of this process (${CONNECTIONS} connections, both ends, + 1 listener)`,
      `${'what'.padEnd(52)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(9)}`,
      ...rows.map(([what, s]) => `${what.padEnd(52)} ${s.median.toFixed(3).padStart(10)} ${s.p95.toFixed(3).padStart(9)}`),
      '',
      `one read = ${(read / ss).toFixed(2)} × one ss -tan run; target < 10 ms: ${read < 10 ? 'met' : 'NOT met'} (median ${read.toFixed(2)} ms, on a shared 2-core machine)`,
      '',
    ].join('\n'),
  )
})
