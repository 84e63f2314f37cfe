/**
 * Soak (issue 6, deliverable 5; docs/SECURITY.md items 19 and 21): the real lab (`lab web`, its own
 * process) holds 1,000 TCP connections that keep talking, takes a UDP flood and runs pool
 * tasks, for SOAK_SECONDS (default 60). Then everything closes and the lab's open file
 * descriptors and memory are compared with the baseline measured before the load.
 *   SOAK_SECONDS=60 SOAK_CONNECTIONS=1000 SOAK_UDP_PER_SECOND=5000 npm run bench -- tests/bench/soak-bench.ts
 * Not in the default suite (it runs for minutes). It asserts what must hold — no crash, every
 * reply correct, descriptors back to baseline, memory back near it — and prints the figures.
 */
import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { LabProcess } from '../helpers/cli'
import { descendantPids, fdCount, rssBytes } from '../helpers/proc-probe'
import { waitUntil } from '../helpers/procs'
import { webClient } from '../helpers/web-client'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 1_000)
const UDP_PER_SECOND = Number(process.env.SOAK_UDP_PER_SECOND ?? 5_000)
/** Each held connection sends one message this often. */
const TCP_EVERY_MS = 2_000
/** Memory may settle a little above where it started (V8 keeps some heap it grew); more is a leak. */
const RSS_TOLERANCE = { factor: 1.5, bytes: 48 * 1024 * 1024 }

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-soak-'))
let lab: LabProcess | null = null
afterAll(async () => {
  if (lab && lab.child.exitCode === null && lab.child.signalCode === null) await lab.stop('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The lab's descriptors and memory, after it has had a moment to settle. */
async function measure(pid: number) {
  await sleep(1_500)
  return { fds: fdCount(pid), rss: rssBytes(pid), children: descendantPids(pid).length }
}

it(`soak: ${CONNECTIONS} TCP connections + UDP flood + pool tasks for ${SECONDS} s`, async () => {
  lab = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir])
  const client = await webClient(lab)
  const pid = lab.child.pid!
  const tcp = await client.call('net.tcpServer.start', { port: 0, mode: 'async', handler: 'upper', maxConnections: CONNECTIONS + 100, requestQueueSize: 1024 })
  const udp = await client.call('net.udpServer.start', { port: 0, handler: 'upper' })
  expect(tcp.ok && udp.ok, JSON.stringify({ tcp, udp })).toBe(true)
  const tcpPort = (tcp.value as { port: number }).port
  const udpPort = (udp.value as { port: number }).port

  // Warm-up (so lazy allocations happen before the baseline): a few connections, datagrams, one run.
  const warm = await Promise.all([1, 2, 3].map(() => openConnection(tcpPort)))
  for (const c of warm) c.socket.destroy()
  expect((await client.call('proc.run', { tasks: 'cpu:50ms*2,io:50ms*2', mode: 'parallel', workers: 2 })).ok).toBe(true)
  const baseline = await measure(pid)

  // ── load ──
  const stats = { tcpSent: 0, tcpReplies: 0, tcpWrong: 0, udpSent: 0, udpReplies: 0, udpWrong: 0, runs: 0, runsFailed: 0, peakFds: 0, peakRss: 0 }
  const conns: Conn[] = []
  const failures: string[] = []
  for (let i = 0; i < CONNECTIONS; i += 100) {
    conns.push(...(await Promise.all(Array.from({ length: Math.min(100, CONNECTIONS - i) }, () => openConnection(tcpPort)))))
  }
  const held = await waitUntil(() => fdCount(pid) >= baseline.fds + CONNECTIONS, 10_000)
  const heldFds = fdCount(pid)
  const deadline = Date.now() + SECONDS * 1_000

  const tcpLoop = (async () => {
    let n = 0
    while (Date.now() < deadline) {
      const batch = conns.filter((_, i) => i % (TCP_EVERY_MS / 100) === n % (TCP_EVERY_MS / 100))
      for (const c of batch) {
        const text = `ping-${c.id}-${n}`
        c.expect(text.toUpperCase(), stats)
        c.socket.write(text + '\n')
        stats.tcpSent++
      }
      n++
      await sleep(100)
    }
  })()

  const flood = dgram.createSocket('udp4')
  flood.on('message', (msg) => {
    stats.udpReplies++
    if (!/^FLOOD-\d+$/.test(msg.toString())) stats.udpWrong++
  })
  await new Promise<void>((resolve) => flood.bind(0, '127.0.0.1', () => resolve()))
  const udpLoop = (async () => {
    const perTick = Math.max(1, Math.round(UDP_PER_SECOND / 100))
    while (Date.now() < deadline) {
      for (let i = 0; i < perTick; i++) flood.send(`flood-${stats.udpSent++}`, udpPort, '127.0.0.1')
      await sleep(10)
    }
  })()

  const taskLoop = (async () => {
    while (Date.now() < deadline) {
      const r = await client.call('proc.run', { tasks: 'cpu:300ms*2,io:300ms*2', mode: 'parallel', workers: 2 })
      stats.runs++
      if (!r.ok || !(r.value as { tasks: { ok: boolean }[] }).tasks.every((t) => t.ok)) {
        stats.runsFailed++
        failures.push(JSON.stringify(r.ok ? (r.value as { tasks: { ok: boolean }[] }).tasks.filter((t) => !t.ok) : r.error).slice(0, 400))
      }
    }
  })()

  const samples: string[] = []
  const sampler = (async () => {
    while (Date.now() < deadline) {
      await sleep(Math.min(5_000, Math.max(500, deadline - Date.now())))
      const fds = fdCount(pid)
      const rss = rssBytes(pid)
      stats.peakFds = Math.max(stats.peakFds, fds)
      stats.peakRss = Math.max(stats.peakRss, rss)
      samples.push(`  t=${String(Math.round(SECONDS - (deadline - Date.now()) / 1000)).padStart(3)} s  fds ${fds}  rss ${mb(rss)}  tcp ${stats.tcpReplies}/${stats.tcpSent}  udp ${stats.udpReplies}/${stats.udpSent}  runs ${stats.runs}`)
    }
  })()

  await Promise.all([tcpLoop, udpLoop, taskLoop, sampler])
  // Let the last replies arrive, then close everything from our side.
  await waitUntil(() => conns.every((c) => c.pending.length === 0), 10_000)
  const unanswered = conns.reduce((n, c) => n + c.pending.length, 0)
  for (const c of conns) c.socket.end()
  flood.close()
  await waitUntil(() => fdCount(pid) <= baseline.fds + 2, 15_000)
  const after = await measure(pid)
  const info = await client.call('lab.info', {})

  const rssLimit = Math.max(baseline.rss * RSS_TOLERANCE.factor, baseline.rss + RSS_TOLERANCE.bytes)
  console.log(
    [
      `soak: ${CONNECTIONS} TCP connections (1 message / ${TCP_EVERY_MS} ms each), UDP ${UDP_PER_SECOND}/s, pool runs, ${SECONDS} s — lab pid ${pid}`,
      ...samples,
      `  lab fds:  baseline ${baseline.fds}, while holding ${heldFds} (peak ${stats.peakFds}), after ${after.fds}`,
      `  lab RSS:  baseline ${mb(baseline.rss)}, peak ${mb(stats.peakRss)}, after ${mb(after.rss)} (limit ${mb(rssLimit)})`,
      `  children: baseline ${baseline.children}, after ${after.children}`,
      `  TCP:      ${stats.tcpSent} sent, ${stats.tcpReplies} replies, ${stats.tcpWrong} wrong, ${unanswered} unanswered`,
      `  UDP:      ${stats.udpSent} sent (${Math.round(stats.udpSent / SECONDS)}/s achieved), ${stats.udpReplies} replies (${((100 * stats.udpReplies) / Math.max(1, stats.udpSent)).toFixed(1)} %; the rest dropped under the flood, as UDP may), ${stats.udpWrong} wrong`,
      `  pool:     ${stats.runs} runs, ${stats.runsFailed} failed${failures.length ? `: ${failures.join('; ')}` : ''}`,
    ].join('\n'),
  )

  expect(held, `the lab never held ${CONNECTIONS} connections (fds ${heldFds}, baseline ${baseline.fds})`).toBe(true)
  expect(info.ok, 'the lab stopped answering').toBe(true)
  expect(stats.tcpWrong + stats.udpWrong).toBe(0)
  expect(unanswered).toBe(0)
  expect(stats.tcpReplies).toBe(stats.tcpSent)
  expect(stats.runsFailed).toBe(0)
  expect(after.fds).toBeLessThanOrEqual(baseline.fds + 2)
  expect(after.rss).toBeLessThanOrEqual(rssLimit)
  expect(after.children).toBeLessThanOrEqual(baseline.children)
  expect(await lab.stop('SIGTERM')).toBe(0)
}, (SECONDS + 180) * 1_000)

interface Conn {
  id: number
  socket: net.Socket
  pending: string[]
  expect(reply: string, stats: { tcpReplies: number; tcpWrong: number }): void
}

let nextId = 0
/** One held connection: line-oriented so replies can be matched whatever TCP merges or splits. */
function openConnection(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const conn: Conn = {
      id: nextId++,
      socket,
      pending: [],
      expect(reply, stats) {
        this.pending.push(reply)
        statsRef = stats
      },
    }
    let statsRef: { tcpReplies: number; tcpWrong: number } | null = null
    let buffer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        const want = conn.pending.shift()
        if (statsRef) {
          statsRef.tcpReplies++
          if (line !== want) statsRef.tcpWrong++
        }
      }
    })
    socket.on('error', () => {})
    socket.once('connect', () => resolve(conn))
    socket.once('error', reject)
  })
}
