/**
 * Sockets on Linux, with no privileges: `/proc/<pid>/net/{tcp,tcp6,udp,udp6}` list every socket of
 * that process's network namespace (state, queues, timer, inode — see proc(5) and the kernel's
 * `tcp4_seq_show`), and `/proc/<pid>/fd/*` links read `socket:[inode]` for each socket a process
 * holds open. Matching the two says whose socket is whose. Reads are synchronous: each file is
 * generated in microseconds; with 1,000 connections a read is a few thousand lines and readlinks.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import os from 'node:os'
import type { SocketState } from '../../../shared/contract/os'
import { formatIpv6, type SocketRead, type SocketReader, type SocketRow } from './socket-table-common'

/** USER_HZ: the unit of tm->when. 100 on every mainstream Linux architecture; Node cannot ask sysconf. */
const MS_PER_CLOCK_TICK = 10

/** `include/net/tcp_states.h`. NEW_SYN_RECV (12) is a request socket: still a handshake in progress. */
const TCP_STATES: Record<number, SocketState> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'SYN_RECV',
}

/** The hex of a `__be32` printed with %08X as a native integer: on little-endian machines the bytes come reversed. */
function wordBytes(hex: string, littleEndian: boolean, out: Uint8Array, at: number): void {
  const n = parseInt(hex, 16) >>> 0
  if (littleEndian) {
    out[at] = n & 0xff
    out[at + 1] = (n >>> 8) & 0xff
    out[at + 2] = (n >>> 16) & 0xff
    out[at + 3] = n >>> 24
  } else {
    out[at] = n >>> 24
    out[at + 1] = (n >>> 16) & 0xff
    out[at + 2] = (n >>> 8) & 0xff
    out[at + 3] = n & 0xff
  }
}

/** `0100007F:1F91` → 127.0.0.1:8081 (on little-endian); 32 hex digits for IPv6. Null if malformed. */
export function parseProcAddress(text: string, littleEndian: boolean): { address: string; port: number } | null {
  const colon = text.indexOf(':')
  const hex = text.slice(0, colon)
  const port = parseInt(text.slice(colon + 1), 16)
  if (colon < 0 || !/^[0-9A-Fa-f]+$/.test(hex) || !Number.isInteger(port)) return null
  if (hex.length === 8) {
    const b = new Uint8Array(4)
    wordBytes(hex, littleEndian, b, 0)
    return { address: b.join('.'), port }
  }
  if (hex.length === 32) {
    const b = new Uint8Array(16)
    for (let w = 0; w < 4; w++) wordBytes(hex.slice(w * 8, w * 8 + 8), littleEndian, b, w * 4)
    return { address: formatIpv6(b), port }
  }
  return null
}

/**
 * One of /proc/net/{tcp,tcp6,udp,udp6}. Columns (after the slot number): local, remote, state,
 * tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode, … For a LISTEN socket the kernel
 * prints the accept queue's current length as rx_queue (`sk_ack_backlog`); its limit is not here.
 * Rows that do not parse are skipped, never guessed.
 */
export function parseProcNet(text: string, proto: 'tcp' | 'udp', family: 4 | 6, littleEndian: boolean): SocketRow[] {
  const rows: SocketRow[] = []
  const lines = text.split('\n')
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/)
    if (f.length < 10) continue
    const local = parseProcAddress(f[1]!, littleEndian)
    const remote = parseProcAddress(f[2]!, littleEndian)
    const code = parseInt(f[3]!, 16)
    const [tx, rx] = f[4]!.split(':').map((h) => parseInt(h, 16))
    const [tr, when] = f[5]!.split(':').map((h) => parseInt(h, 16))
    const inode = Number(f[9])
    if (!local || !remote || !Number.isInteger(code) || !Number.isInteger(tx) || !Number.isInteger(rx) || !Number.isInteger(inode)) continue
    let state: SocketState
    if (proto === 'udp') state = code === 1 ? 'ESTABLISHED' : code === 7 ? 'UNCONN' : 'UNKNOWN'
    else state = TCP_STATES[code] ?? 'UNKNOWN'
    const listen = state === 'LISTEN'
    // rx_queue is rcv_nxt − copied_seq: once the peer's FIN has arrived (and until the program reads
    // the end of stream) it counts that FIN as one. `ss` prints it so; the bytes waiting are one less.
    const finIn = proto === 'tcp' && (state === 'CLOSE_WAIT' || state === 'LAST_ACK' || state === 'CLOSING')
    rows.push({
      proto,
      family,
      local,
      remote,
      state,
      acceptQueue: listen ? rx! : null,
      acceptQueueLimit: null,
      acceptQueueLimitSource: null,
      recvQueueBytes: listen ? null : finIn ? Math.max(0, rx! - 1) : rx!,
      sendQueueBytes: listen ? null : tx!,
      pid: null,
      orphan: inode === 0,
      inode,
      timerMs: tr && Number.isInteger(when) ? when! * MS_PER_CLOCK_TICK : null,
    })
  }
  return rows
}

/** `socket:[12345]` → 12345; anything else (files, pipes, anon inodes) → null. */
export function socketInode(link: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(link)
  return m ? Number(m[1]) : null
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

const numeric = (name: string) => /^\d+$/.test(name)

const TABLES = [
  ['tcp', 'tcp', 4],
  ['tcp6', 'tcp', 6],
  ['udp', 'udp', 4],
  ['udp6', 'udp', 6],
] as const

export class LinuxSocketReader implements SocketReader {
  readonly source = 'procfs' as const
  readonly limits = [
    'A LISTEN socket\'s accept-queue limit is not in /proc: it comes from `ss` (the kernel, via netlink) where installed, else from the backlog the lab asked for, capped by net.core.somaxconn. Linux lets one connection more than the limit wait.',
    'UDP queue figures are the kernel memory the queued datagrams take (with its own overhead), not their payload bytes.',
    'After the peer closed (CLOSE_WAIT, LAST_ACK, CLOSING) the kernel counts its FIN as one more byte to read; the table shows the bytes, so ss\'s Recv-Q is one higher there.',
    'TIME_WAIT, SYN_RECV and closed-but-not-finished sockets belong to no process: they are matched to the lab by their ports.',
  ]
  private readonly littleEndian = os.endianness() === 'LE'

  constructor(private readonly root = '/proc') {}

  somaxconn(): number | null {
    const n = Number((read(`${this.root}/sys/net/core/somaxconn`) ?? '').trim())
    return Number.isInteger(n) && n > 0 ? n : null
  }

  async processes(rootPid: number): Promise<number[] | null> {
    return this.processesSync(rootPid)
  }

  /** `rootPid` and its descendants: `task/<tid>/children` where the kernel has it, else one scan of every /proc/<pid>/stat. */
  processesSync(rootPid: number): number[] | null {
    // /proc/<tid>/stat exists for every thread too: only a thread-group leader is a process.
    const tgid = /^Tgid:\s+(\d+)/m.exec(read(`${this.root}/${rootPid}/status`) ?? '')
    if (!tgid || Number(tgid[1]) !== rootPid) return null
    const found: number[] = []
    const queue = [rootPid]
    const seen = new Set<number>()
    let childrenFiles = true
    while (queue.length > 0 && childrenFiles) {
      const pid = queue.shift()!
      if (seen.has(pid)) continue
      seen.add(pid)
      found.push(pid)
      let tids: string[]
      try {
        tids = readdirSync(`${this.root}/${pid}/task`).filter(numeric)
      } catch {
        continue // exited meanwhile
      }
      for (const tid of tids) {
        const children = read(`${this.root}/${pid}/task/${tid}/children`)
        if (children === null) {
          if (pid === rootPid && tid === String(rootPid)) childrenFiles = false
          continue
        }
        for (const c of children.split(' ')) if (numeric(c)) queue.push(Number(c))
      }
    }
    if (childrenFiles) return found
    // No CONFIG_PROC_CHILDREN: parents from every process's stat.
    const parents = new Map<number, number[]>()
    for (const name of readdirSync(this.root).filter(numeric)) {
      const stat = read(`${this.root}/${name}/stat`)
      if (!stat) continue
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = parents.get(ppid) ?? []
      list.push(Number(name))
      parents.set(ppid, list)
    }
    const all = [rootPid]
    for (let i = 0; i < all.length; i++) all.push(...(parents.get(all[i]!) ?? []))
    return all
  }

  async read(rootPid: number, pids: number[] | null): Promise<SocketRead> {
    return this.readSync(rootPid, pids)
  }

  readSync(rootPid: number, pids: number[] | null): SocketRead {
    const unreadable: SocketRead['unreadable'] = []
    const owners = new Map<number, number>()
    const everyone = pids ?? readdirSync(this.root).filter(numeric).map(Number)
    for (const pid of everyone) {
      let fds: string[]
      try {
        fds = readdirSync(`${this.root}/${pid}/fd`)
      } catch (err) {
        // A PID asked for by name is reported; in an all-sockets read other users' processes are simply not attributed.
        if (pids) unreadable.push({ pid, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'denied' })
        continue
      }
      for (const fd of fds) {
        let link: string
        try {
          link = readlinkSync(`${this.root}/${pid}/fd/${fd}`)
        } catch {
          continue // closed between listing and reading
        }
        const inode = socketInode(link)
        if (inode !== null) owners.set(inode, pid)
      }
    }
    // The namespace of the root (a process in a container sees its own sockets); /proc/net if the root is gone.
    const base = read(`${this.root}/${rootPid}/net/tcp`) !== null ? `${this.root}/${rootPid}/net` : `${this.root}/net`
    const rows: SocketRow[] = []
    for (const [file, proto, family] of TABLES) {
      const text = read(`${base}/${file}`)
      if (text === null) continue // no IPv6 on this kernel
      for (const row of parseProcNet(text, proto, family, this.littleEndian)) {
        if (!row.orphan) row.pid = owners.get(row.inode!) ?? null
        rows.push(row)
      }
    }
    return { rows, unreadable }
  }
}
