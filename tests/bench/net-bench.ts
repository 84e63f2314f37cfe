/**
 * Network benchmark (issue 3, item 9): one closed-loop load client (main/lab/net/load-client.ts,
 * the same one `lab bench` runs) against each server in turn, every server in its own child
 * process so it does not share the load client's event loop:
 *   - baseline: the plainest Node `net` upper-case echo (tests/bench/servers/bare-tcp-server.mjs);
 *   - the lab (`lab serve tcp --mode M --json`, every event written out as a JSON line to a file);
 *   - Python's socketserver.ThreadingTCPServer with the course's handler (where python3 exists);
 *   - UDP: bare Node dgram, `lab serve udp --json`, Python's ThreadingUDPServer;
 *   - the floor under the lab's threading and forking rows: the issue's own design (a spare Worker or
 *     child per connection, blocking recv/send on the descriptor) with nothing of the lab's
 *     (tests/bench/servers/bare-owned-server.mjs): how far Node itself is from Python's servers.
 * Prints one table; ratios are against the baseline measured in the same run. Not a test: it
 * asserts only that every reply was right.
 *
 * Threading/forking rows start their measured load only once the server says all its spares are
 * ready (its `spares` event, ready === of, after the warm-up's connections took some): the
 * "spares ready" column says how many were. NET_BENCH_ONLY=<regex> runs only the rows whose name
 * matches it, ignoring case (the TCP baselines always run), e.g. NET_BENCH_ONLY='threading|forking' (the lab's and Python's).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runLoad, type LoadResult } from '../../main/lab/net/load-client'
import { LAB_BIN, REPO_ROOT } from '../helpers/paths'
import { benchChildren, stopChild, type Started } from './bench-children'
import { hasPython } from '../helpers/python'

/** NET_BENCH_QUICK=1 shrinks the load to check the harness itself; its figures mean nothing. */
const QUICK = process.env.NET_BENCH_QUICK === '1'
const CLIENTS = 32
const MESSAGES = QUICK ? 100 : 2_000
const BYTES = 64
/** Serial mode serves one client at a time: each client waits for all before it. Fewer messages keep it short. */
const SERIAL_MESSAGES = QUICK ? 20 : 200
const WARMUP = { clients: 4, messages: 200 }

const { tmp, start } = benchChildren('lab-net-bench-')

const SPARES_READY_WAIT_MS = 180_000

/**
 * Waits until the lab server's last `spares` event says every spare is ready, after the warm-up's
 * `warmupClients` connections are in the log (each took its spare, and said so, before that
 * connection's line): a condition read from the server's own log, never a sleep. Gives up (and the
 * table says how many were ready) after SPARES_READY_WAIT_MS on a machine too busy to start them.
 */
async function sparesReady(logFile: string, since: number, warmupClients: number): Promise<{ ready: number; of: number }> {
  const end = Date.now() + SPARES_READY_WAIT_MS
  let last = { ready: 0, of: 0 }
  for (;;) {
    const log = readFileSync(logFile, 'utf8')
    const connections = log.slice(since).split('\n').filter((l) => l.includes('"event":"connection"')).length
    const spares = log.split('\n').filter((l) => l.includes('"event":"spares"'))
    if (spares.length > 0) last = JSON.parse(spares[spares.length - 1]!) as { ready: number; of: number }
    if ((connections >= warmupClients && last.of > 0 && last.ready === last.of) || Date.now() > end) return last
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * The warm-spare first-reply target, measured as it is meant (issue 9): connections one at a
 * time, each arriving while every spare is ready and none is starting (the lab's last `spares` event
 * says ready === of after the previous connection took its spare), connect → first reply of 64 bytes.
 * The 32-at-once figure ("warm 1st reply p50") is kept too: there 32 clients queue for 2 CPUs.
 * Python's rows run the same probe; ThreadingTCPServer keeps no spares, so there is nothing to wait for.
 */
const ONE_AT_A_TIME = QUICK ? 3 : 10
async function oneAtATime(port: number, logFile: string, lab: boolean): Promise<number> {
  const times: number[] = []
  const connections = () => readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"event":"connection"')).length
  const base = connections()
  for (let i = 0; i < ONE_AT_A_TIME; i++) {
    // The previous connection's thread is gone and, in the lab, its spare replaced.
    await new Promise((r) => setTimeout(r, 100))
    if (lab) {
      const end = Date.now() + SPARES_READY_WAIT_MS
      while (connections() < base + i && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
      await sparesReady(logFile, 0, 0)
    }
    times.push(
      await new Promise<number>((resolve, reject) => {
        const t0 = performance.now()
        const s = net.connect(port, '127.0.0.1')
        s.setNoDelay(true)
        s.on('connect', () => s.write(Buffer.alloc(BYTES, 0x61)))
        let got = 0
        s.on('data', (d: Buffer) => {
          got += d.length
          if (got < BYTES) return
          resolve(performance.now() - t0)
          s.end()
        })
        s.on('error', reject)
      }),
    )
  }
  times.sort((a, b) => a - b)
  return times[Math.floor((times.length - 1) / 2)]!
}

/** Starts a server whose stdout goes to a file (so a chatty server never waits on us); resolves its port. */
const startServer = (name: string, cmd: string, args: string[]): Promise<Started> => start(name, cmd, args)

/**
 * Per client, connect → first reply (ms): includes any SYN the kernel dropped because the accept
 * queue (the backlog) was full — the client's kernel retries after 1 s — and, in threading/forking,
 * any wait for a thread or process to start when no spare was ready.
 */
function firstReply(r: Row): { p50: number; max: number; retried: number } {
  const t = r.result.perClient.filter((c) => c.firstReplyAt !== null).map((c) => c.firstReplyAt! - c.connectAt).sort((a, b) => a - b)
  if (t.length === 0) return { p50: NaN, max: NaN, retried: 0 }
  // Retried: the handshake itself took ≥ 1 s (the SYN was dropped and resent), not a slow first reply.
  const retried = r.result.perClient.filter((c) => c.connectedAt !== null && c.connectedAt - c.connectAt >= 1_000).length
  return { p50: t[Math.floor((t.length - 1) / 2)]!, max: t[t.length - 1]!, retried }
}

interface Row {
  server: string
  proto: 'tcp' | 'udp'
  load: string
  result: LoadResult
  events?: number
  spares?: SpareStats
  /** Threading/forking: spares ready when the measured load started, of how many the server keeps. */
  readyAtStart?: { ready: number; of: number }
  /** Threading and forking rows: connect → first reply p50, one connection at a time with every spare ready (`oneAtATime`). */
  oneAtATimeP50?: number
  /** Threading and forking rows: msgs/s of one client alone (one connection, the same round trips), a spare ready. */
  oneClient?: number
}

/** From the lab's own `connection` events: how each connection got its thread or process (never hidden). */
interface SpareStats {
  /** Connections that found a spare ready. */
  warm: number
  total: number
  /** Wait from accept to a ready thread/process, p50 and max (ms). */
  waitP50: number
  waitMax: number
  /** What starting one took (ms), p50. */
  startP50: number
  /** Connect → first reply, p50, of the clients whose connection found a spare ready (the target). */
  warmFirstReplyP50: number
}

function spareStats(logFile: string, result: LoadResult): SpareStats | undefined {
  const conns = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"connection"') && l.includes('"startup"'))
    .map((l) => JSON.parse(l) as { remote: { port: number }; startup: { spare: boolean; waitedMs: number; threadStartMs: number | null } })
  const ups = conns.map((c) => c.startup)
  const warmPorts = new Set(conns.filter((c) => c.startup.spare).map((c) => c.remote.port))
  const warmReplies = result.perClient.filter((c) => warmPorts.has(c.localPort) && c.firstReplyAt !== null).map((c) => c.firstReplyAt! - c.connectAt)
  if (ups.length === 0) return undefined
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN
  const waits = ups.map((u) => u.waitedMs)
  return {
    warm: ups.filter((u) => u.spare).length,
    total: ups.length,
    waitP50: mid([...waits]),
    waitMax: Math.max(...waits),
    startP50: mid(ups.map((u) => u.threadStartMs ?? NaN).filter((n) => !Number.isNaN(n))),
    warmFirstReplyP50: mid(warmReplies),
  }
}

async function bench(name: string, proto: 'tcp' | 'udp', cmd: string, args: string[], messages = MESSAGES): Promise<Row> {
  const server = await startServer(name, cmd, args)
  try {
    const common = { proto, host: '127.0.0.1', port: server.port, bytes: BYTES, replyTimeoutMs: proto === 'udp' ? 1_000 : 60_000 }
    const beforeWarmup = readFileSync(server.logFile, 'utf8').length
    await runLoad({ ...common, ...WARMUP })
    const hasSpares = name.startsWith('lab') && /threading|forking/.test(name) && proto === 'tcp'
    const readyAtStart = hasSpares ? await sparesReady(server.logFile, beforeWarmup, WARMUP.clients) : undefined
    // The warm-up's connections are in the log too: only the measured run's are counted.
    const before = readFileSync(server.logFile, 'utf8').length
    const result = await runLoad({ ...common, clients: CLIENTS, messages })
    // The one-at-a-time probe's connections are not the measured load's: the columns below stop here
    // (after the lab's last 50 ms collection of the threads' events).
    await new Promise((r) => setTimeout(r, 200))
    const afterLoad = readFileSync(server.logFile, 'utf8').length
    const probeOne = proto === 'tcp' && /threading|forking/i.test(name) && !name.includes(' on Node ') && !name.startsWith('floor')
    const oneAtATimeP50 = probeOne ? await oneAtATime(server.port, server.logFile, name.startsWith('lab')) : undefined
    // What a learner's one client sees: one connection, the same round trips, with a ready spare.
    if (probeOne && name.startsWith('lab')) await sparesReady(server.logFile, 0, 0)
    const oneClient = probeOne ? (await runLoad({ ...common, clients: 1, messages })).msgsPerSec : undefined
    await stopChild(server.child)
    const log = readFileSync(server.logFile, 'utf8').slice(0, afterLoad)
    const lines = log.split('\n').filter(Boolean).length
    const measured = path.join(tmp, `${name.replace(/\W+/g, '_')}.measured.log`)
    writeFileSync(measured, log.slice(before))
    return { server: name, proto, load: `${CLIENTS}×${messages}`, result, events: lines - 1, spares: spareStats(measured, result), readyAtStart, oneAtATimeP50, oneClient }
  } finally {
    await stopChild(server.child)
  }
}

const lab = (...args: string[]): [string, string[]] => [process.execPath, [LAB_BIN, ...args, '--port', '0', '--json']]
/** NET_BENCH_NODE=/path/to/node: the lab's forking/threading rows again under that Node (e.g. 24.14, Electron 41's). */
const OTHER_NODE = process.env.NET_BENCH_NODE
const labOn = (nodeBin: string, ...args: string[]): [string, string[]] => [nodeBin, [LAB_BIN, ...args, '--port', '0', '--json']]
/** A baseline server of tests/bench/servers/ on port 0, under `nodeBin` (default: this Node). */
const nodeOn = (nodeBin: string, file: string, ...args: string[]): [string, string[]] => [nodeBin, [path.join(REPO_ROOT, 'tests', 'bench', 'servers', file), '0', ...args]]
const node = (file: string, ...args: string[]) => nodeOn(process.execPath, file, ...args)
/** The floor's row (bare-owned-server.mjs): its name, and the server with a spare ready for every connection of the warm-up and of the run. */
const floorName = (mode: 'threading' | 'forking', backlog: string, on = '') => `floor ${mode}${on}: node, a spare per connection, no lab code (backlog ${backlog})`
const floorServer = (nodeBin: string, mode: 'threading' | 'forking', backlog: string) => nodeOn(nodeBin, 'bare-owned-server.mjs', mode === 'threading' ? 'thread' : 'fork', backlog, String(CLIENTS + WARMUP.clients))
const py = (file: string, ...args: string[]): [string, string[]] => ['python3', [path.join(REPO_ROOT, 'tests', 'fixtures', 'python', file), '0', ...args]]

/** UDP modes (issue 9, item 5): each datagram's handler on a worker thread, beside Python's ThreadingUDPServer measured just before. */
async function udpModeRows(): Promise<Row[]> {
  return [await bench('lab udp threading', 'udp', ...lab('serve', 'udp', '--mode', 'threading'))]
}

// Case-insensitive: 'threading|forking' also names Python's ThreadingTCPServer and ForkingTCPServer rows.
const ONLY = process.env.NET_BENCH_ONLY ? new RegExp(process.env.NET_BENCH_ONLY, 'i') : null

it('net bench: one load client against each server', async () => {
  const python = hasPython
  const rows: Row[] = []
  // NET_BENCH_ONLY: the rows it does not name are not run (the TCP baselines always are).
  const wanted = (name: string) => !ONLY || ONLY.test(name) || name.startsWith('node net (baseline')
  const benchIf = (name: string, proto: 'tcp' | 'udp', cmd: string, args: string[], messages?: number) => (wanted(name) ? bench(name, proto, cmd, args, messages) : undefined)
  const add = (row: Row | undefined) => {
    if (row) rows.push(row)
  }
  add(await benchIf('node net (baseline)', 'tcp', ...node('bare-tcp-server.mjs')))
  add(await benchIf('lab async, all events', 'tcp', ...lab('serve', 'tcp', '--mode', 'async')))
  // Like for like: both at backlog 128 (the lab's default of 5 makes most of 32 connects retry their SYN).
  add(await benchIf('node net (backlog 128)', 'tcp', ...node('bare-tcp-server.mjs', '128')))
  add(await benchIf('lab async, all events (backlog 128)', 'tcp', ...lab('serve', 'tcp', '--mode', 'async', '--request-queue-size', '128')))
  // Interleaved, lab then Python, so that the machine's load hits both alike. Backlog 5 is socketserver's
  // own request_queue_size (the course as written); 128 compares like for like without SYN retries.
  for (const backlog of ['5', '128']) {
    add(await benchIf(`lab threading (backlog ${backlog})`, 'tcp', ...lab('serve', 'tcp', '--mode', 'threading', '--request-queue-size', backlog)))
    if (python) add(await benchIf(`python ThreadingTCPServer (backlog ${backlog})`, 'tcp', ...py('course_tcp_server.py', 'threading', backlog)))
    add(await benchIf(`lab forking (backlog ${backlog})`, 'tcp', ...lab('serve', 'tcp', '--mode', 'forking', '--request-queue-size', backlog)))
    if (python) add(await benchIf(`python ForkingTCPServer (backlog ${backlog})`, 'tcp', ...py('course_tcp_server.py', 'forking', backlog)))
    // More spares (a server setting): what warm threads and processes buy, and what they do not.
    add(await benchIf(`lab threading, 32 spares (backlog ${backlog})`, 'tcp', ...lab('serve', 'tcp', '--mode', 'threading', '--request-queue-size', backlog, '--spares', '32')))
    add(await benchIf(`lab forking, 8 spares (backlog ${backlog})`, 'tcp', ...lab('serve', 'tcp', '--mode', 'forking', '--request-queue-size', backlog, '--spares', '8')))
    // The floor (tests/bench/servers/bare-owned-server.mjs): the design with none of the lab's
    // work around it, a spare ready for every connection of the warm-up and of the run.
    for (const mode of ['threading', 'forking'] as const) add(await benchIf(floorName(mode, backlog), 'tcp', ...floorServer(process.execPath, mode, backlog)))
  }
  if (OTHER_NODE) {
    const v = execFileSync(OTHER_NODE, ['-v']).toString().trim()
    add(await benchIf(`lab forking on Node ${v} (backlog 5)`, 'tcp', ...labOn(OTHER_NODE, 'serve', 'tcp', '--mode', 'forking')))
    add(await benchIf(`lab threading on Node ${v} (backlog 5)`, 'tcp', ...labOn(OTHER_NODE, 'serve', 'tcp', '--mode', 'threading')))
    // The floor on that Node too: what a child per connection costs there with none of the lab's work.
    add(await benchIf(floorName('forking', '5', ` on Node ${v}`), 'tcp', ...floorServer(OTHER_NODE, 'forking', '5')))
  }
  add(await benchIf('lab serial', 'tcp', ...lab('serve', 'tcp', '--mode', 'serial', '--request-queue-size', '128'), SERIAL_MESSAGES))
  if (python) add(await benchIf('python TCPServer (serial, backlog 128)', 'tcp', ...py('course_tcp_server.py', 'serial', '128'), SERIAL_MESSAGES))
  // Measured again last: on a shared machine the spread between the two baselines shows the noise.
  add(await benchIf('node net (baseline again)', 'tcp', ...node('bare-tcp-server.mjs')))
  add(await benchIf('node dgram (baseline)', 'udp', ...node('bare-udp-server.mjs')))
  add(await benchIf('lab udp, all events', 'udp', ...lab('serve', 'udp')))
  if (python) add(await benchIf('python ThreadingUDPServer', 'udp', ...py('course_udp_server.py')))
  if (wanted('lab udp threading')) rows.push(...(await udpModeRows()))

  const tcpBase = rows.filter((r) => r.server === 'node net (baseline)' || r.server === 'node net (baseline again)')
  const base = {
    // The ratio is against the mean of the two TCP baseline runs.
    tcp: tcpBase.reduce((n, r) => n + r.result.msgsPerSec, 0) / tcpBase.length,
    udp: rows.find((r) => r.server === 'node dgram (baseline)')?.result.msgsPerSec ?? NaN,
  }
  const fmt = (n: number, d = 0) => n.toFixed(d)
  /** A lab (or floor) threading/forking/serial row against Python's server of the same kind and backlog, same run. */
  const vsPython = (r: Row): string => {
    const m = /^(?:lab|floor) (threading|forking|serial)\b.*?(?:\(backlog (\d+)\))?$/.exec(r.server)
    if (!m || r.server.includes(' on Node ')) return '-'
    const name = m[1] === 'serial' ? 'python TCPServer (serial, backlog 128)' : `python ${m[1] === 'threading' ? 'Threading' : 'Forking'}TCPServer (backlog ${m[2]})`
    const py = rows.find((x) => x.server === name)
    return py ? `${fmt(r.result.msgsPerSec / py.result.msgsPerSec, 2)}×` : '-'
  }
  const table = [
    ['server', 'proto', 'load', 'msgs/s', 'p50 ms', 'p99 ms', '1st reply p50', '1st reply max', 'retried', 'spares ready', 'warm spare', 'spare wait p50/max', 'start p50', 'warm 1st reply p50', '1 at a time 1st reply p50', '1 client msgs/s', 'wrong', 'lost', 'events', 'vs baseline', 'vs python'],
    ...rows.map((r) => [
      r.server,
      r.proto,
      r.load,
      fmt(r.result.msgsPerSec),
      fmt(r.result.p50Ms, 3),
      fmt(r.result.p99Ms, 3),
      fmt(firstReply(r).p50, 1),
      fmt(firstReply(r).max, 0),
      String(firstReply(r).retried),
      r.readyAtStart ? `${r.readyAtStart.ready}/${r.readyAtStart.of}` : '-',
      r.spares ? `${r.spares.warm}/${r.spares.total}` : '-',
      r.spares ? `${fmt(r.spares.waitP50, 1)}/${fmt(r.spares.waitMax, 0)}` : '-',
      r.spares ? fmt(r.spares.startP50, 0) : '-',
      r.spares ? fmt(r.spares.warmFirstReplyP50, 2) : '-',
      r.oneAtATimeP50 === undefined ? '-' : fmt(r.oneAtATimeP50, 2),
      r.oneClient === undefined ? '-' : fmt(r.oneClient),
      String(r.result.wrong),
      String(r.result.lost),
      r.server.startsWith('lab') ? String(r.events) : '-',
      `${fmt(r.result.msgsPerSec / base[r.proto], 2)}×`,
      vsPython(r),
    ]),
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  const lines = table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))

  const rate = (name: string) => rows.find((r) => r.server === name)?.result.msgsPerSec
  const targets: string[] = []
  const times2 = (name: string, k: number) => (rate(name) === undefined ? undefined : rate(name)! * k)
  const check = (what: string, value: number | undefined, floor: number | undefined) => {
    if (value === undefined || floor === undefined) targets.push(`  n/a   ${what} (not measured)`)
    else targets.push(`  ${value >= floor ? 'MET ' : 'MISS'}  ${what}: ${fmt(value)} vs ${fmt(floor)} msgs/s`)
  }
  check('lab async (all events) ≥ 0.9 × node net (mean of both runs; lab at backlog 5, node at 511)', rate('lab async, all events'), base.tcp * 0.9)
  check('lab async (all events, backlog 128) ≥ 0.9 × node net (backlog 128), like for like', rate('lab async, all events (backlog 128)'), times2('node net (backlog 128)', 0.9))
  const times = (name: string, k: number) => (rate(name) === undefined ? undefined : rate(name)! * k)
  check('lab threading, 32 spares ≥ 1.1 × python ThreadingTCPServer (backlog 5)', rate('lab threading, 32 spares (backlog 5)'), times('python ThreadingTCPServer (backlog 5)', 1.1))
  check('lab forking, 8 spares ≥ 0.75 × python ForkingTCPServer (backlog 5)', rate('lab forking, 8 spares (backlog 5)'), times('python ForkingTCPServer (backlog 5)', 0.75))
  check('lab threading ≥ 1.1 × python ThreadingTCPServer (backlog 5)', rate('lab threading (backlog 5)'), times('python ThreadingTCPServer (backlog 5)', 1.1))
  check('lab forking ≥ 0.75 × python ForkingTCPServer (backlog 5)', rate('lab forking (backlog 5)'), times('python ForkingTCPServer (backlog 5)', 0.75))
  check('lab threading ≥ 0.6 × python ThreadingTCPServer (backlog 128)', rate('lab threading (backlog 128)'), times('python ThreadingTCPServer (backlog 128)', 0.6))
  check('lab forking ≥ 0.6 × python ForkingTCPServer (backlog 128)', rate('lab forking (backlog 128)'), times('python ForkingTCPServer (backlog 128)', 0.6))
  // The same targets for the floor: whether the design itself, with none of the lab's work, reaches them here.
  for (const [mode, py, k] of [['threading', 'Threading', 1.1], ['forking', 'Forking', 0.75]] as const) {
    for (const backlog of ['5', '128']) {
      const want = backlog === '5' ? k : 0.6
      check(`(floor) ${floorName(mode, backlog)} ≥ ${want} × python ${py}TCPServer (backlog ${backlog})`, rate(floorName(mode, backlog)), times(`python ${py}TCPServer (backlog ${backlog})`, want))
    }
  }
  const other = rows.find((r) => r.server.startsWith('lab forking on Node'))
  if (other) check(`${other.server} ≥ 1.0 × python ForkingTCPServer (backlog 5)`, other.result.msgsPerSec, rate('python ForkingTCPServer (backlog 5)'))
  const otherFloor = rows.find((r) => r.server.startsWith('floor forking on Node'))
  if (otherFloor) check(`(floor) ${otherFloor.server} ≥ 1.0 × python ForkingTCPServer (backlog 5)`, otherFloor.result.msgsPerSec, rate('python ForkingTCPServer (backlog 5)'))
  const p50 = (name: string) => { const r = rows.find((x) => x.server === name); return r ? firstReply(r).p50 : undefined }
  targets.push(`  ${(p50('lab threading (backlog 128)') ?? 99) < 2 ? 'MET ' : 'MISS'}  connect → first reply p50, threading (backlog 128): ${fmt(p50('lab threading (backlog 128)') ?? NaN, 2)} ms (< 2 ms)`)
  targets.push(`  ${(p50('lab forking (backlog 128)') ?? 99) < 5 ? 'MET ' : 'MISS'}  connect → first reply p50, forking (backlog 128): ${fmt(p50('lab forking (backlog 128)') ?? NaN, 2)} ms (< 5 ms)`)
  // The first-reply targets are for a warm spare: the clients whose connection found one ready.
  const warm = (name: string) => rows.find((x) => x.server === name)?.spares?.warmFirstReplyP50 ?? NaN
  for (const [name, limit] of [['lab threading, 32 spares (backlog 128)', 2], ['lab forking, 8 spares (backlog 128)', 5]] as const) {
    targets.push(`  ${warm(name) < limit ? 'MET ' : 'MISS'}  warm spare connect → first reply p50, ${name}: ${fmt(warm(name), 2)} ms (< ${limit} ms)`)
  }
  // The same target measured as meant: one connection at a time, arriving while every spare is ready.
  for (const name of ['lab threading (backlog 128)', 'lab threading, 32 spares (backlog 128)']) {
    const one = rows.find((x) => x.server === name)?.oneAtATimeP50 ?? NaN
    const py = rows.find((x) => x.server === 'python ThreadingTCPServer (backlog 128)')?.oneAtATimeP50 ?? NaN
    targets.push(`  ${one < 2 ? 'MET ' : 'MISS'}  warm spare, one connection at a time, connect → first reply p50, ${name}: ${fmt(one, 2)} ms (< 2 ms; python ThreadingTCPServer ${fmt(py, 2)} ms)`)
  }
  // Forking: the same probe (1 spare by default; 8 spares), beside Python's ForkingTCPServer probed alike.
  for (const name of ['lab forking (backlog 128)', 'lab forking, 8 spares (backlog 128)']) {
    const one = rows.find((x) => x.server === name)?.oneAtATimeP50 ?? NaN
    const py = rows.find((x) => x.server === 'python ForkingTCPServer (backlog 128)')?.oneAtATimeP50 ?? NaN
    targets.push(`  ${one < 5 ? 'MET ' : 'MISS'}  warm spare, one connection at a time, connect → first reply p50, ${name}: ${fmt(one, 2)} ms (< 5 ms; python ForkingTCPServer ${fmt(py, 2)} ms)`)
  }
  check('lab udp ≥ 0.9 × node dgram', rate('lab udp, all events'), base.udp * 0.9)
  const pyUdp = rate('python ThreadingUDPServer')
  check('lab udp ≥ 3 × python ThreadingUDPServer', rate('lab udp, all events'), pyUdp === undefined ? undefined : pyUdp * 3)
  check('lab udp threading ≥ 1.0 × python ThreadingUDPServer', rate('lab udp threading'), pyUdp)

  console.log(
    [
      '',
      `Network benchmark — ${CLIENTS} clients × ${MESSAGES} round trips × ${BYTES} bytes over 127.0.0.1 (serial: ${CLIENTS} × ${SERIAL_MESSAGES}),`,
      `closed loop, one load client process; ${os.cpus().length} CPUs, Node ${process.versions.node}${python ? '' : ', python3 not found'};`,
      `load average at the end ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} (other work on the machine skews every row)`,
      '',
      ...lines,
      '',
      'targets (issue 3, item 9):',
      ...targets,
      '',
    ].join('\n'),
  )
  for (const r of rows) {
    expect(r.result.wrong, r.server).toBe(0)
    expect(r.result.failedClients, r.server).toBe(0)
  }
})
