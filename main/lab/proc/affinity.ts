/**
 * Pinning a process (all its threads) to one CPU, with the OS's own tools and no native
 * module: Linux `taskset -a -p -c CPU PID` (util-linux), else Python's os.sched_setaffinity
 * on every thread in /proc/PID/task; Windows sets ProcessorAffinity through PowerShell;
 * macOS has no such call. Every command is a fixed program with an argument array (no
 * shell); the only variable parts are integers. On Linux the result is checked against
 * /proc/PID/task/*\/status, so `ok: true` means the OS confirmed it.
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type { PinStatus } from '../../../shared/contract/proc'
import { AFFINITY_TOOL_TIMEOUT_MS } from '../../../shared/budgets'

/** How long taskset may take (shared/budgets.ts). */
const TOOL_TIMEOUT_MS = AFFINITY_TOOL_TIMEOUT_MS

/** Parses a Linux CPU list such as "0-3,6" into [0,1,2,3,6]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = []
  for (const part of text.trim().split(',')) {
    if (!part) continue
    const [a, b] = part.split('-').map(Number)
    if (!Number.isInteger(a)) continue
    for (let c = a!; c <= (Number.isInteger(b) ? b! : a!); c++) out.push(c)
  }
  return out
}

/** The CPUs a process (or thread: /proc/PID/task/TID) may run on, from the OS; null where unknown. */
export function allowedCpus(pid: number | 'self' = 'self', tid?: number): number[] | null {
  if (process.platform !== 'linux') return null
  try {
    const file = tid === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${tid}/status`
    const m = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(file, 'utf8'))
    return m ? parseCpuList(m[1]!) : null
  } catch {
    return null
  }
}

/** The CPU to pin a concurrent run to: the first one this lab may use. */
export function firstAllowedCpu(): number {
  return allowedCpus()?.[0] ?? 0
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: TOOL_TIMEOUT_MS, shell: false, windowsHide: true }, (err, _stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderrText: String(stderr).trim() }))
      else resolve()
    })
  })
}

/** True when every thread of `pid` may run only on `cpu`, as /proc says. */
function confirmedOn(pid: number, cpu: number): boolean {
  let tids: number[]
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number)
  } catch {
    return false
  }
  return tids.length > 0 && tids.every((tid) => {
    const cpus = allowedCpus(pid, tid)
    // A thread that exited between the listing and the read is fine.
    return cpus === null || (cpus.length === 1 && cpus[0] === cpu)
  })
}

const PY_PIN = [
  'import os, sys',
  'pid, cpu = int(sys.argv[1]), int(sys.argv[2])',
  'for t in os.listdir("/proc/%d/task" % pid):',
  '    try: os.sched_setaffinity(int(t), {cpu})',
  '    except ProcessLookupError: pass',
].join('\n')

let linuxTool: 'taskset' | 'python' | null | undefined

async function pinLinux(pid: number, cpu: number, only?: 'taskset' | 'python'): Promise<PinStatus> {
  const reasons: string[] = []
  const tools: ('taskset' | 'python')[] = only ? [only] : linuxTool ? [linuxTool] : ['taskset', 'python']
  for (const tool of tools) {
    try {
      if (tool === 'taskset') await run('taskset', ['-a', '-p', '-c', String(cpu), String(pid)])
      else await run('python3', ['-c', PY_PIN, String(pid), String(cpu)])
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderrText?: string }
      reasons.push(e.code === 'ENOENT' ? `${tool === 'taskset' ? 'taskset' : 'python3'} is not installed` : `${tool} failed: ${e.stderrText || e.message}`)
      continue
    }
    if (confirmedOn(pid, cpu)) {
      if (!only) linuxTool = tool
      return { ok: true, cpu, method: tool }
    }
    reasons.push(`${tool} ran but /proc/${pid}/task does not show every thread on CPU ${cpu}`)
  }
  return { ok: false, reason: reasons.join('; ') || 'no way to pin' }
}

async function pinWindows(pid: number, cpu: number): Promise<PinStatus> {
  if (cpu > 62) return { ok: false, reason: `CPU ${cpu} is beyond what ProcessorAffinity can name` }
  try {
    await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid}).ProcessorAffinity = ${2 ** cpu}`])
    return { ok: true, cpu, method: 'powershell' }
  } catch (err) {
    return { ok: false, reason: `PowerShell could not set the affinity: ${(err as Error).message}` }
  }
}

/**
 * Pins every thread of `pid` to `cpu`, and says honestly whether it worked. On Linux `only`
 * forces one tool (tests use it to check the Python fallback); otherwise taskset, then Python.
 */
export async function pinToCpu(pid: number, cpu: number, only?: 'taskset' | 'python'): Promise<PinStatus> {
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(cpu) || cpu < 0) return { ok: false, reason: 'bad pid or cpu' }
  switch (process.platform) {
    case 'linux':
      return pinLinux(pid, cpu, only)
    case 'win32':
      return pinWindows(pid, cpu)
    case 'darwin':
      return { ok: false, reason: 'macOS offers no call to pin a process to one CPU (thread affinity there is only a hint)' }
    default:
      return { ok: false, reason: `pinning is not implemented for ${process.platform}` }
  }
}
