/**
 * Sockets on macOS, from `netstat` (no privileges): `netstat -anv -p tcp|udp` gives each socket's
 * state, Recv-Q and Send-Q and, with -v, the owning PID; `netstat -Lan -p tcp` gives each
 * listener's accept queue as qlen/incqlen/maxqlen. Processes come from `ps -axo pid=,ppid=`.
 * Argument arrays through execFile, no shell. The parsers are pure and tested with hand-written
 * samples of those formats (tests/fixtures/sockets-darwin/, not recorded on a Mac).
 */
import { execFile } from 'node:child_process'
import type { SocketEndpoint, SocketState } from '../../../shared/contract/os'
import { descendantsOf, type SocketRead, type SocketReader, type SocketRow } from './socket-table-common'

const DARWIN_STATES: Record<string, SocketState> = {
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RCVD: 'SYN_RECV',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSED: 'CLOSE',
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
}

/** BSD netstat writes `address.port`: `127.0.0.1.8081`, `*.8081`, `::1.8081`, `fe80::1%lo0.8081`, `*.*`. */
export function parseBsdEndpoint(text: string): SocketEndpoint | null {
  const dot = text.lastIndexOf('.')
  if (dot < 0) return null
  const addr = text.slice(0, dot).replace(/%.*$/, '')
  const port = text.slice(dot + 1)
  if (port !== '*' && !/^\d+$/.test(port)) return null
  return { address: addr, port: port === '*' ? 0 : Number(port) }
}

/**
 * `netstat -anv -p tcp` (or udp). Per line: Proto Recv-Q Send-Q Local Foreign [(state)] rhiwat
 * shiwat pid … — UDP lines have no state column. The PID column is a number, or `name:pid` in
 * newer releases.
 */
export function parseNetstatDarwin(text: string): SocketRow[] {
  const rows: SocketRow[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    const proto = /^(tcp|udp)(4|6|46)$/.exec(f[0] ?? '')
    if (!proto || f.length < 5) continue
    const local = parseBsdEndpoint(f[3]!)
    const remote = parseBsdEndpoint(f[4]!)
    const rq = Number(f[1])
    const sq = Number(f[2])
    if (!local || !remote || !Number.isInteger(rq) || !Number.isInteger(sq)) continue
    const tcp = proto[1] === 'tcp'
    const state: SocketState = tcp ? (DARWIN_STATES[f[5] ?? ''] ?? 'UNKNOWN') : remote.port === 0 ? 'UNCONN' : 'ESTABLISHED'
    const pidText = f[tcp ? 8 : 7] ?? ''
    const pidMatch = /^(?:.*:)?(\d+)$/.exec(pidText)
    const pid = pidMatch ? Number(pidMatch[1]) : null
    const listen = state === 'LISTEN'
    rows.push({
      proto: tcp ? 'tcp' : 'udp',
      family: proto[2] === '4' ? 4 : 6,
      local: { address: local.address === '*' ? (proto[2] === '4' ? '0.0.0.0' : '::') : local.address, port: local.port },
      remote: { address: remote.address === '*' ? (proto[2] === '4' ? '0.0.0.0' : '::') : remote.address, port: remote.port },
      state,
      acceptQueue: null,
      acceptQueueLimit: null,
      acceptQueueLimitSource: null,
      recvQueueBytes: listen ? null : rq,
      sendQueueBytes: listen ? null : sq,
      pid: pid === 0 ? null : pid,
      orphan: pid === 0 || state === 'TIME_WAIT',
      inode: null,
      timerMs: null,
    })
  }
  return rows
}

/** `netstat -Lan -p tcp`: `qlen/incqlen/maxqlen  local` per listener (qlen = completed, waiting for accept()). */
export function parseListenQueuesDarwin(text: string): { local: SocketEndpoint; qlen: number; incqlen: number; maxqlen: number }[] {
  const out: { local: SocketEndpoint; qlen: number; incqlen: number; maxqlen: number }[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*(?:tcp\S*\s+)?(\d+)\/(\d+)\/(\d+)\s+(\S+)/.exec(line)
    if (!m) continue
    const local = parseBsdEndpoint(m[4]!)
    if (local) out.push({ local, qlen: Number(m[1]), incqlen: Number(m[2]), maxqlen: Number(m[3]) })
  }
  return out
}

/** `ps -axo pid=,ppid=` → the root and its descendants; null if the root is not there. */
export function descendantsFromPs(text: string, root: number): number[] | null {
  const parents: { pid: number; ppid: number }[] = []
  for (const line of text.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number)
    if (Number.isInteger(pid) && Number.isInteger(ppid)) parents.push({ pid: pid!, ppid: ppid! })
  }
  return descendantsOf(parents, root)
}

type Run = (cmd: string, args: string[]) => Promise<string>

function execRun(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 5_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)))
  })
}

export class DarwinSocketReader implements SocketReader {
  readonly source = 'netstat' as const
  readonly limits = [
    'macOS netstat gives no socket timers; TIME_WAIT sockets are matched to the lab by their ports.',
    'UDP queue figures are netstat\'s Recv-Q/Send-Q: bytes in the socket buffers.',
  ]

  /** `run` is replaceable so the reader can be tested with recorded outputs. */
  constructor(private readonly run: Run = execRun) {}

  somaxconn(): number | null {
    return null
  }

  async processes(root: number): Promise<number[] | null> {
    return descendantsFromPs(await this.run('ps', ['-axo', 'pid=,ppid=']), root)
  }

  async read(_root: number, _pids: number[] | null): Promise<SocketRead> {
    const [tcp, udp, listen] = await Promise.all([this.run('netstat', ['-anv', '-p', 'tcp']), this.run('netstat', ['-anv', '-p', 'udp']), this.run('netstat', ['-Lan', '-p', 'tcp']).catch(() => '')])
    const rows = [...parseNetstatDarwin(tcp), ...parseNetstatDarwin(udp)]
    const queues = parseListenQueuesDarwin(listen)
    for (const r of rows) {
      if (r.state !== 'LISTEN') continue
      const q = queues.find((x) => x.local.port === r.local.port && (x.local.address === r.local.address || x.local.address === '*'))
      if (!q) continue
      r.acceptQueue = q.qlen
      r.acceptQueueLimit = q.maxqlen
      r.acceptQueueLimitSource = 'netstat'
    }
    // Every socket carries its owner; the table keeps those of the processes asked for.
    return { rows, unreadable: [] }
  }
}
