import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Linux only: what a process holds, read from /proc (no sampling tools, no shell). See also procs.ts. */

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(rest[1])
  } catch {
    return null
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
}

/** Live (non-zombie) children of `pid`. */
export function childPids(pid = process.pid): number[] {
  return allPids().filter((p) => parentOf(p) === pid && !isZombie(p))
}

/** Every live descendant of `pid` (children, grandchildren, …). */
export function descendantPids(pid = process.pid): number[] {
  const pids = allPids()
  const parents = new Map(pids.map((p) => [p, parentOf(p)]))
  const out: number[] = []
  const walk = (parent: number) => {
    for (const [p, pp] of parents) {
      if (pp === parent && !out.includes(p)) {
        if (!isZombie(p)) out.push(p)
        walk(p)
      }
    }
  }
  walk(pid)
  return out
}

/** Open file descriptors of `pid`. */
export function fdCount(pid = process.pid): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** Resident set size of `pid`, in bytes. */
export function rssBytes(pid = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)
  return kb ? Number(kb[1]) * 1024 : 0
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>()
  let fds: string[] = []
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return inodes
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {
      // closed meanwhile
    }
  }
  return inodes
}

export interface BoundSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6'
  port: number
}

/** TCP sockets in LISTEN state and bound UDP sockets that `pid` holds open. */
export function listeningSockets(pid = process.pid): BoundSocket[] {
  const inodes = socketInodes(pid)
  const out: BoundSocket[] = []
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let table = ''
    try {
      table = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8')
    } catch {
      continue
    }
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10) continue
      const [, local, , state] = cols
      const inode = cols[9]!
      if (!inodes.has(inode)) continue
      if (proto.startsWith('tcp') && state !== '0A') continue
      out.push({ proto, port: parseInt(local!.split(':')[1]!, 16) })
    }
  }
  return out
}
