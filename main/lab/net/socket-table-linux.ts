/**
 * Sockets on Linux, with no privileges: `/proc/<pid>/net/{tcp,tcp6,udp,udp6}` list every socket of
 * that process's network namespace (state, queues, timer, inode — see proc(5) and the kernel's
 * `tcp4_seq_show`), and `/proc/<pid>/fd/*` links read `socket:[inode]` for each socket a process
 * holds open (the engine's own: fstat of each descriptor). Matching the two says whose socket is
 * whose. Reads are synchronous. With 1,000 connections the kernel's text of /proc/net/tcp alone is
 * most of a read's cost (tests/bench/socket-bench.ts measures it as the floor): the text goes into
 * one reused buffer and is scanned as bytes, and only the rows of the processes read are built.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs'
import os from 'node:os'
import type { SocketState } from '../../../shared/contract/os'
import { formatIpv6, type SocketRead, type SocketReader, type SocketRow } from './socket-table-common'
import { PROC_NET_MAX_BYTES, SOCKET_TABLE_NAMES_MAX, SOCKET_TABLE_V6_OUTLIVE_MS } from '../../../shared/budgets'

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

/** Hex digit values by byte; -1 for anything else. */
const HEX = new Int8Array(256).fill(-1)
for (let i = 0; i < 10; i++) HEX[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i
  HEX[97 + i] = 10 + i
}

/** The value of `buf[start, end)` as hex (at most 13 digits, exact in a double); -1 if empty or not hex. */
function hexAt(buf: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 13) return -1
  let n = 0
  for (let i = start; i < end; i++) {
    const v = HEX[buf[i]!]!
    if (v < 0) return -1
    n = n * 16 + v
  }
  return n
}

/** The value of `buf[start, end)` as a decimal integer; -1 if empty or not digits. */
function decAt(buf: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1
  let n = 0
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** The four bytes of a `__be32` printed with %08X as a native integer: on little-endian machines they come reversed. */
function wordBytes(n: number, littleEndian: boolean, out: Uint8Array, at: number): void {
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

/**
 * Address strings already made, by the kernel's hex: with 1,000 connections over loopback nearly
 * every row names the same one or two addresses. Bounded: cleared when it holds too many.
 */
const v4Names = new Map<number, string>()
const v6Names = new Map<string, string>()
const NAMES_MAX = SOCKET_TABLE_NAMES_MAX
const v6Bytes = new Uint8Array(16)

function v4Name(word: number, littleEndian: boolean): string {
  const key = littleEndian ? word : -1 - word
  let name = v4Names.get(key)
  if (name === undefined) {
    const b = v6Bytes
    wordBytes(word, littleEndian, b, 0)
    name = `${b[0]}.${b[1]}.${b[2]}.${b[3]}`
    if (v4Names.size >= NAMES_MAX) v4Names.clear()
    v4Names.set(key, name)
  }
  return name
}

/** `buf[start, end)` is `HEX:PORT` (8 or 32 hex digits): the endpoint, or null if malformed. */
function endpointAt(buf: Uint8Array, start: number, end: number, littleEndian: boolean): { address: string; port: number } | null {
  let colon = start
  while (colon < end && buf[colon] !== 58) colon++
  const port = hexAt(buf, colon + 1, end)
  if (colon === end || port < 0 || port > 0xffff) return null
  const digits = colon - start
  if (digits === 8) {
    const word = hexAt(buf, start, colon)
    return word < 0 ? null : { address: v4Name(word, littleEndian), port }
  }
  if (digits !== 32) return null
  const key = (littleEndian ? 'l' : 'b') + Buffer.from(buf.buffer, buf.byteOffset + start, 32).toString('latin1')
  let address = v6Names.get(key)
  if (address === undefined) {
    for (let w = 0; w < 4; w++) {
      const word = hexAt(buf, start + w * 8, start + w * 8 + 8)
      if (word < 0) return null
      wordBytes(word, littleEndian, v6Bytes, w * 4)
    }
    address = formatIpv6(v6Bytes)
    if (v6Names.size >= NAMES_MAX) v6Names.clear()
    v6Names.set(key, address)
  }
  return { address, port }
}

/** `0100007F:1F91` → 127.0.0.1:8081 (on little-endian); 32 hex digits for IPv6. Null if malformed. */
export function parseProcAddress(text: string, littleEndian: boolean): { address: string; port: number } | null {
  const b = Buffer.from(text, 'latin1')
  return endpointAt(b, 0, b.length, littleEndian)
}

/** Which rows of a table to build: by inode (0 = a socket no process holds). Everything else is skipped before its fields are parsed. */
export type KeepRow = (inode: number) => boolean

/** Start and end offsets of a line's first ten fields, reused by every line. */
const fields = new Int32Array(20)

/** Where the line that starts at `i` ends (its newline, or `length`): memchr, not a loop over the line's ~150 bytes. */
function lineEnd(buf: Uint8Array, i: number, length: number): number {
  const e = buf.indexOf(10, i)
  return e < 0 || e > length ? length : e
}

/** Spaces and then one token from `p`: the token's start and end into fields[2k], fields[2k+1]; false if the line ends first. */
function tokenAt(buf: Uint8Array, p: number, end: number, k: number): boolean {
  while (p < end && buf[p] === 32) p++
  if (p >= end) return false
  const start = p
  while (p < end && buf[p] !== 32) p++
  fields[2 * k] = start
  fields[2 * k + 1] = p
  return true
}

/**
 * The kernel's own layout of a row (`tcp4_seq_show`/`get_tcp4_sock`, `tcp6_seq_show`, `udp4_format_sock`, and the
 * TIME_WAIT and request-socket variants): `%4d: ` then fixed-width hex — local and remote `%08X:%04X` (IPv6: four
 * `%08X` and the port), state `%02X`, `%08X:%08X`, `%02X:%08lX`, `%08X` — then uid, timeout and inode of varying
 * width. The fields are placed at those offsets, each separator checked; false if any is not where the layout puts it
 * (a kernel that prints differently): the line is then tokenised byte by byte.
 */
export function kernelFields(buf: Uint8Array, i: number, end: number, addressDigits: number): boolean {
  let p = i
  while (p < end && buf[p] === 32) p++
  const slot = p
  while (p < end && buf[p]! >= 48 && buf[p]! <= 57) p++
  if (p === slot || buf[p] !== 58 || buf[p + 1] !== 32) return false
  fields[0] = slot
  fields[1] = p + 1
  let at = p + 2
  // local, remote, st, tx_queue:rx_queue, tr:tm->when, retrnsmt: widths, and where the ':' inside sits (0: none).
  const endpoint = addressDigits + 5
  for (let k = 1; k <= 6; k++) {
    const width = k <= 2 ? endpoint : k === 3 ? 2 : k === 4 ? 17 : k === 5 ? 11 : 8
    const colon = k <= 2 ? addressDigits : k === 4 ? 8 : k === 5 ? 2 : 0
    const stop = at + width
    if (stop >= end || buf[stop] !== 32 || (colon > 0 && buf[at + colon] !== 58)) return false
    fields[2 * k] = at
    fields[2 * k + 1] = stop
    at = stop + 1
  }
  // uid, timeout, inode
  return tokenAt(buf, at, end, 7) && tokenAt(buf, fields[15]!, end, 8) && tokenAt(buf, fields[17]!, end, 9)
}

/** The first ten whitespace-separated fields of `buf[i, end)`, with no assumption about widths; false if fewer. */
function anyFields(buf: Uint8Array, i: number, end: number): boolean {
  let p = i
  for (let k = 0; k < 10; k++) {
    if (!tokenAt(buf, p, end, k)) return false
    p = fields[2 * k + 1]!
  }
  return true
}

/**
 * One of /proc/net/{tcp,tcp6,udp,udp6}, as the bytes the kernel wrote (ASCII). Columns: slot,
 * local, remote, state, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode, … For a
 * LISTEN socket the kernel prints the accept queue's current length as rx_queue (`sk_ack_backlog`);
 * its limit is not here. Rows that do not parse are skipped, never guessed. A hand-written scan (no
 * string per line, no split, no regex): with 1,000 connections this runs on every read of the table.
 * Per line: the fields found at the kernel's fixed offsets (`kernelFields`), the inode parsed first and a
 * row not kept skipped before anything else of it is read, the rest of the line (~60 bytes of other
 * fields and padding) jumped over to the next newline.
 */
export function parseProcNetBytes(buf: Uint8Array, length: number, proto: 'tcp' | 'udp', family: 4 | 6, littleEndian: boolean, keep?: KeepRow): SocketRow[] {
  const rows: SocketRow[] = []
  const addressDigits = family === 4 ? 8 : 32
  let i = lineEnd(buf, 0, length) + 1 // past the header line
  while (i < length) {
    const end = lineEnd(buf, i, length)
    const found = kernelFields(buf, i, end, addressDigits) || anyFields(buf, i, end)
    i = end + 1
    if (!found) continue
    const inode = decAt(buf, fields[18]!, fields[19]!)
    if (inode < 0 || (keep && !keep(inode))) continue
    const local = endpointAt(buf, fields[2]!, fields[3]!, littleEndian)
    const remote = endpointAt(buf, fields[4]!, fields[5]!, littleEndian)
    const code = hexAt(buf, fields[6]!, fields[7]!)
    const queues = splitAt(buf, fields[8]!, fields[9]!)
    const timer = splitAt(buf, fields[10]!, fields[11]!)
    if (!local || !remote || code < 0 || queues < 0) continue
    const tx = hexAt(buf, fields[8]!, queues)
    const rx = hexAt(buf, queues + 1, fields[9]!)
    if (tx < 0 || rx < 0) continue
    const tr = timer < 0 ? -1 : hexAt(buf, fields[10]!, timer)
    const when = timer < 0 ? -1 : hexAt(buf, timer + 1, fields[11]!)
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
      acceptQueue: listen ? rx : null,
      acceptQueueLimit: null,
      acceptQueueLimitSource: null,
      recvQueueBytes: listen ? null : finIn ? Math.max(0, rx - 1) : rx,
      sendQueueBytes: listen ? null : tx,
      pid: null,
      orphan: inode === 0,
      inode,
      timerMs: tr > 0 && when >= 0 ? when * MS_PER_CLOCK_TICK : null,
    })
  }
  return rows
}

/** The offset of the ':' in `buf[start, end)`, or -1. */
function splitAt(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === 58) return i
  return -1
}

/** The same parser over text (recorded fixtures, tests). */
export function parseProcNet(text: string, proto: 'tcp' | 'udp', family: 4 | 6, littleEndian: boolean): SocketRow[] {
  const b = Buffer.from(text, 'latin1')
  return parseProcNetBytes(b, b.length, proto, family, littleEndian)
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

/**
 * One buffer for every table read, kept between reads: the kernel's text for 1,000 connections is
 * ~300 KB, and decoding it to a string (readFileSync) only to split it again cost more than reading it.
 */
let scratch = Buffer.allocUnsafe(512 * 1024)

/** Reads a whole /proc file into `scratch`: its length, and whether it was cut at PROC_NET_MAX_BYTES; null if it cannot be opened. */
function readRaw(path: string): { length: number; cut: boolean } | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  let length = 0
  try {
    for (;;) {
      if (length === scratch.length) {
        if (scratch.length >= PROC_NET_MAX_BYTES) return { length, cut: true }
        const bigger = Buffer.allocUnsafe(Math.min(PROC_NET_MAX_BYTES, scratch.length * 2))
        scratch.copy(bigger, 0, 0, length)
        scratch = bigger
      }
      // seq_file hands over about a page per call whatever the buffer size; the loop is the kernel's pace.
      const n = readSync(fd, scratch, length, scratch.length - length, null)
      if (n === 0) return { length, cut: false }
      length += n
    }
  } catch {
    return length > 0 ? { length, cut: false } : null
  } finally {
    closeSync(fd)
  }
}

/** `/proc/<pid>/net/sockstat{,6}`: sockets in use per protocol ("TCP6: inuse 3"); null if unreadable. */
export function parseSockstat(text: string | null): Map<string, number> | null {
  if (text === null) return null
  const out = new Map<string, number>()
  for (const m of text.matchAll(/^(\w+): .*?\binuse (\d+)/gm)) out.set(m[1]!, Number(m[2]))
  return out
}

/** How long an IPv6 TCP socket can leave rows behind after the last full one closed: TIME_WAIT is 60 s, a SYN_RECV's retries ~63 s. */
const V6_ROWS_OUTLIVE_MS = SOCKET_TABLE_V6_OUTLIVE_MS

const TABLES = [
  ['tcp', 'tcp', 4, 'TCP'],
  ['tcp6', 'tcp', 6, 'TCP6'],
  ['udp', 'udp', 4, 'UDP'],
  ['udp6', 'udp', 6, 'UDP6'],
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

  /** When the namespace last had an IPv6 TCP socket (see `skipTable`); -Infinity before the first read, which reads everything. */
  private tcp6LastSeen = Number.NEGATIVE_INFINITY
  private firstRead = true
  /**
   * The engine's own socket inodes as the last fd scan found them (only those some table listed),
   * and every non-zero inode the last read's tables listed. Null: scan on the next read. See `readSync`.
   */
  private ownInodes: Set<number> | null = null
  private knownInodes = new Set<number>()
  /** How many reads scanned the engine's fds, and how many trusted the last scan (the bench prints both). */
  readonly ownScans = { scanned: 0, trusted: 0, fstats: 0 }
  /** What each of the engine's fds held at the last scan: its socket's inode, 0 for anything else. See `ownSockets`. */
  private ownFds = new Map<string, number>()

  /**
   * The engine's own descriptors are not scanned again while nothing says they changed: with 1,000
   * connections the listing and an fstat per fd cost about as much as the tcp table's text. The
   * last scan is trusted only if every non-zero inode in the tables was listed by the previous read
   * too: a socket the engine opened since (even on a reused fd number) is a new inode, and a TCP or
   * UDP socket is listed as soon as it listens, connects or is bound.
   * A socket the engine closed leaves the tables (its TIME_WAIT row has inode 0), so a stale inode
   * matches nothing; one it handed to a forked child is the child's, whose links are read on every
   * read and win, as they always did. Otherwise (a new inode) the fds are scanned again after the
   * tables are read and the rows matched anew.
   */
  readSync(rootPid: number, pids: number[] | null): SocketRead {
    const unreadable: SocketRead['unreadable'] = []
    const owners = new Map<number, number>()
    const everyone = pids ?? readdirSync(this.root).filter(numeric).map(Number)
    const self = this.root === '/proc' ? process.pid : -1
    const trust = pids !== null && this.ownInodes !== null && everyone.includes(self)
    let doubt = false
    // While trusted, the last scan's set is asked directly (children's links, in `owners`, win over it, as below).
    let ownTrusted = trust ? this.ownInodes : null
    for (const pid of everyone) {
      if (pid === self && trust) continue
      let fds: string[]
      try {
        fds = readdirSync(pid === self ? '/proc/self/fd' : `${this.root}/${pid}/fd`)
      } catch (err) {
        // A PID asked for by name is reported; in an all-sockets read other users' processes are simply not attributed.
        if (pids) unreadable.push({ pid, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'denied' })
        continue
      }
      if (pid === self) this.ownSockets(fds, owners, null)
      else this.linkedSockets(pid, fds, owners)
    }
    // The namespace of the root (a process in a container sees its own sockets); /proc/net if the root is gone.
    const base = existsDir(`${this.root}/${rootPid}/net`) ? `${this.root}/${rootPid}/net` : `${this.root}/net`
    const inUse = this.inUse(base)
    const listed = new Set<number>()
    const known = this.knownInodes
    // In a read for some processes only, a row is built only if it is theirs or no process's (TIME_WAIT & co, matched by port
    // later) — or, while the last fd scan is trusted, a socket new since the last read, which the scan to come may make the engine's.
    const keep: KeepRow | undefined = pids
      ? (inode) => {
          if (inode === 0) return true
          listed.add(inode)
          if (owners.has(inode) || ownTrusted?.has(inode)) return true
          if (trust && !known.has(inode)) return (doubt = true)
          return false
        }
      : undefined
    let rows: SocketRow[] = []
    const cut: string[] = []
    const now = performance.now()
    for (const [file, proto, family, counter] of TABLES) {
      if (pids && this.skipTable(counter, inUse, now)) continue
      const text = readRaw(`${base}/${file}`)
      if (text === null) continue // no IPv6 on this kernel
      if (text.cut) cut.push(file)
      const parsed = parseProcNetBytes(scratch, text.length, proto, family, this.littleEndian, proto === 'udp' && keep ? (inode) => inode !== 0 && keep(inode) : keep)
      if (counter === 'TCP6' && (parsed.length > 0 || (inUse?.get('TCP6') ?? 1) > 0)) this.tcp6LastSeen = now
      rows.push(...parsed)
    }
    if (trust && doubt) {
      // Something changed: the engine's fds now, and its rows matched again (children's links stay, as in a first read).
      const children = owners
      const fresh = new Map<number, number>()
      try {
        this.ownSockets(readdirSync('/proc/self/fd'), fresh, { listed, children })
      } catch {
        /* our own fd folder: always there */
      }
      for (const [inode, pid] of children) if (pid !== self) fresh.set(inode, pid)
      owners.clear()
      for (const [inode, pid] of fresh) owners.set(inode, pid)
      ownTrusted = null
      rows = rows.filter((r) => r.orphan || owners.has(r.inode!))
    }
    for (const row of rows) if (!row.orphan) row.pid = owners.get(row.inode!) ?? (ownTrusted?.has(row.inode!) ? self : null)
    if (pids !== null && everyone.includes(self)) {
      if (trust && !doubt) this.ownScans.trusted++
      else this.ownScans.scanned++
      let own: Set<number>
      if (ownTrusted && listed.size === known.size) {
        own = ownTrusted // no inode new (no doubt) and none gone: the tables list exactly what they listed last time
      } else {
        own = new Set<number>()
        if (ownTrusted) for (const inode of ownTrusted) if (listed.has(inode)) own.add(inode)
        for (const [inode, pid] of owners) if (pid === self && listed.has(inode)) own.add(inode)
      }
      this.ownInodes = cut.length ? null : own
      this.knownInodes = listed
    }
    this.firstRead = false
    return cut.length ? { rows, unreadable, cut } : { rows, unreadable }
  }

  /**
   * A table that cannot hold a socket of the processes read is not read (it costs the kernel a walk
   * of its whole hash table, ~2 ms with 1,000 connections). sockstat's `inuse` counts every socket
   * in a table except, for TCP, TIME_WAIT and SYN_RECV ones; those outlive their last full socket
   * by at most V6_ROWS_OUTLIVE_MS, so tcp6 is read while one was seen that recently, and always on
   * the first read. UDP has no such leftovers: `inuse 0` means an empty table.
   */
  private skipTable(counter: 'TCP' | 'TCP6' | 'UDP' | 'UDP6', inUse: Map<string, number> | null, now: number): boolean {
    const n = inUse?.get(counter)
    if (n === undefined || n > 0) return false
    if (counter === 'TCP') return false // IPv4 TIME_WAIT is not counted either, and the lab's servers are IPv4 by default
    if (counter === 'TCP6') return !this.firstRead && now - this.tcp6LastSeen > V6_ROWS_OUTLIVE_MS
    return true
  }

  private inUse(base: string): Map<string, number> | null {
    const v4 = parseSockstat(read(`${base}/sockstat`))
    const v6 = parseSockstat(read(`${base}/sockstat6`))
    if (!v4 || !v6) return null
    for (const [k, n] of v6) v4.set(k, n)
    return v4
  }

  /**
   * The engine's own descriptors: fstat(fd) gives a socket's inode in one system call, where
   * readlink of /proc/self/fd/N walks procfs (about 2.5× the cost). An fd closed since the listing
   * fails (EBADF) and is skipped; one reused meanwhile shows what it holds now, as readlink would.
   *
   * `since`: a scan after a trusted one found a new inode. Then only the fds that can hold something
   * new are asked: a number not listed last time, one that held no socket, or one whose socket is no
   * longer in the tables (closed: its row is gone or has inode 0) or is also a child's (handed over,
   * so this fd may be closed and reused). An fd whose socket the tables still list under its inode,
   * held by no child, is still that socket: had the engine closed that fd, the only holder, the
   * socket would have left the tables or lost its inode. With 1,000 connections this is ~20 fstat
   * calls instead of 2,000.
   */
  private ownSockets(fds: string[], owners: Map<number, number>, since: { listed: Set<number>; children: Map<number, number> } | null): void {
    const before = this.ownFds
    const now = new Map<string, number>()
    for (const name of fds) {
      const held = since ? before.get(name) : undefined
      if (held !== undefined && held !== 0 && since!.listed.has(held) && !since!.children.has(held)) {
        now.set(name, held)
        owners.set(held, process.pid)
        continue
      }
      let st
      this.ownScans.fstats++
      try {
        st = fstatSync(Number(name))
      } catch {
        continue
      }
      now.set(name, st.isSocket() ? st.ino : 0)
      if (st.isSocket()) owners.set(st.ino, process.pid)
    }
    this.ownFds = now
  }

  private linkedSockets(pid: number, fds: string[], owners: Map<number, number>): void {
    const dir = `${this.root}/${pid}/fd/`
    for (const fd of fds) {
      let link: string
      try {
        link = readlinkSync(dir + fd)
      } catch {
        continue // closed between listing and reading
      }
      const inode = socketInode(link)
      if (inode !== null) owners.set(inode, pid)
    }
  }
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
