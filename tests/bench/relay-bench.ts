/**
 * Relay benchmark (issue 14, "Performance and safety"): what putting the network-conditions relay
 * between a client and a server costs when no condition is set, and how exact its delay is.
 *
 * Every server and every relay runs in its own child process (`lab relay … --json`, each event
 * written out as a JSON line to a file, as a learner's tool would read it); the load client runs
 * in this process:
 *   - round trips: the same closed-loop load client (main/lab/net/load-client.ts, the one `lab bench`
 *     runs) against the bare Node echo servers directly, then through the relay — TCP and UDP;
 *   - bulk: one TCP connection streaming BULK_BYTES to the echo server and reading them back,
 *     directly and through the relay (the relay's pipe, both directions);
 * each pair measured ROUNDS times, interleaved (direct, relay, direct, relay…) so the machine's other
 * load hits both alike; the ratio is relay / direct of the summed rounds.
 *
 * Delay accuracy: datagrams and TCP messages sent GAP_MS apart, each stamped with the send time,
 * to a sink in this process, through the relay with no delay and with DELAY_MS: the added one-way
 * time minus DELAY_MS, per message, against the "within 1 ms" target; and the relay's own
 * account of it (its `out` events' lateMs: how long after the due time it wrote).
 *
 * Not a test: it asserts only that every reply was right. RELAY_BENCH_QUICK=1 shrinks everything
 * to check the harness; its figures mean nothing.
 */
import { readFileSync } from 'node:fs'
import dgram from 'node:dgram'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { percentile, runLoad, type LoadResult } from '../../main/lab/net/load-client'
import { LAB_BIN, REPO_ROOT } from '../helpers/paths'
import { benchChildren, stopChild, type Started } from './bench-children'

const QUICK = process.env.RELAY_BENCH_QUICK === '1'
const ROUNDS = QUICK ? 1 : 3
const CLIENTS = 32
const MESSAGES = QUICK ? 100 : 1_000
const BYTES = 64
const BULK_BYTES = (QUICK ? 8 : 128) * 1024 * 1024
const DELAY_MS = 20
const DELAY_MESSAGES = QUICK ? 50 : 300
const GAP_MS = 5

const { start } = benchChildren('lab-relay-bench-')
/** A Node child whose stdout goes to a file; resolves the port its first JSON line names. */
const startChild = (name: string, args: string[]): Promise<Started> => start(name, process.execPath, args)

const bareServer = (proto: 'tcp' | 'udp') => startChild(`bare ${proto}`, [path.join(REPO_ROOT, 'tests', 'bench', 'servers', `bare-${proto}-server.mjs`), '0'])
/** RELAY_BENCH_PROF_DIR=/some/dir: every lab relay writes a CPU profile there (node --cpu-prof) for a look at where its time goes. */
const PROF = process.env.RELAY_BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RELAY_BENCH_PROF_DIR}`] : []
const relayTo = (proto: 'tcp' | 'udp', port: number, ...conditions: string[]) =>
  startChild(`relay ${proto}`, [...PROF, LAB_BIN, 'relay', '--listen', '0', '--to', `127.0.0.1:${port}`, ...(proto === 'udp' ? ['--udp'] : []), ...conditions, '--json'])

/** One TCP connection: writes `total` bytes (with backpressure) to an echo server and reads them all back. */
function bulk(port: number, total: number): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const s = net.connect({ host: '127.0.0.1', port })
    let sent = 0
    let got = 0
    let t0 = 0
    const pump = () => {
      while (sent < total) {
        sent += chunk.length
        if (!s.write(chunk)) return void s.once('drain', pump)
      }
    }
    s.on('connect', () => {
      t0 = performance.now()
      pump()
    })
    s.on('data', (d) => {
      got += d.length
      if (got >= total) {
        const ms = performance.now() - t0
        s.destroy()
        resolve({ ms, bytes: got })
      }
    })
    s.on('error', reject)
  })
}

const roundTrips = (proto: 'tcp' | 'udp', port: number): Promise<LoadResult> =>
  runLoad({ proto, host: '127.0.0.1', port, clients: CLIENTS, messages: MESSAGES, bytes: BYTES, replyTimeoutMs: proto === 'udp' ? 1_000 : 60_000 })

/** One-way times (ms) of `n` stamped messages sent GAP_MS apart to `port`, read by a sink in this process. */
async function oneWayUdp(sendPort: number, sink: dgram.Socket, n: number): Promise<number[]> {
  const client = dgram.createSocket('udp4')
  const seen = new Map<number, number>()
  const onMessage = (msg: Buffer) => {
    const [i, at] = msg.toString().split('|').map(Number)
    seen.set(i!, performance.now() - at!)
  }
  sink.on('message', onMessage)
  for (let i = 0; i < n; i++) {
    client.send(`${i}|${performance.now()}`, sendPort, '127.0.0.1')
    await new Promise((r) => setTimeout(r, GAP_MS))
  }
  const end = Date.now() + 5_000
  while (seen.size < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  sink.off('message', onMessage)
  client.close()
  return [...seen.values()]
}

/** A TCP sink in this process: stamps each complete "i|sentAt;" message on arrival (one-way ms). */
function tcpSink(): { server: net.Server; times: number[] } {
  const times: number[] = []
  const server = net.createServer((s) => {
    let pending = ''
    s.setEncoding('utf8')
    s.on('data', (d: string) => {
      const now = performance.now()
      pending += d
      const parts = pending.split(';')
      pending = parts.pop()!
      for (const m of parts) times.push(now - Number(m.split('|')[1]))
    })
    s.on('error', () => {})
  })
  return { server, times }
}

async function oneWayTcp(sendPort: number, sink: { times: number[] }, n: number): Promise<number[]> {
  const s = net.connect({ host: '127.0.0.1', port: sendPort })
  s.setNoDelay(true)
  await new Promise((r) => s.once('connect', r))
  const from = sink.times.length
  for (let i = 0; i < n; i++) {
    s.write(`${i}|${performance.now()};`)
    await new Promise((r) => setTimeout(r, GAP_MS))
  }
  const end = Date.now() + 5_000
  while (sink.times.length - from < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  s.destroy()
  return sink.times.slice(from)
}

/** The relay's own account: each `out` event's lateMs (written this long after its due time). */
function lateOf(logFile: string): number[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"out"'))
    .map((l) => (JSON.parse(l) as { lateMs: number }).lateMs)
}

const sorted = (xs: number[]) => Float64Array.from(xs).sort()
const fmt = (n: number, d = 0) => n.toFixed(d)

type Path = 'direct' | 'bare relay' | 'lab relay' | 'lab relay --quiet'
const PATHS: Path[] = ['direct', 'bare relay', 'lab relay', 'lab relay --quiet']

/** CPU time (user + system, ms) a process used so far, from /proc (Linux); null elsewhere. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== 'linux') return null
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/**
 * A relay for one measurement, started fresh (a relay keeps at most RELAY_LIMITS.connections TCP
 * connections and udpPeers UDP clients, each peer for udpPeerIdleMs: runs one after another would
 * meet those limits, which is not what is measured here).
 */
const startPath = async (p: Path, proto: 'tcp' | 'udp', port: number): Promise<{ port: number; pid?: number; stop: () => Promise<void> }> => {
  if (p === 'direct') return { port, stop: async () => {} }
  const r =
    p === 'bare relay'
      ? await startChild('bare relay', [path.join(REPO_ROOT, 'tests', 'bench', 'servers', 'bare-relay.mjs'), String(port), proto])
      : await relayTo(proto, port, ...(p === 'lab relay --quiet' ? ['--quiet'] : []))
  return { port: r.port, pid: r.child.pid, stop: () => stopChild(r.child) }
}

it('relay bench: direct against through the relay, no conditions; delay accuracy', async () => {
  const tcp = await bareServer('tcp')
  const udp = await bareServer('udp')
  const byPath = <T>(make: () => T) => Object.fromEntries(PATHS.map((p) => [p, make()])) as Record<Path, T>
  const row = (what: string, unit: string) => ({ what, unit, by: byPath<number[]>(() => []), cpu: byPath<{ ms: number; n: number }>(() => ({ ms: 0, n: 0 })), wrong: 0, lost: byPath(() => 0) })
  const tcpRt = row(`TCP round trips, ${CLIENTS}×${MESSAGES}×${BYTES} B`, 'msgs/s')
  const tcpBulk = row(`TCP bulk, 1 connection, ${BULK_BYTES / 1024 / 1024} MiB each way`, 'MiB/s')
  const udpRt = row(`UDP round trips, ${CLIENTS}×${MESSAGES}×${BYTES} B`, 'msgs/s')
  const rows = [tcpRt, tcpBulk, udpRt]
  const addCpu = (r: (typeof rows)[number], p: Path, before: number | null, pid: number | undefined, n: number) => {
    const after = cpuMs(pid)
    if (before === null || after === null) return
    r.cpu[p].ms += after - before
    r.cpu[p].n += n
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved: each path in turn, then again, so the machine's other load hits each alike.
    for (const p of PATHS) {
      for (const [r, proto, port] of [[tcpRt, 'tcp', tcp.port], [udpRt, 'udp', udp.port]] as const) {
        const at = await startPath(p, proto, port)
        // Warm-up (JIT, the relay's first connections), then the measured run.
        await runLoad({ proto, host: '127.0.0.1', port: at.port, clients: 4, messages: 200, bytes: BYTES, replyTimeoutMs: proto === 'udp' ? 1_000 : 60_000 })
        const before = cpuMs(at.pid)
        const res = await roundTrips(proto, at.port)
        addCpu(r, p, before, at.pid, res.messages)
        r.by[p].push(res.msgsPerSec)
        r.wrong += res.wrong + res.failedClients
        r.lost[p] += res.lost
        await at.stop()
      }
      const at = await startPath(p, 'tcp', tcp.port)
      await bulk(at.port, BULK_BYTES / 8)
      const before = cpuMs(at.pid)
      const b = await bulk(at.port, BULK_BYTES)
      addCpu(tcpBulk, p, before, at.pid, b.bytes / 1024 / 1024)
      tcpBulk.by[p].push(b.bytes / 1024 / 1024 / (b.ms / 1000))
      await at.stop()
    }
  }

  // Delay accuracy: the same stamped messages through a relay with no delay and with DELAY_MS.
  const sinkUdp = dgram.createSocket('udp4')
  await new Promise<void>((r) => sinkUdp.bind(0, '127.0.0.1', () => r()))
  const sinkTcp = tcpSink()
  await new Promise<void>((r) => sinkTcp.server.listen(0, '127.0.0.1', () => r()))
  const sinkTcpPort = (sinkTcp.server.address() as net.AddressInfo).port
  const delayRows: { what: string; added: Float64Array; late: Float64Array }[] = []
  for (const proto of ['tcp', 'udp'] as const) {
    const to = proto === 'udp' ? sinkUdp.address().port : sinkTcpPort
    const measure = async (conditions: string[]) => {
      const relay = await relayTo(proto, to, ...conditions)
      const times = proto === 'udp' ? await oneWayUdp(relay.port, sinkUdp, DELAY_MESSAGES) : await oneWayTcp(relay.port, sinkTcp, DELAY_MESSAGES)
      await stopChild(relay.child)
      return { times, late: lateOf(relay.logFile) }
    }
    const plain = await measure([])
    const delayed = await measure(['--delay', String(DELAY_MS)])
    const base = percentile(sorted(plain.times), 50)
    delayRows.push({ what: proto.toUpperCase(), added: sorted(delayed.times.map((t) => t - base - DELAY_MS)), late: sorted(delayed.late) })
  }
  sinkUdp.close()
  await new Promise<void>((r) => sinkTcp.server.close(() => r()))

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  const ratio = (r: (typeof rows)[number], a: Path, b: Path) => sum(r.by[a]) / sum(r.by[b])
  const cpuPer = (r: (typeof rows)[number], p: Path) => (r.cpu[p].n > 0 ? (r.cpu[p].ms * 1000) / r.cpu[p].n : NaN)
  // One line per load and path: each round's figure, the ratio to direct (sums of the rounds), the relay process's CPU.
  const table = [
    ['load', 'path', ...Array.from({ length: ROUNDS }, (_, i) => `run ${i + 1}`), 'unit', 'vs direct', 'relay CPU', 'CPU vs bare', 'target ≥ 0.8×'],
    ...rows.flatMap((r) =>
      PATHS.map((p) => [
        p === 'direct' ? r.what : '',
        p,
        ...r.by[p].map((n) => fmt(n)),
        r.unit,
        `${fmt(ratio(r, p, 'direct'), 2)}×`,
        p === 'direct' ? '-' : `${fmt(cpuPer(r, p), 1)} µs/${r.unit === 'MiB/s' ? 'MiB' : 'msg'}`,
        p === 'direct' || p === 'bare relay' ? '-' : `${fmt(cpuPer(r, p) / cpuPer(r, 'bare relay'), 2)}×`,
        p.startsWith('lab') ? (ratio(r, p, 'direct') >= 0.8 ? 'MET' : 'MISS') : '-',
      ]),
    ),
  ]
  const within = (xs: Float64Array, ms: number) => xs.filter((x) => Math.abs(x) <= ms).length / xs.length
  const delayTable = [
    ['proto', 'messages', 'added − delay p50', 'p99', 'max', 'within ±1 ms', "relay's lateMs p50", 'p99', 'max', 'within 1 ms'],
    ...delayRows.map((d) => [
      d.what,
      String(d.added.length),
      fmt(percentile(d.added, 50), 3),
      fmt(percentile(d.added, 99), 3),
      fmt(d.added[d.added.length - 1] ?? NaN, 3),
      `${fmt(within(d.added, 1) * 100, 1)} %`,
      fmt(percentile(d.late, 50), 3),
      fmt(percentile(d.late, 99), 3),
      fmt(d.late[d.late.length - 1] ?? NaN, 3),
      `${fmt(within(d.late, 1) * 100, 1)} %`,
    ]),
  ]
  const render = (rows: string[][]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
    return lines
  }
  console.log(
    [
      '',
      `Relay benchmark — the bare Node echo servers directly, then through \`lab relay --json\` with no conditions`,
      `(${ROUNDS} rounds interleaved, a fresh relay per run; every server and relay its own process, the load client in this one;`,
      `CPU: the relay process's user+system time per round trip or per MiB, from /proc: steadier than throughput on a busy machine);`,
      `${os.cpus().length} CPUs, Node ${process.versions.node}; load average at the end ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`,
      '',
      ...render(table),
      `UDP replies lost (1 s timeout): ${PATHS.map((p) => `${p} ${udpRt.lost[p]}`).join(', ')}`,
      'bare relay: tests/bench/servers/bare-relay.mjs, pipe() / a socket per UDP client, no events — what the extra hop itself costs;',
      'lab relay: `lab relay --json`, every message reported and printed; --quiet: reported (counted, kept for the page), not printed',
      '',
      `Delay accuracy — ${DELAY_MESSAGES} stamped messages ${GAP_MS} ms apart through \`lab relay --delay ${DELAY_MS}\`; "added" is the`,
      `one-way time minus the median one-way time through the same relay without a delay (target: within 1 ms):`,
      '',
      ...render(delayTable),
      '',
    ].join('\n'),
  )
  for (const r of rows) expect(r.wrong, r.what).toBe(0)
})
