/**
 * The lab's sockets as the kernel sees them: picks the reader for this OS, keeps the sockets of
 * the processes read (and the ones no process holds any more that are theirs by address), fills in
 * the accept-queue limit of LISTEN sockets, and times the read.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { SOCKET_TABLE_MAX, type OsSocket, type OsSocketTable, type SocketState } from '../../../shared/contract/os'
import { LabError } from '../errors'
import { isWildcard, sameAddress, sortSockets, tupleKey, type SocketReader, type SocketRow } from './socket-table-common'
import { DarwinSocketReader, parseNetstatDarwin } from './socket-table-darwin'
import { LinuxSocketReader, parseProcNet } from './socket-table-linux'
import { Win32SocketReader } from './socket-table-win32'
import { SOCKET_TABLE_SEEN_MAX, SOCKET_TABLE_SEEN_MS } from '../../../shared/budgets'

export function createSocketReader(platform: NodeJS.Platform = process.platform): SocketReader | null {
  switch (platform) {
    case 'linux':
      return new LinuxSocketReader()
    case 'darwin':
      return new DarwinSocketReader()
    case 'win32':
      return new Win32SocketReader()
    default:
      return null
  }
}

/** Backlogs the engine's own servers passed to listen(), by port: where the kernel's own figure cannot be read. */
const requestedBacklogs = new Map<number, number>()

/** Called by a lab server once it listens (and with null when it closes). */
export function noteListenBacklog(port: number, backlog: number | null): void {
  if (backlog === null) requestedBacklogs.delete(port)
  else requestedBacklogs.set(port, backlog)
}

/** A connection seen as an open file is remembered this long, so its TIME_WAIT (60 s on Linux) is still the lab's. */
const SEEN_MS = SOCKET_TABLE_SEEN_MS
/** …and at most this many are remembered (shared/budgets.ts). */
const SEEN_MAX = SOCKET_TABLE_SEEN_MAX

interface Seen {
  pid: number
  at: number
  inode: number
  /** With the inode, what tells this record from a later socket that was given the same inode number. */
  localPort: number
  remotePort: number
}

/** `ss -ltnH`: State Recv-Q Send-Q Local:Port Peer:Port; for LISTEN, Send-Q is the accept queue's limit. */
export function parseSsListen(text: string): { address: string; port: number; limit: number }[] {
  const out: { address: string; port: number; limit: number }[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[0] !== 'LISTEN' || f.length < 4) continue
    const m = /^\[?(.*?)\]?(?:%[^:\]]+)?:(\d+)$/.exec(f[3]!)
    const limit = Number(f[2])
    if (!m || !Number.isInteger(limit)) continue
    out.push({ address: m[1] === '*' ? '*' : m[1]!, port: Number(m[2]), limit })
  }
  return out
}

export class SocketTable {
  readonly enginePid = process.pid
  /** Connections seen as open files, by both ends (for their TIME_WAIT later), and the same records by inode. */
  private readonly seen = new Map<string, Seen>()
  private readonly seenByInode = new Map<number, Seen>()
  private lastSweep = 0
  /** Null until `ss` was tried; false where it is missing or fails. */
  private ss: boolean | null = null

  constructor(
    private readonly reader: SocketReader | null = createSocketReader(),
    private readonly opts: { ss?: boolean } = {},
  ) {
    if (opts.ss === false) this.ss = false
  }

  /** The sockets of `rootPid` (default: the engine) and its descendants; `all`: every socket. */
  async read(rootPid: number = this.enginePid, all = false): Promise<OsSocketTable> {
    const reader = this.reader
    if (!reader) throw new LabError('ERR_UNSUPPORTED', `reading sockets is not supported on ${process.platform}`, { platform: process.platform })
    const started = performance.now()
    const pids = await reader.processes(rootPid)
    if (!pids) throw new LabError('ERR_NOT_FOUND', `no process with PID ${rootPid}`, { pid: rootPid })
    const { rows, unreadable, cut } = await reader.read(rootPid, all ? null : pids)
    const now = Date.now()
    const mine = new Set(pids)
    const sockets = all ? rows.map((r) => toSocket(r, 'fd')) : this.select(rows, mine, now)
    const somaxconn = reader.somaxconn()
    await this.fillLimits(sockets, somaxconn)
    sortSockets(sockets)
    const limits = [...reader.limits]
    if (cut?.length) limits.push(`${cut.join(', ')}: longer than the reader's budget; the sockets past it were not read.`)
    if (sockets.length > SOCKET_TABLE_MAX) {
      limits.push(`${sockets.length - SOCKET_TABLE_MAX} more sockets were left out of this table (at most ${SOCKET_TABLE_MAX}).`)
      sockets.length = SOCKET_TABLE_MAX
    }
    return {
      sockets,
      pids,
      rootPid,
      enginePid: this.enginePid,
      sampledAt: now,
      platform: process.platform,
      source: reader.source,
      sampleMs: Math.round((performance.now() - started) * 100) / 100,
      somaxconn,
      unreadable,
      limits,
    }
  }

  /** Owned sockets of the processes, plus those no process holds that are theirs by address. */
  private select(rows: SocketRow[], mine: Set<number>, now: number): OsSocket[] {
    const listening: SocketRow[] = []
    const out: OsSocket[] = []
    for (const r of rows) {
      if (r.pid === null || !mine.has(r.pid)) continue
      if (r.proto === 'tcp') {
        if (r.state === 'LISTEN') listening.push(r)
        else this.remember(r, r.pid, now)
      }
      out.push(toSocket(r, 'fd'))
    }
    const servedBy = (end: OsSocket['local']) => listening.some((l) => l.local.port === end.port && (isWildcard(l.local.address) || sameAddress(l.local.address, end.address)))
    for (const r of rows) {
      if (!r.orphan || r.proto !== 'tcp') continue
      if (servedBy(r.local)) out.push(toSocket(r, r.state === 'ESTABLISHED' || r.state === 'CLOSE_WAIT' ? 'accept-queue' : 'listen-port'))
      else if (servedBy(r.remote)) out.push(toSocket(r, 'peer-port'))
      else if (this.seen.has(tupleKey(r))) out.push(toSocket(r, 'seen'))
    }
    // Forgetting is swept once a second, not per read: a record outlives SEEN_MS by at most that.
    if (now - this.lastSweep >= 1_000) {
      this.lastSweep = now
      for (const [key, v] of this.seen) {
        if (now - v.at <= SEEN_MS) continue
        this.seen.delete(key)
        if (this.seenByInode.get(v.inode) === v) this.seenByInode.delete(v.inode)
      }
    }
    return out
  }

  /** A connection held open now: its record is refreshed in place (found by inode, so no key is built per read). */
  private remember(r: SocketRow, pid: number, now: number): void {
    const known = r.inode ? this.seenByInode.get(r.inode) : undefined
    if (known && known.pid === pid && known.localPort === r.local.port && known.remotePort === r.remote.port) {
      known.at = now
      return
    }
    const key = tupleKey(r)
    const record: Seen = { pid, at: now, inode: r.inode ?? 0, localPort: r.local.port, remotePort: r.remote.port }
    this.seen.delete(key)
    this.seen.set(key, record)
    if (record.inode) this.seenByInode.set(record.inode, record)
    if (this.seen.size > SEEN_MAX) {
      // The first inserted goes (a connection still open is inserted again on the next read).
      const [oldKey, old] = this.seen.entries().next().value!
      this.seen.delete(oldKey)
      if (this.seenByInode.get(old.inode) === old) this.seenByInode.delete(old.inode)
    }
  }

  /**
   * LISTEN sockets: for the engine's own servers the backlog the lab passed to listen(), capped by
   * somaxconn — exactly what Linux's listen() stores (the integration test checks it against ss);
   * for any other listener the kernel's figure from `ss`, which costs a process start per read.
   */
  private async fillLimits(sockets: OsSocket[], somaxconn: number | null): Promise<void> {
    const unknown: OsSocket[] = []
    for (const s of sockets) {
      if (s.state !== 'LISTEN' || s.acceptQueueLimit !== null) continue
      const asked = s.pid === this.enginePid ? requestedBacklogs.get(s.local.port) : undefined
      if (asked === undefined || process.platform !== 'linux') {
        unknown.push(s)
        continue
      }
      s.acceptQueueLimit = somaxconn === null ? asked : Math.min(asked, somaxconn)
      s.acceptQueueLimitSource = 'requested'
    }
    if (unknown.length === 0) return
    const fromSs = await this.ssListen()
    for (const s of unknown) {
      const hit = fromSs?.find((l) => l.port === s.local.port && (l.address === s.local.address || (l.address === '*' && isWildcard(s.local.address))))
      if (!hit) continue
      s.acceptQueueLimit = hit.limit
      s.acceptQueueLimitSource = 'ss'
    }
  }

  private async ssListen(): Promise<ReturnType<typeof parseSsListen> | null> {
    if (process.platform !== 'linux' || this.ss === false) return null
    return new Promise((resolve) => {
      execFile('ss', ['-ltnH'], { timeout: 2_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
        if (err) {
          this.ss = false
          resolve(null)
          return
        }
        this.ss = true
        resolve(parseSsListen(stdout))
      })
    })
  }
}

function toSocket(r: SocketRow, match: OsSocket['match']): OsSocket {
  return {
    proto: r.proto,
    family: r.family,
    local: r.local,
    remote: r.remote,
    state: r.state,
    acceptQueue: r.acceptQueue,
    acceptQueueLimit: r.acceptQueueLimit,
    acceptQueueLimitSource: r.acceptQueueLimitSource,
    recvQueueBytes: r.recvQueueBytes,
    sendQueueBytes: r.sendQueueBytes,
    pid: r.pid,
    match,
    inode: r.inode,
    timerMs: r.timerMs,
  }
}

/** One TCP connection's state and queues as the kernel has them. */
export interface ConnectionQueues {
  state: SocketState
  recvQueueBytes: number | null
  sendQueueBytes: number | null
  timerMs: number | null
}

const littleEndian = os.endianness() === 'LE'

/**
 * One TCP connection of this process's network namespace, found by its two ports (both ends on
 * this machine, as in the lab's own experiments): Linux reads /proc/self/net/tcp{,6} directly
 * (about a millisecond), macOS runs netstat. `null`: no such socket (any more). `undefined`: this
 * OS does not tell (Windows gives no queue sizes).
 */
export async function readTcpConnection(localPort: number, remotePort: number, platform: NodeJS.Platform = process.platform): Promise<ConnectionQueues | null | undefined> {
  return readOne('tcp', (r) => r.local.port === localPort && r.remote.port === remotePort, platform)
}

/**
 * A UDP socket of this process's namespace bound to `localPort` (the lab's receivers bind
 * 127.0.0.1 or ::1, so a port names one socket). Its `recvQueueBytes` is the kernel memory the
 * datagrams waiting in its receive buffer take (Linux counts each one's buffer, not its payload).
 */
export async function readUdpSocket(localPort: number, platform: NodeJS.Platform = process.platform): Promise<ConnectionQueues | null | undefined> {
  return readOne('udp', (r) => r.local.port === localPort, platform)
}

async function readOne(proto: 'tcp' | 'udp', match: (r: SocketRow) => boolean, platform: NodeJS.Platform): Promise<ConnectionQueues | null | undefined> {
  let rows: SocketRow[]
  if (platform === 'linux') {
    rows = []
    for (const [file, family] of [[proto, 4], [`${proto}6`, 6]] as const) {
      let text: string
      try {
        text = readFileSync(`/proc/self/net/${file}`, 'latin1')
      } catch {
        continue
      }
      rows.push(...parseProcNet(text, proto, family, littleEndian))
    }
  } else if (platform === 'darwin') {
    const text = await new Promise<string>((resolve) => execFile('netstat', ['-anv', '-p', proto], { encoding: 'utf8', timeout: 5_000, maxBuffer: 16 * 1024 * 1024 }, (_err, stdout) => resolve(stdout ?? '')))
    rows = parseNetstatDarwin(text)
  } else return undefined
  const hit = rows.find(match)
  return hit ? { state: hit.state, recvQueueBytes: hit.recvQueueBytes, sendQueueBytes: hit.sendQueueBytes, timerMs: hit.timerMs } : null
}
