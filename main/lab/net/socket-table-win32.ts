/**
 * Sockets on Windows, from one PowerShell run: `Get-NetTCPConnection` (state and owning PID of
 * every TCP socket), `Get-NetUDPEndpoint` (every UDP socket), and `Win32_Process` for the parent of
 * each process. Windows tells no queue sizes and no accept-queue figures: those fields are null and
 * `limits` says so. The parser is pure and tested with a hand-written sample
 * (tests/fixtures/sockets-win32/, not recorded on Windows).
 */
import { execFile } from 'node:child_process'
import type { SocketState } from '../../../shared/contract/os'
import { encodeScript } from '../proc/process-tree-win32'
import { descendantsOf, type SocketRead, type SocketReader, type SocketRow } from './socket-table-common'

/** MSFT_NetTCPConnection.State, as ConvertTo-Json writes the enum (a number). */
const WIN_STATES: Record<number, SocketState> = {
  1: 'CLOSE',
  2: 'LISTEN',
  3: 'SYN_SENT',
  4: 'SYN_RECV',
  5: 'ESTABLISHED',
  6: 'FIN_WAIT1',
  7: 'FIN_WAIT2',
  8: 'CLOSE_WAIT',
  9: 'CLOSING',
  10: 'LAST_ACK',
  11: 'TIME_WAIT',
  12: 'CLOSE',
  100: 'UNCONN',
}

export const SOCKETS_SCRIPT = `$ErrorActionPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$tcp = @(Get-NetTCPConnection | ForEach-Object { [pscustomobject]@{ l = [string]$_.LocalAddress; lp = [int]$_.LocalPort; r = [string]$_.RemoteAddress; rp = [int]$_.RemotePort; s = [int]$_.State; p = [int]$_.OwningProcess } })
$udp = @(Get-NetUDPEndpoint | ForEach-Object { [pscustomobject]@{ l = [string]$_.LocalAddress; lp = [int]$_.LocalPort; p = [int]$_.OwningProcess } })
$procs = @(Get-CimInstance Win32_Process | ForEach-Object { [pscustomobject]@{ pid = [int]$_.ProcessId; ppid = [int]$_.ParentProcessId } })
ConvertTo-Json -Compress -Depth 3 @{ tcp = $tcp; udp = $udp; procs = $procs }`

interface WinSockets {
  tcp?: { l: string; lp: number; r: string; rp: number; s: number; p: number }[] | null
  udp?: { l: string; lp: number; p: number }[] | null
  procs?: { pid: number; ppid: number }[] | null
}

const asList = <T>(v: T[] | T | null | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v])
const family = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4)

export function parseWin32Sockets(json: string): { rows: SocketRow[]; parents: { pid: number; ppid: number }[] } {
  const data = JSON.parse(json) as WinSockets
  const base = { acceptQueue: null, acceptQueueLimit: null, acceptQueueLimitSource: null, recvQueueBytes: null, sendQueueBytes: null, inode: null, timerMs: null }
  const rows: SocketRow[] = []
  for (const t of asList(data.tcp)) {
    const state = WIN_STATES[t.s] ?? 'UNKNOWN'
    // TIME_WAIT sockets are shown as owned by PID 0 (System Idle).
    const orphan = t.p === 0 || state === 'TIME_WAIT'
    rows.push({ ...base, proto: 'tcp', family: family(t.l), local: { address: t.l, port: t.lp }, remote: { address: t.r, port: t.rp }, state, pid: orphan ? null : t.p, orphan })
  }
  for (const u of asList(data.udp)) {
    rows.push({ ...base, proto: 'udp', family: family(u.l), local: { address: u.l, port: u.lp }, remote: { address: family(u.l) === 4 ? '0.0.0.0' : '::', port: 0 }, state: 'UNCONN', pid: u.p || null, orphan: u.p === 0 })
  }
  return { rows, parents: asList(data.procs) }
}

export class Win32SocketReader implements SocketReader {
  readonly source = 'powershell' as const
  readonly limits = [
    'Windows does not tell how many bytes wait in a socket\'s receive or send queue, nor a listener\'s accept queue: those columns stay empty.',
    'Each read starts PowerShell, which takes a few hundred milliseconds.',
  ]
  /** processes() and read() are one PowerShell run: the second uses what the first fetched. */
  private last: ReturnType<typeof parseWin32Sockets> | null = null

  somaxconn(): number | null {
    return null
  }

  private async fetch(): Promise<ReturnType<typeof parseWin32Sockets>> {
    const json = await new Promise<string>((resolve, reject) => {
      execFile(
        'powershell.exe',
        ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodeScript(SOCKETS_SCRIPT)],
        { encoding: 'utf8', timeout: 15_000, maxBuffer: 32 * 1024 * 1024, windowsHide: true },
        (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)),
      )
    })
    return parseWin32Sockets(json)
  }

  async processes(root: number): Promise<number[] | null> {
    this.last = await this.fetch()
    return descendantsOf(this.last.parents, root)
  }

  async read(_root: number, _pids: number[] | null): Promise<SocketRead> {
    const data = this.last ?? (await this.fetch())
    this.last = null
    return { rows: data.rows, unreadable: [] }
  }
}
