/**
 * The process tree on macOS, from `ps` (macOS has no /proc, and libproc needs a native module):
 *   ps -axww -o pid=,ppid=,stat=,%cpu=,rss=,time=,lstart=,comm=   every process (to find descendants)
 *   ps -ww -o pid=,args= -p P1,P2,…                                  their command lines
 *   ps -M -p P1,P2,…                                                 their threads
 * Always argument arrays through execFile (no shell); the PIDs are integers we produced.
 * The parsers are pure and tested with recorded outputs (tests/fixtures/ps-darwin/).
 */
import { execFile } from 'node:child_process'
import type { OsProcess, OsThread } from '../../../shared/contract/os'
import { depthFirst, round1, stateFromLetter, type TreeReader } from './process-tree-common'

export interface PsRow {
  pid: number
  ppid: number
  stat: string
  cpuPercent: number
  rssBytes: number
  cpuMs: number
  startedAt?: number
  comm: string
}

/** "0:01.50", "12:03.07", "1:02:03.45" or "1-02:03:04" (days) → ms. */
export function parseCpuTime(text: string): number {
  const [daysPart, rest] = text.includes('-') ? text.split('-') : ['0', text]
  const parts = (rest ?? '').split(':').map(Number)
  let seconds = 0
  for (const p of parts) seconds = seconds * 60 + p
  const ms = (Number(daysPart) * 86_400 + seconds) * 1000
  return Number.isFinite(ms) ? Math.round(ms) : 0
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `lstart` ("Thu Nov 26 18:08:22 2026", local time) → epoch ms. */
export function parseLstart(words: string[]): number | undefined {
  const [, mon, day, time, year] = words
  const month = MONTHS.indexOf(mon ?? '')
  const [h, m, s] = (time ?? '').split(':').map(Number)
  if (month < 0 || ![h, m, s].every(Number.isFinite)) return undefined
  return new Date(Number(year), month, Number(day), h, m, s).getTime()
}

/** Rows of `ps -axww -o pid=,ppid=,stat=,%cpu=,rss=,time=,lstart=,comm=` (comm is last: it may hold spaces). */
export function parsePsList(text: string): PsRow[] {
  const rows: PsRow[] = []
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/)
    if (w.length < 12 || !/^\d+$/.test(w[0]!)) continue
    const row: PsRow = {
      pid: Number(w[0]),
      ppid: Number(w[1]),
      stat: w[2]!,
      cpuPercent: Number(w[3]),
      rssBytes: Number(w[4]) * 1024,
      cpuMs: parseCpuTime(w[5]!),
      comm: w.slice(11).join(' '),
    }
    const startedAt = parseLstart(w.slice(6, 11))
    if (startedAt !== undefined) row.startedAt = startedAt
    rows.push(row)
  }
  return rows
}

/** `ps -ww -o pid=,args= -p …` → command line per PID. */
export function parsePsArgs(text: string): Map<number, string> {
  const out = new Map<number, string>()
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line)
    if (m) out.set(Number(m[1]), m[2]!.trim())
  }
  return out
}

/**
 * `ps -M -p …`: one line per thread; a process's first line carries USER, TT and COMMAND, the
 * lines of its other threads leave them blank. macOS prints no thread ids and no thread names,
 * so threads are numbered 1, 2, … within their process (1 = the main thread).
 */
export function parsePsThreads(text: string): Map<number, OsThread[]> {
  const out = new Map<number, OsThread[]>()
  const lines = text.split('\n')
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue
    const w = line.trim().split(/\s+/)
    // Thread line: PID %CPU STAT PRI STIME UTIME; first line: USER PID TT %CPU STAT PRI STIME UTIME COMMAND…
    const continuation = /^\s/.test(line)
    const [pidText, cpuText, stat] = continuation ? [w[0], w[1], w[2]] : [w[1], w[3], w[4]]
    const pid = Number(pidText)
    if (!Number.isInteger(pid)) continue
    const threads = out.get(pid) ?? []
    out.set(pid, threads)
    threads.push({
      tid: threads.length + 1,
      name: '',
      state: stateFromLetter(stat ?? '?'),
      stateCode: stat ?? '?',
      cpuPercent: round1(Number(cpuText) || 0),
    })
  }
  return out
}

/** Joins the three outputs into processes, parents before children. */
export function darwinProcesses(rows: PsRow[], args: Map<number, string>, threads: Map<number, OsThread[]>): OsProcess[] {
  return rows.map((r) => {
    const own = threads.get(r.pid) ?? []
    const p: OsProcess = {
      pid: r.pid,
      ppid: r.ppid,
      name: r.comm.split('/').pop() ?? r.comm,
      cmd: args.get(r.pid) ?? '',
      state: stateFromLetter(r.stat),
      stateCode: r.stat,
      cpuPercent: round1(r.cpuPercent),
      cpuBasis: 'interval',
      cpuMs: r.cpuMs,
      rssBytes: r.rssBytes,
      threadCount: own.length,
      threads: own,
    }
    if (r.startedAt !== undefined) p.startedAt = r.startedAt
    return p
  })
}

function ps(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { encoding: 'utf8', timeout: 5_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      // ps exits 1 when some -p PID is gone: what it printed is still right.
      if (err && !stdout) reject(err)
      else resolve(stdout)
    })
  })
}

export class DarwinTreeReader implements TreeReader {
  readonly source = 'ps' as const
  readonly limits = [
    'macOS ps gives no thread ids and no thread names: threads are numbered 1, 2, … within each process (1 is the main thread).',
    'CPU % is what ps reports: a decaying average over the last minute or so, not the change since the previous sample.',
    'Each sample runs ps three times, which costs tens of milliseconds.',
  ]

  async readTree(rootPid: number): Promise<OsProcess[] | null> {
    const rows = depthFirst(parsePsList(await ps(['-axww', '-o', 'pid=,ppid=,stat=,%cpu=,rss=,time=,lstart=,comm='])), rootPid)
    return rows.length ? this.complete(rows) : null
  }

  async readProcess(pid: number): Promise<OsProcess | null> {
    const rows = parsePsList(await ps(['-ww', '-o', 'pid=,ppid=,stat=,%cpu=,rss=,time=,lstart=,comm=', '-p', String(pid)])).filter((r) => r.pid === pid)
    return rows.length ? (await this.complete(rows))[0]! : null
  }

  private async complete(rows: PsRow[]): Promise<OsProcess[]> {
    const list = rows.map((r) => r.pid).join(',')
    const [args, threads] = await Promise.all([ps(['-ww', '-o', 'pid=,args=', '-p', list]), ps(['-M', '-p', list])])
    return darwinProcesses(rows, parsePsArgs(args), parsePsThreads(threads))
  }
}
