/**
 * The process tree on Linux, read from /proc: per process `stat` (state, PPID, CPU ticks,
 * start time), `status` (VmRSS), `cmdline`, and per thread `task/<tid>/stat` (its name —
 * the same `comm` as task/<tid>/comm, read in the same file — state and CPU ticks).
 * Children come from `task/<tid>/children` where the kernel has it (CONFIG_PROC_CHILDREN),
 * else from a scan of every /proc/<pid>/stat.
 * Reads are synchronous: each /proc file is generated in microseconds, and one sample of the
 * lab's tree is a few dozen of them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { OsProcess, OsThread } from '../../../shared/contract/os'
import { CpuTracker, depthFirst, stateFromLetter, type TreeReader } from './process-tree-common'

/** USER_HZ: /proc counts CPU time in these. 100 on every mainstream Linux architecture; Node cannot ask sysconf. */
const CLOCK_TICKS_PER_S = 100
const MS_PER_TICK = 1000 / CLOCK_TICKS_PER_S

export interface ProcStat {
  pid: number
  comm: string
  state: string
  ppid: number
  /** utime + stime, in clock ticks. */
  cpuTicks: number
  numThreads: number
  /** Start time after boot, in clock ticks. */
  startTicks: number
  rssPages: number
}

/** Parses /proc/<pid>/stat (or task/<tid>/stat). `comm` may hold spaces and parentheses: it ends at the LAST ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const f = text.slice(close + 2).trim().split(' ')
  // f[0] is field 3 (state) of proc(5).
  const num = (field: number) => Number(f[field - 3])
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: num(4),
    cpuTicks: num(14) + num(15),
    numThreads: num(20),
    startTicks: num(22),
    rssPages: num(24),
  }
  return Number.isFinite(stat.pid) && Number.isFinite(stat.ppid) ? stat : null
}

/** VmRSS from /proc/<pid>/status, in bytes; null for kernel threads and zombies (no such line). */
export function parseVmRss(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  return m ? Number(m[1]) * 1024 : null
}

/** /proc/<pid>/cmdline: arguments separated (and ended) by NUL. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, '').split('\0').join(' ')
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function list(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

const numeric = (name: string) => /^\d+$/.test(name)

export class LinuxTreeReader implements TreeReader {
  readonly source = 'procfs' as const
  readonly limits = [
    'CPU % on the first sample of a process is its average since it started; after that it is the change since the previous sample (Linux counts CPU time in 10 ms ticks).',
    'Thread names are at most 15 characters. Node 20 names every thread "node": there only each process\'s main thread and the threads the lab started are labelled. Node 24 (Electron\'s) names its own threads (V8Worker, libuv-worker, …) and its main thread "MainThread", which Linux then shows as the process\'s name.',
    'Processes of other users may show no command line or memory where /proc hides them (hidepid).',
  ]
  private readonly cpu = new CpuTracker()
  private readonly bootMs: number
  private childrenFiles: boolean | null = null

  /** `scanAll` forces the whole-/proc scan (as on kernels without task/<tid>/children), for comparison. */
  constructor(
    private readonly root = '/proc',
    opts: { scanAll?: boolean } = {},
  ) {
    if (opts.scanAll) this.childrenFiles = false
    const btime = /^btime (\d+)$/m.exec(read(`${root}/stat`) ?? '')
    this.bootMs = btime ? Number(btime[1]) * 1000 : 0
  }

  async readTree(rootPid: number): Promise<OsProcess[] | null> {
    return this.readTreeSync(rootPid)
  }

  async readProcess(pid: number): Promise<OsProcess | null> {
    const now = Date.now()
    this.cpu.prune(now)
    const stat = this.processStat(pid)
    return stat ? this.describe(stat, this.tids(pid), now) : null
  }

  readTreeSync(rootPid: number): OsProcess[] | null {
    const now = Date.now()
    this.cpu.prune(now)
    const rootStat = this.processStat(rootPid)
    if (!rootStat) return null
    if (this.childrenFiles === null) this.childrenFiles = read(`${this.root}/${rootPid}/task/${rootPid}/children`) !== null
    const pids = list(this.root).filter(numeric)
    // Walking down costs a read per THREAD of the tree, a scan a read per process of the system:
    // walk (the lab's small tree) unless that gets dearer than the scan (say, the tree under PID 1).
    const found = (this.childrenFiles ? this.walk(rootStat, pids.length) : null) ?? this.scan(rootPid, pids)
    const processes = found.map(({ stat, tids }) => this.describe(stat, tids, now))
    return depthFirst(processes, rootPid)
  }

  /** Children of a process = the union of its threads' `children` lists. Null once more than `budget` reads were needed. */
  private walk(rootStat: ProcStat, budget: number): { stat: ProcStat; tids: string[] }[] | null {
    const found: { stat: ProcStat; tids: string[] }[] = []
    const queue = [rootStat]
    const seen = new Set<number>()
    let reads = 0
    while (queue.length > 0) {
      const stat = queue.shift()!
      if (seen.has(stat.pid)) continue
      seen.add(stat.pid)
      const tids = this.tids(stat.pid)
      found.push({ stat, tids })
      for (const tid of tids) {
        if (++reads > budget) return null
        for (const child of (read(`${this.root}/${stat.pid}/task/${tid}/children`) ?? '').split(' ')) {
          if (!numeric(child)) continue
          const childStat = parseProcStat(read(`${this.root}/${child}/stat`) ?? '')
          if (childStat) queue.push(childStat)
        }
      }
    }
    return found
  }

  /** Every process's stat, then the ones under the root. */
  private scan(rootPid: number, pids: string[]): { stat: ProcStat; tids: string[] }[] {
    const all: ProcStat[] = []
    for (const name of pids) {
      const stat = parseProcStat(read(`${this.root}/${name}/stat`) ?? '')
      if (stat) all.push(stat)
    }
    return depthFirst(all, rootPid).map((stat) => ({ stat, tids: this.tids(stat.pid) }))
  }

  /** /proc/<tid>/stat exists for every THREAD too (hidden from the listing): only a thread-group leader is a process. */
  private processStat(pid: number): ProcStat | null {
    const stat = parseProcStat(read(`${this.root}/${pid}/stat`) ?? '')
    if (!stat) return null
    const tgid = /^Tgid:\s+(\d+)/m.exec(read(`${this.root}/${pid}/status`) ?? '')
    return tgid && Number(tgid[1]) !== pid ? null : stat
  }

  private tids(pid: number): string[] {
    return list(`${this.root}/${pid}/task`).filter(numeric)
  }

  private describe(stat: ProcStat, tids: string[], now: number): OsProcess {
    const base = `${this.root}/${stat.pid}`
    const startedAt = this.bootMs ? Math.round(this.bootMs + stat.startTicks * MS_PER_TICK) : undefined
    const cpuMs = stat.cpuTicks * MS_PER_TICK
    const cpu = this.cpu.percent(`p${stat.pid}`, stat.startTicks, cpuMs, now, startedAt)
    const status = read(`${base}/status`)
    const threads: OsThread[] = []
    for (const tid of tids.map(Number).sort((a, b) => a - b)) {
      const t = parseProcStat(read(`${base}/task/${tid}/stat`) ?? '')
      if (!t) continue // exited between listing and reading
      const tStarted = this.bootMs ? this.bootMs + t.startTicks * MS_PER_TICK : undefined
      const tCpu = this.cpu.percent(`t${tid}`, t.startTicks, t.cpuTicks * MS_PER_TICK, now, tStarted)
      threads.push({ tid, name: t.comm, state: stateFromLetter(t.state), stateCode: t.state, cpuPercent: tCpu.percent })
    }
    const process: OsProcess = {
      pid: stat.pid,
      ppid: stat.ppid,
      name: stat.comm,
      cmd: parseCmdline(read(`${base}/cmdline`) ?? ''),
      state: stateFromLetter(stat.state),
      stateCode: stat.state,
      cpuPercent: cpu.percent,
      cpuBasis: cpu.basis,
      cpuMs,
      rssBytes: status === null ? null : parseVmRss(status),
      threadCount: threads.length,
      threads,
    }
    if (startedAt !== undefined) process.startedAt = startedAt
    return process
  }
}
