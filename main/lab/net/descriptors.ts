import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { MAX_ONE_SHOT_CLIENTS, RESERVED_DESCRIPTORS } from '../../../shared/contract'
import { limitError } from '../errors'

/**
 * The lab's file descriptors, as one budget for the whole process. Every socket, pipe and file is
 * one descriptor and the OS allows a fixed number (RLIMIT_NOFILE, `ulimit -n`: often 1,024, 256 on
 * macOS). Clients the learner fires at will must not take the last ones: the lab's own doors (the
 * page's WebSocket, Electron's IPC) and History need some to keep working, so RESERVED_DESCRIPTORS
 * stay free for them, and MAX_ONE_SHOT_CLIENTS one-shot clients run at once. Over either: ERR_LIMIT
 * with the numbers, never a timeout or an internal error from EMFILE.
 */

/** RLIMIT_NOFILE's soft limit: /proc/self/limits on Linux, else `ulimit -n` in a child; null when unknown. */
function readLimitNow(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    if (m) return m[1] === 'unlimited' ? null : Number(m[1])
  } catch {
    // Not Linux: asked below.
  }
  return null
}

let limit: number | null | undefined = undefined
let asking: Promise<void> | null = null

/** Reads the limit once; on systems without /proc, a shell is asked once, asynchronously. */
function descriptorLimit(): number | null {
  if (limit !== undefined) return limit
  limit = readLimitNow()
  if (limit === null && process.platform !== 'win32' && !asking) {
    asking = new Promise((resolve) => {
      // A child inherits the lab's limits, so its `ulimit -n` is ours.
      execFile('/bin/sh', ['-c', 'ulimit -n'], { timeout: 3_000 }, (err, stdout) => {
        const n = Number(String(stdout).trim())
        if (!err && Number.isInteger(n) && n > 0) limit = n
        resolve()
      })
    })
  }
  return limit
}

/** Descriptors open in this process now: /proc/self/fd (Linux) or /dev/fd (macOS); null elsewhere. */
function openDescriptors(): number | null {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      // The listing itself holds one descriptor while it reads.
      return readdirSync(dir).length - 1
    } catch {
      // Try the next.
    }
  }
  return null
}

/** What one client of the learner's may hold: its socket, and the accepted end when it talks to a lab server. */
const PER_CLIENT = 2

let oneShotInFlight = 0
/** Descriptors promised to clients that started but may not have opened them yet (counted twice, on purpose: a safe margin). */
let promised = 0

export interface DescriptorState {
  limit: number | null
  open: number | null
  promised: number
  reserved: number
  oneShotInFlight: number
}

export function descriptorState(): DescriptorState {
  return { limit: descriptorLimit(), open: openDescriptors(), promised, reserved: RESERVED_DESCRIPTORS, oneShotInFlight }
}

/**
 * Takes descriptors for `clients` clients out of the budget, or throws ERR_LIMIT saying how many are
 * free. Returns the release function (call it once, when their sockets are closed).
 */
export function takeDescriptors(clients: number, what: string): () => void {
  const max = descriptorLimit()
  const open = openDescriptors()
  const need = clients * PER_CLIENT
  if (max !== null && open !== null) {
    const free = max - open - promised
    if (free - need < RESERVED_DESCRIPTORS) {
      throw limitError(
        'RESERVED_DESCRIPTORS',
        Math.max(0, free - need),
        `${what} needs ${need} file descriptors but only ${Math.max(0, free)} of the lab's ${max} are free; wait for running clients to finish, or raise the limit (ulimit -n) before starting the lab`,
        { use: 'left', params: { limit: max, open, free: Math.max(0, free), need, reserved: RESERVED_DESCRIPTORS, path: 'descriptors' } },
      )
    }
  }
  promised += need
  let released = false
  return () => {
    if (released) return
    released = true
    promised -= need
  }
}

/** Runs one one-shot client inside both budgets: at most MAX_ONE_SHOT_CLIENTS at once, and the descriptor reserve. */
export async function withOneShotClient<T>(what: string, run: () => Promise<T>): Promise<T> {
  if (oneShotInFlight >= MAX_ONE_SHOT_CLIENTS) {
    throw limitError('MAX_ONE_SHOT_CLIENTS', oneShotInFlight, 'wait for some to finish', { params: { inFlight: oneShotInFlight } })
  }
  const release = takeDescriptors(1, what)
  oneShotInFlight++
  try {
    return await run()
  } finally {
    oneShotInFlight--
    release()
  }
}
