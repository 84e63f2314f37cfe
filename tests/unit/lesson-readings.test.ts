import { describe, expect, it } from 'vitest'
import { errorMeaning } from '../../renderer/lessons/reading'
import type { RunFacts } from '../../renderer/lessons/types'
import { serverSummary } from '../../renderer/lessons/server-summary'
import type { ConnectionInfo, ServerInfo } from '../../shared/contract/net'
import { englishWords } from '../helpers/english-words'
import { bothLanguages, en, read, zh } from '../helpers/lesson-reading'

// Shapes as the stores record them (proc-run.ts, proc-sim.ts), with figures from real runs on this 2-CPU machine.
const lesson1Run = { mode: 'parallel', wallMs: 2034, cpuMs: 6010, utilisation: 0.98, pinned: true, tasks: 3, ioTasks: 0, workers: 3, pids: 3, startupMs: 61 }
const ioCompare = { serialMs: 1612, concurrentMs: 408, parallelMs: 811, speedupConcurrent: 3.95, speedupParallel: 1.99, pinned: true, concurrentVoluntarySwitches: 9, concurrentInvoluntarySwitches: 1, concurrentRunQueueMs: 0, tasks: 4, ioTasks: 4, parallelWorkers: 2 }
const cpuCompare = { serialMs: 1608, concurrentMs: 1622, parallelMs: 815, speedupConcurrent: 0.99, speedupParallel: 1.97, pinned: true, concurrentVoluntarySwitches: 4, concurrentInvoluntarySwitches: 160, concurrentRunQueueMs: 1190, tasks: 4, ioTasks: 0, parallelWorkers: 2 }
const simEnd = { switchOn: 'end', totalTime: 10, cpuBusy: 5, ioBusy: 5, cpuUtilization: 0.5, ioUtilization: 0.5 }
const simIo = { switchOn: 'io', totalTime: 7, cpuBusy: 5, ioBusy: 5, cpuUtilization: 0.71, ioUtilization: 0.71 }

function server(over: Partial<ServerInfo> = {}): ServerInfo {
  return {
    id: 's1', proto: 'tcp', host: '127.0.0.1', port: 8081, state: 'listening', handler: 'upper', mode: 'serial', frame: 'none', recvSize: null,
    readDelayMs: 0, maxFrameBytes: 1 << 20, idleTimeoutMs: 120_000, maxConnections: 64, startedAt: 0, connections: [], queue: [],
    stats: { accepted: 0, bytesIn: 0, bytesOut: 0, datagrams: 0, dropped: 0 },
    ...over,
  } as ServerInfo
}
const conn = (n: number, state: 'serving' | 'waiting'): ConnectionInfo => ({ conn: n, remote: { address: '127.0.0.1', port: 40000 + n }, openedAt: 0, bytesIn: 0, bytesOut: 0, state, servedBy: { kind: 'queue', pid: 0, tid: null }, messages: 0 })
const portInUse = { code: 'ERR_PORT_IN_USE' as const, message: '127.0.0.1:8081 is already in use', params: { where: '127.0.0.1:8081' } }

describe('lesson 1 reads how many processes ran the tasks', () => {
  it('agrees: three tasks, three PIDs, and says what starting them cost', () => {
    const lines = read('program-process', { kind: 'proc.run', summary: lesson1Run, cpus: 4 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/3 tasks ran in 3 processes: the PID column of the results holds 3 different values/)
    expect(en(lines)).toMatch(/Starting the 3 children took 61 ms/)
    expect(en(lines)).not.toMatch(/could not all run at once/)
  })
  it('disagrees: fewer PIDs than tasks is the pool’s size; a longer wall time is too few CPUs', () => {
    const lines = read('program-process', { kind: 'proc.run', summary: { ...lesson1Run, workers: 2, pids: 2, wallMs: 4050 }, cpus: 2 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/only 2 processes.*the pool had 2 children.*a PID repeats/)
    const crowded = read('program-process', { kind: 'proc.run', summary: { ...lesson1Run, wallMs: 3020 }, cpus: 2 })
    expect(en(crowded)).toMatch(/2 CPUs for 3 processes.*could not all run at once.*3,020 ms/)
    expect(zh(crowded)).toContain('只有 2 个 CPU')
    // A run whose CPU time was not measured (0) says nothing about "one task's" length.
    const unmeasured = read('program-process', { kind: 'proc.run', summary: { ...lesson1Run, wallMs: 3020, cpuMs: 0 }, cpus: 2 })
    expect(en(unmeasured)).not.toMatch(/about 0 ms|could not all run at once/)
  })
  it('says nothing of a run without pool figures (saved by an older version)', () => {
    expect(read('program-process', { kind: 'proc.run', summary: { mode: 'parallel', wallMs: 2000 }, cpus: 2 })).toEqual([])
  })
})

describe('lesson 2 reads the try-its’ outcomes: a server given the port, a second refused', () => {
  it('the first server: the OS gave it the port, now press the second', () => {
    const lines = read('operating-system', { kind: 'net.server', summary: serverSummary(server(), [server()]), cpus: 2 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/The OS gave 127\.0\.0\.1:8081 to your server.*LISTEN/)
  })
  it('the second one’s error is the result: port in use, and what allow_reuse_address changes', () => {
    const lines = read('operating-system', { kind: 'error', summary: { code: 'ERR_PORT_IN_USE' }, cpus: 2, error: portInUse })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/the OS refused the second server/)
    expect(en(lines)).toMatch(/Port in use: another server is bound to 127\.0\.0\.1:8081.*allow_reuse_address \(SO_REUSEADDR\) is about/)
    expect(zh(lines)).toContain('端口被占用')
  })
  it('disagrees: two servers on one port at once means this OS let the second bind (Windows)', () => {
    const a = server()
    const b = server({ id: 's2' })
    const lines = read('operating-system', { kind: 'net.server', summary: serverSummary(b, [a, b]), cpus: 2 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/Two servers listen on 127\.0\.0\.1:8081 at once.*Windows/)
  })
  it('an error with no lesson meaning reads nothing (the card then shows the catalogue’s hint)', () => {
    expect(read('operating-system', { kind: 'error', summary: {}, cpus: 2, error: { code: 'ERR_TIMEOUT', message: 'x' } })).toEqual([])
    expect(errorMeaning({ code: 'ERR_UNSUPPORTED', message: 'python3 was not found' })[0]!.en).toMatch(/no python3.*Install Python 3/)
  })
})

describe('lesson 4 reads simulations and real comparisons', () => {
  it('a simulation against the learner’s other policy: switching on I/O takes fewer ticks', () => {
    const lines = read('multiprogramming', { kind: 'sim.run', summary: simIo, cpus: 2, earlier: simEnd })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/“switch on I\/O”: 7 ticks in all, the CPU busy in 5 \(71 %\) and idle in 2/)
    expect(en(lines)).toMatch(/switching on I\/O took 7 ticks.*at the end 10.*as the lesson says/)
    const end = read('multiprogramming', { kind: 'sim.run', summary: simEnd, cpus: 2 })
    expect(en(end)).toMatch(/idle ticks are the ones where A waited/)
  })
  it('disagrees: both policies as long means no process was ready while another waited', () => {
    const lines = read('multiprogramming', { kind: 'sim.run', summary: { ...simIo, totalTime: 10 }, cpus: 2, earlier: simEnd })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/both policies took as many ticks \(10 and 10\)/)
  })
  it('I/O tasks: parallel slower than concurrent is the pool’s min(CPUs, tasks) children, said on the result', () => {
    const lines = read('multiprogramming', { kind: 'proc.compare', summary: ioCompare, cpus: 2 })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/4 tasks that wait on I\/O: serial 1,612 ms, concurrent on one CPU 408 ms \(25 % of serial\)\. While one task waited/)
    expect(en(lines)).toMatch(/Parallel took 811 ms, slower than concurrent: the pool had only 2 children.*for 4 tasks, so the tasks queued in 2 rounds/)
    expect(en(lines)).toMatch(/gave it up 9 times/)
    const perTask = read('multiprogramming', { kind: 'proc.compare', summary: { ...ioCompare, parallelWorkers: 4, parallelMs: 412 }, cpus: 2 })
    expect(en(perTask)).toMatch(/one child per task and took 412 ms, about the same as concurrent/)
  })
  it('compute tasks: preempted is about serial (agree); faster means not pinned, slower means other programs (disagree)', () => {
    const same = read('multiprogramming', { kind: 'proc.compare', summary: cpuCompare, cpus: 2 })
    bothLanguages(same)
    expect(en(same)).toMatch(/101 % of serial.*about the same.*responsiveness/)
    expect(en(same)).toMatch(/took the CPU away from your tasks 160 times/)
    const unpinned = read('multiprogramming', { kind: 'proc.compare', summary: { ...cpuCompare, concurrentMs: 830, pinned: false }, cpus: 2 })
    expect(en(unpinned)).toMatch(/would not pin the children/)
    const slow = read('multiprogramming', { kind: 'proc.compare', summary: { ...cpuCompare, concurrentMs: 2100 }, cpus: 2 })
    bothLanguages(slow)
    expect(en(slow)).toMatch(/31 % longer than serial.*other programs/)
  })
})

describe('lesson 6 reads the serial server as it is now', () => {
  const facts = (s: ServerInfo): RunFacts => ({ kind: 'net.server', summary: serverSummary(s, [s]), cpus: 2 })
  it('agrees: one served, one waiting — the kernel completed the waiting connect()', () => {
    const lines = read('tcp-loops', facts(server({ connections: [conn(1, 'serving'), conn(2, 'waiting')] })))
    bothLanguages(lines)
    expect(en(lines)).toMatch(/1 connection is being served and 1 waits:.*accept queue/)
  })
  it('before the second client, and for a server that is not serial', () => {
    expect(en(read('tcp-loops', facts(server())))).toMatch(/no client yet/)
    expect(en(read('tcp-loops', facts(server({ connections: [conn(1, 'serving')] }))))).toMatch(/serving 1 connection\. Connect one more/)
    const threaded = read('tcp-loops', facts(server({ mode: 'threading' })))
    bothLanguages(threaded)
    expect(en(threaded)).toMatch(/threading mode: every connection is served at once/)
  })
  it('port in use: names lesson 2’s server as the likely holder', () => {
    const lines = read('tcp-loops', { kind: 'error', summary: {}, cpus: 2, error: portInUse })
    bothLanguages(lines)
    expect(en(lines)).toMatch(/lesson 2’s server still listens on 8081/)
  })
})

describe('every measure a result card or History row shows has a name in both languages', () => {
  // The summaries as the stores record them (net-sticky, proc-run, proc-sim, proc-counter) and a try-it's server.
  const KEYS = [
    ...['sends', 'recvs', 'merged', 'split', 'recovered', 'bytes', 'datagrams', 'kernelBytes', 'firstRecvBytes', 'closedFirstState'],
    ...Object.keys(lesson1Run),
    ...Object.keys(ioCompare),
    ...Object.keys(simIo),
    ...['kind', 'n', 'increments', 'atomic', 'expected', 'final', 'lost'],
    ...['mode', 'port', 'serving', 'waiting'],
    ...['serial.msgsPerSec', 'threading.p99Ms'],
  ]
  it.each(['zh', 'en'] as const)('%s', async (lang) => {
    const { lookup, translate } = await import('../../renderer/i18n')
    const { measureLabel } = await import('../../renderer/format/history-format')
    for (const key of KEYS) {
      const label = measureLabel(key, (k) => translate(lang, k))
      if (key.includes('.')) expect(label, key).not.toBe(key)
      else expect(lookup(lang, `history.measures.${key}`), key).toBeTruthy()
      if (lang === 'zh') expect(englishWords(label), `${key}: ${label}`).toEqual([])
    }
  })
})
