import { describe, expect, it } from 'vitest'
import { findLesson } from '../../renderer/lessons'
import type { RunFacts } from '../../renderer/lessons/types'
import { compareSummary } from '../../renderer/history/compare-summary'
import { serverSummary } from '../../renderer/lessons/server-summary'
import type { DatagramSeen } from '../../renderer/stores/servers'
import type { CompareClientResult, CompareModeResult, CompareRunResult } from '../../shared/contract'
import type { ConnectionInfo, ServerInfo, ServeStartup } from '../../shared/contract/net'
import { englishWords } from '../helpers/english-words'
import { bothLanguages, en, read, zh } from '../helpers/lesson-reading'

/**
 * Lessons 7 and 8 read the learner's own server and comparison (issues 9, 11): what a thread or
 * process does in each mode and what starting it cost; where the time above "about 250 ms" went.
 * The figures below are shaped like real runs of `tests/bench/lesson-figures-bench.ts` on this machine.
 */
// ---- the comparison (lesson 8) ---------------------------------------------------------------

function client(i: number, waitMs: number, startup: ServeStartup | null = null, connectMs = 0.4): CompareClientResult {
  return {
    client: i, connectAt: 0, firstReplyAt: waitMs + 50, waitMs, connectMs, serverWaitMs: waitMs - connectMs, firstReplyMs: waitMs + 50, serviceMs: 200,
    retried: connectMs >= 1000, startup, doneAt: waitMs + 250, messages: 5, wrong: 0, p50Ms: 50, p99Ms: 52, error: null, servedBy: null, announcedAt: null, queuedMs: null,
  }
}
function modeRow(mode: CompareModeResult['mode'], totalMs: number, clients: CompareClientResult[], server: 'lab' | 'python' = 'lab'): CompareModeResult {
  const waits = clients.map((c) => c.waitMs ?? 0)
  return {
    mode, server, ...(server === 'python' ? { pythonClass: { serial: 'TCPServer', threading: 'ThreadingTCPServer', forking: 'ForkingTCPServer' }[mode as 'serial'] } : {}),
    port: 1, totalMs, msgsPerSec: 20_000 / totalMs, p50Ms: 50, p99Ms: 52, maxMs: 60, messages: 20, wrong: 0, failed: 0, clients, timeline: [], timelineSampled: false,
    requestQueueSize: 5, retried: clients.filter((c) => c.retried).length, firstReply: { p50: 0, p99: 0, max: 0 }, wait: { p50: 0, p99: Math.max(...waits), max: Math.max(...waits) },
  }
}
const started = (waitedMs: number, threadStartMs: number): ServeStartup => ({ spare: false, waitedMs, threadStartMs })
const spare = (threadStartMs: number): ServeStartup => ({ spare: true, waitedMs: 0.1, threadStartMs })
const four = (f: (i: number) => CompareClientResult) => [0, 1, 2, 3].map(f)

function run(modes: CompareModeResult[]): CompareRunResult {
  return { runId: 'r', settings: { clients: 4, messages: 5, bytes: 32, handler: 'delay:50', modes: ['serial', 'threading', 'forking', 'async'], requestQueueSize: 5 }, startedAt: 0, elapsedMs: 1, modes }
}
// Round 2 of the bench: no spare ready (0/4), threads ~270 ms to start, children ~1.5 s; Python beside.
const measured = run([
  modeRow('serial', 1057, four((i) => client(i, 1 + i * 262))),
  modeRow('serial', 1033, four((i) => client(i, 1 + i * 259)), 'python'),
  modeRow('threading', 631, four((i) => client(i, 268 + i * 28, started(267 + i * 28, 272)))),
  modeRow('threading', 265, four((i) => client(i, 7.4)), 'python'),
  modeRow('forking', 1937, four((i) => client(i, 1518 + i * 30, started(1482 + i * 30, 1526)))),
  modeRow('forking', 290, four((i) => client(i, 10 + i * 4)), 'python'),
  modeRow('async', 274, four((i) => client(i, 0.9))),
])
const facts8 = (r: CompareRunResult): RunFacts => ({ kind: 'net.compare', summary: compareSummary(r), cpus: 2 })

describe('History keeps what lesson 8 reads of a comparison', () => {
  it('settings, and per row its total, longest wait, retries; for threading and forking the spares found ready and the start-up', () => {
    const s = compareSummary(measured)
    expect(s).toMatchObject({ clients: 4, messages: 5, delayMs: 50, requestQueueSize: 5, 'serial.totalMs': 1057, 'serial.waitMaxMs': 787, 'threading.spareReady': 0, 'threading.startMs': 272, 'forking.startMs': 1526, 'python-threading.totalMs': 265, 'async.retried': 0 })
    expect(Object.keys(s)).not.toContain('async.spareReady')
    expect(Object.keys(s)).not.toContain('python-threading.startMs')
  })
})

describe('lesson 8 reads the learner’s comparison', () => {
  it('no spare ready: the threading and forking totals are explained by the measured start-up, beside Python’s and async’s', () => {
    const lines = read('concurrent-server', facts8(measured))
    bothLanguages(lines)
    const text = en(lines)
    expect(text).toMatch(/one client served alone takes 250 ms.*serial server’s ideal is 4 × 250 ms = 1,000 ms/)
    expect(text).toMatch(/Serial: done in 1,057 ms; the client that waited longest waited 787 ms.*behind 3 clients/)
    expect(text).toMatch(/Threading: done in 631 ms, waiting at most 352 ms\. Of your 4 clients, 0 found a spare thread ready; 4 had to wait for a thread to start \(starting one took about 272 ms\)/)
    expect(text).toMatch(/Forking: done in 1,937 ms.*wait for a child process to start \(starting one took about 1,526 ms\).*Node has no os\.fork\(\)/)
    expect(text).toMatch(/Python’s ThreadingTCPServer: done in 265 ms, waiting at most 7 ms: it starts its thread after accept\(\)/)
    expect(text).toMatch(/Async: done in 274 ms, waiting at most 1 ms: the event loop starts nothing/)
    expect(text).not.toMatch(/machine was busy/)
    expect(text).not.toMatch(/accept queue/)
    expect(zh(lines)).toContain('多线程：全部完成用了 631 ms')
  })
  it('every client found a spare ready: the wait is near 0', () => {
    const warm = run([modeRow('threading', 262, four((i) => client(i, 0.5, spare(300)))), modeRow('async', 260, four((i) => client(i, 0.9)))])
    const lines = read('concurrent-server', facts8(warm))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/Threading: done in 262 ms, waiting at most 1 ms: every client found a spare thread ready, so the wait is near 0/)
    expect(en(lines)).not.toMatch(/had to wait/)
  })
  it('a busy machine (even async slow) and a full backlog (SYNs retried) are named as the reasons', () => {
    const busy = run([
      modeRow('threading', 1600, [client(0, 1100, started(40, 300), 1040), ...[1, 2, 3].map((i) => client(i, 20, spare(300)))]),
      modeRow('async', 420, four((i) => client(i, 1))),
    ])
    const lines = read('concurrent-server', facts8(busy))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/Even async took well over 250 ms.*machine was busy/)
    expect(en(lines)).toMatch(/Threading: 1 client’s connect\(\) took over a second\. The kernel’s accept queue \(backlog 5, socketserver’s request_queue_size\) was full/)
    expect(en(lines)).toMatch(/Of your 4 clients, 3 found a spare thread ready; 1 had to wait/)
  })
  it('says nothing of a comparison saved before these figures were kept', () => {
    expect(read('concurrent-server', { kind: 'net.compare', summary: { 'serial.msgsPerSec': 19, 'threading.p99Ms': 52 }, cpus: 2 })).toEqual([])
  })
})

// ---- a try-it's server (lesson 7) --------------------------------------------------------------

function server(over: Partial<ServerInfo> = {}): ServerInfo {
  return {
    id: 's1', proto: 'tcp', host: '127.0.0.1', port: 40123, state: 'listening', handler: 'upper', mode: 'threading', frame: 'none', recvSize: null,
    readDelayMs: 0, maxFrameBytes: 1 << 20, idleTimeoutMs: 120_000, maxConnections: 64, startedAt: 0, connections: [], queue: [], spares: 2, threadIo: 'thread',
    stats: { accepted: 0, bytesIn: 0, bytesOut: 0, datagrams: 0, dropped: 0 },
    ...over,
  } as ServerInfo
}
const conn = (n: number, servedBy: ConnectionInfo['servedBy'], startup?: ServeStartup): ConnectionInfo => ({
  conn: n, remote: { address: '127.0.0.1', port: 40000 + n }, openedAt: n, bytesIn: 0, bytesOut: 0, state: 'serving', servedBy, messages: 0, ...(startup ? { startup } : {}),
})
const facts7 = (s: ServerInfo, d: DatagramSeen[] = []): RunFacts => ({ kind: 'net.server', summary: serverSummary(s, [s], d), cpus: 2 })

describe('lesson 7 reads the threading, forking or UDP server its try-it started', () => {
  it('threading: two connections, two threads that own their descriptors; the newest found a spare ready', () => {
    const s = server({ connections: [conn(1, { kind: 'thread', pid: 10, tid: 11 }, spare(330)), conn(2, { kind: 'thread', pid: 10, tid: 12 }, { spare: true, waitedMs: 0.08, threadStartMs: 283 })] })
    const lines = read('socketserver', facts7(s))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/2 connections are served by 2 different threads.*handed its connection’s descriptor and blocks in recv\(\) on it/)
    expect(en(lines)).toMatch(/newest connection found a spare thread ready and waited only 0 ms \(starting it took 283 ms\)/)
  })
  it('threading: no spare ready, and a platform where the main thread relays', () => {
    const s = server({ threadIo: 'relay', connections: [conn(1, { kind: 'thread', pid: 10, tid: null }, started(512, 498))] })
    const lines = read('socketserver', facts7(s))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/cannot be handed the connection’s descriptor, so the lab’s main thread does the recv\(\) and send\(\)/)
    expect(en(lines)).toMatch(/found no spare thread ready: it waited 512 ms for one to start for it \(starting it took 498 ms\)/)
    expect(en(lines)).not.toMatch(/blocks in recv\(\) on it/)
  })
  it('before any client: says what to do', () => {
    expect(en(read('socketserver', facts7(server())))).toMatch(/listens on port 40123, with 2 spare threads started ahead\. Connect two clients/)
    expect(en(read('socketserver', facts7(server({ mode: 'forking', spares: 1, threadIo: null }))))).toMatch(/forking server listens on port 40123, with 1 spare child started ahead/)
  })
  it('forking: a child per connection, a new Node process (no os.fork) running the blocking loop', () => {
    const s = server({ mode: 'forking', spares: 1, threadIo: null, connections: [conn(1, { kind: 'process', pid: 501, tid: 501 }, started(1490, 1526)), conn(2, { kind: 'process', pid: 502, tid: 502 })] })
    const lines = read('socketserver', facts7(s))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/2 connections are served by 2 different children.*Node has no os\.fork\(\), so the lab’s child is a new Node process started ahead/)
    expect(en(lines)).toMatch(/found no spare process ready: it waited 1,490 ms/)
  })
  it('UDP threading: the datagrams’ threads, and what runs in them', () => {
    const d = (tid: number): DatagramSeen => ({ at: 0, from: { address: '127.0.0.1', port: 5 }, bytes: 5, servedBy: { kind: 'thread', pid: 10, tid }, waitedMs: 0.1, startup: spare(300) })
    const s = server({ proto: 'udp', spares: 1, threads: 2, threadIo: null, stats: { accepted: 0, bytesIn: 15, bytesOut: 15, datagrams: 3, dropped: 0, oversize: 0 } })
    const lines = read('socketserver', facts7(s, [d(21), d(22), d(21)]))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/received 3 datagrams; the newest were handled by 2 different threads.*recvfrom\(\) and sendto\(\) happen on the server’s one socket, on the main thread/)
    const idle = read('socketserver', facts7(server({ proto: 'udp', threads: 1, threadIo: null })))
    expect(en(idle)).toMatch(/with 1 thread already waiting\. Send a few datagrams to 127\.0\.0\.1:40123/)
    const one = read('socketserver', facts7(server({ proto: 'udp', mode: 'async', threadIo: null })))
    bothLanguages(one)
    expect(en(one)).toMatch(/async mode: like UDPServer, one thread handles every datagram/)
  })
  it('the UDP try-it starts the threading mode it is named after', () => {
    const udp = findLesson('socketserver')!.tryIt.find((x) => x.preset.settings && (x.preset.settings as { proto?: string }).proto === 'udp')!
    expect(udp.label.en).toContain('ThreadingUDPServer')
    expect(udp.preset.settings).toMatchObject({ mode: 'threading' })
  })
})

describe('every measure lessons 7 and 8 keep or show has a name in both languages', () => {
  const d: DatagramSeen = { at: 0, from: { address: '127.0.0.1', port: 5 }, bytes: 5, servedBy: { kind: 'thread', pid: 10, tid: 3 }, waitedMs: 0.1, startup: spare(300) }
  const keys = [
    ...Object.keys(compareSummary({ ...measured, cancelled: { done: 1, total: 2 } } as CompareRunResult)),
    ...Object.keys(serverSummary(server({ connections: [conn(1, { kind: 'thread', pid: 1, tid: 2 }, spare(3))] }), [])),
    ...Object.keys(serverSummary(server({ mode: 'forking' }), [])),
    ...Object.keys(serverSummary(server({ proto: 'udp', threads: 1 }), [], [d])),
  ]
  it.each(['zh', 'en'] as const)('%s', async (lang) => {
    const { lookup, translate } = await import('../../renderer/i18n')
    const { measureLabel } = await import('../../renderer/format/history-format')
    // Where a lesson's reading says these (host, proto, state and samePort are read, never shown).
    for (const key of new Set(keys.filter((k) => !['host', 'proto', 'state', 'samePort', 'threadIo'].includes(k)))) {
      const label = measureLabel(key, (k) => translate(lang, k))
      expect(lookup(lang, key.includes('.') ? `history.modes.${key.split('.')[0]}` : `history.measures.${key}`), key).toBeTruthy()
      if (key.includes('.')) expect(lookup(lang, `history.measures.${key.split('.')[1]}`), key).toBeTruthy()
      if (lang === 'zh') expect(label, key).not.toBe(key)
      if (lang === 'zh') expect(englishWords(label), `${key}: ${label}`).toEqual([])
    }
  })
})

// ---- lesson 1 reads more than one run ------------------------------------------------------------

describe('lesson 1 reads the learner’s last runs together, and a comparison', () => {
  const run = (workers: number, pids: string, startupMs: number) => ({ mode: 'parallel', wallMs: 2034, cpuMs: 6010, tasks: 3, ioTasks: 0, workers, pids: pids.split(', ').length, pidList: pids, startupMs })
  it('three runs: new PIDs every time, the count follows the pool, the start-up per child', () => {
    const recent = [run(2, '4200, 4201', 40), run(3, '4150, 4151, 4152', 66), run(3, '4101, 4102, 4103', 61)]
    const lines = read('program-process', { kind: 'proc.run', summary: recent[0]!, cpus: 4, earlier: recent[1], recent })
    bothLanguages(lines)
    const text = en(lines)
    expect(text).toMatch(/You ran it 3 times since your prediction \(oldest first\) — run 1: a pool of 3 children, 3 PIDs \(4101, 4102, 4103\); run 2: .*\(4150, 4151, 4152\); run 3: a pool of 2 children, 2 PIDs \(4200, 4201\)/)
    expect(text).toMatch(/no PID appears in two runs/)
    expect(text).toMatch(/followed the pool’s size, not the number of tasks/)
    expect(text).toMatch(/started 8 children in 167 ms altogether: about 21 ms each/)
  })
  it('one run alone says nothing about runs; a PID seen twice is not called new', () => {
    const one = read('program-process', { kind: 'proc.run', summary: run(3, '1, 2, 3', 61), cpus: 4, recent: [run(3, '1, 2, 3', 61)] })
    expect(en(one)).not.toMatch(/You ran it/)
    const again = [run(3, '7, 8, 9', 50), run(3, '5, 6, 7', 50)]
    const lines = read('program-process', { kind: 'proc.run', summary: again[0]!, cpus: 4, recent: again })
    expect(en(lines)).toMatch(/You ran it 2 times/)
    expect(en(lines)).not.toMatch(/no PID appears in two runs/)
    expect(en(lines)).not.toMatch(/followed the pool’s size/)
  })
  it('a comparison: the parallel part’s pool children', () => {
    const lines = read('program-process', { kind: 'proc.compare', summary: { serialMs: 1608, parallelMs: 815, tasks: 4, ioTasks: 0, parallelWorkers: 2 }, cpus: 2 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/its parallel part ran 4 tasks in the pool’s 2 children — one program, 2 processes running at once/)
  })
})
