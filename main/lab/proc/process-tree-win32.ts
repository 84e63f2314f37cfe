/**
 * The process tree on Windows, from one PowerShell run per sample:
 * `Get-CimInstance Win32_Process` for every process (PID, parent, name, command line,
 * working set, CPU times, creation date), the descendants of the root found in the script,
 * and `Get-Process -Id …` for their threads (`.Threads`: id, state, CPU time).
 * The script is a fixed text; the only values put into it are integer PIDs we produced.
 * The parser is pure and tested with a recorded output (tests/fixtures/ps-win32/).
 */
import { execFile } from 'node:child_process'
import type { OsProcess, OsState, OsThread } from '../../../shared/contract/os'
import { CpuTracker, depthFirst, type TreeReader } from './process-tree-common'

/** System.Diagnostics.ThreadState, as ConvertTo-Json writes the enum (a number). */
const THREAD_STATES: { code: string; state: OsState }[] = [
  { code: 'Initialized', state: 'unknown' },
  { code: 'Ready', state: 'running' },
  { code: 'Running', state: 'running' },
  { code: 'Standby', state: 'running' },
  { code: 'Terminated', state: 'dead' },
  { code: 'Wait', state: 'sleeping' },
  { code: 'Transition', state: 'sleeping' },
  { code: 'Unknown', state: 'unknown' },
]

export function psScript(rootPid: number, descendants: boolean): string {
  const root = Math.trunc(rootPid)
  return `$ErrorActionPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$all = @(Get-CimInstance Win32_Process)
$ids = New-Object 'System.Collections.Generic.HashSet[int]'
[void]$ids.Add(${root})
${descendants ? 'do { $n = $ids.Count; foreach ($x in $all) { if ($ids.Contains([int]$x.ParentProcessId) -and $x.ProcessId -ne 0) { [void]$ids.Add([int]$x.ProcessId) } } } while ($ids.Count -ne $n)' : ''}
$procs = @($all | Where-Object { $ids.Contains([int]$_.ProcessId) } | ForEach-Object {
  [pscustomobject]@{ pid = [int]$_.ProcessId; ppid = [int]$_.ParentProcessId; name = [string]$_.Name; cmd = [string]$_.CommandLine;
    ws = [int64]$_.WorkingSetSize; threads = [int]$_.ThreadCount; cpu100ns = [int64]$_.KernelModeTime + [int64]$_.UserModeTime;
    created = $(if ($_.CreationDate) { ([DateTimeOffset]$_.CreationDate).ToUnixTimeMilliseconds() } else { $null }) } })
$threads = @(Get-Process -Id @($procs | ForEach-Object { $_.pid }) | ForEach-Object { $owner = $_.Id; $_.Threads | ForEach-Object {
  [pscustomobject]@{ pid = $owner; tid = [int]$_.Id; state = [int]$_.ThreadState; cpuMs = [double]$_.TotalProcessorTime.TotalMilliseconds } } })
ConvertTo-Json -Compress -Depth 3 @{ processes = $procs; threads = $threads }`
}

/** What powershell.exe -EncodedCommand takes: the script in UTF-16LE, base64. */
export function encodeScript(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64')
}

interface WinProcess {
  pid: number
  ppid: number
  name: string
  cmd: string | null
  ws: number
  threads: number
  cpu100ns: number
  created: number | null
}

interface WinThread {
  pid: number
  tid: number
  state: number
  cpuMs: number
}

/** Parses the script's JSON into processes (CPU % left at 0: the reader computes it from two samples). */
export function parseWin32Json(json: string, rootPid: number): OsProcess[] {
  const data = JSON.parse(json) as { processes?: WinProcess[] | WinProcess | null; threads?: WinThread[] | WinThread | null }
  // ConvertTo-Json writes a one-element array as the element itself.
  const asList = <T>(v: T[] | T | null | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v])
  const threadsOf = new Map<number, OsThread[]>()
  for (const t of asList(data.threads)) {
    const list = threadsOf.get(t.pid) ?? []
    threadsOf.set(t.pid, list)
    const known = THREAD_STATES[t.state] ?? { code: 'Unknown', state: 'unknown' as const }
    list.push({ tid: t.tid, name: '', state: known.state, stateCode: known.code, cpuPercent: null })
  }
  const processes = asList(data.processes).map((w): OsProcess => {
    const threads = (threadsOf.get(w.pid) ?? []).sort((a, b) => a.tid - b.tid)
    const p: OsProcess = {
      pid: w.pid,
      ppid: w.ppid,
      name: w.name,
      cmd: w.cmd ?? '',
      state: 'unknown',
      stateCode: '',
      cpuPercent: 0,
      cpuBasis: 'lifetime',
      cpuMs: Math.round(w.cpu100ns / 10_000),
      rssBytes: w.ws,
      threadCount: Math.max(w.threads, threads.length),
      threads,
    }
    if (w.created != null) p.startedAt = w.created
    return p
  })
  return depthFirst(processes, rootPid)
}

export class Win32TreeReader implements TreeReader {
  readonly source = 'powershell' as const
  readonly limits = [
    'Windows has no process state like Linux\'s R/S/D: processes show "unknown"; threads show their ThreadState (Running, Ready, Wait …).',
    'Windows thread names are not read (PowerShell does not expose them); thread CPU % is not computed.',
    'The memory figure is the working set, the closest Windows has to resident memory.',
    'Each sample starts PowerShell, which takes a few hundred milliseconds.',
  ]
  private readonly cpu = new CpuTracker()

  async readTree(rootPid: number): Promise<OsProcess[] | null> {
    return this.run(rootPid, true)
  }

  async readProcess(pid: number): Promise<OsProcess | null> {
    return (await this.run(pid, false))?.[0] ?? null
  }

  private async run(rootPid: number, descendants: boolean): Promise<OsProcess[] | null> {
    const json = await new Promise<string>((resolve, reject) => {
      execFile(
        'powershell.exe',
        // -EncodedCommand (UTF-16LE, base64) sidesteps every question of quoting a script on a command line.
        ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodeScript(psScript(rootPid, descendants))],
        { encoding: 'utf8', timeout: 15_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
        (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)),
      )
    })
    const processes = parseWin32Json(json, rootPid)
    const now = Date.now()
    this.cpu.prune(now)
    for (const p of processes) {
      const cpu = this.cpu.percent(`p${p.pid}`, p.startedAt ?? 0, p.cpuMs ?? 0, now, p.startedAt)
      p.cpuPercent = cpu.percent
      p.cpuBasis = cpu.basis
    }
    return processes.length ? processes : null
  }
}
