import { readFileSync } from 'node:fs'

/** True while `pid` is a running (not zombie) process: /proc on Linux, signal 0 elsewhere. */
export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
      return state !== 'Z' && state !== 'X'
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls until `check()` is true; resolves with whether it became true within `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (check()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** The CPUs a process may run on, from /proc/PID/status (Linux), or null. */
export function cpusAllowed(pid: number): string | null {
  try {
    return /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim() ?? null
  } catch {
    return null
  }
}

/** Kills what a failed test left behind, so one failure does not leak processes into the next. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
