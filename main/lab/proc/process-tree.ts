/**
 * The process and thread tree of the lab, read from the OS: picks the reader for this
 * platform (Linux /proc, macOS `ps`, Windows PowerShell), labels what the lab created
 * (roles.ts), and times each sample.
 */
import type { OsProcess, OsThread, OsTree, ProcessRole, ThreadRole } from '../../../shared/contract/os'
import { LabError } from '../errors'
import type { TreeReader } from './process-tree-common'
import { DarwinTreeReader } from './process-tree-darwin'
import { LinuxTreeReader } from './process-tree-linux'
import { Win32TreeReader } from './process-tree-win32'
import { processRole, threadRole } from './roles'

export function createTreeReader(platform: NodeJS.Platform = process.platform): TreeReader | null {
  switch (platform) {
    case 'linux':
      return new LinuxTreeReader()
    case 'darwin':
      return new DarwinTreeReader()
    case 'win32':
      return new Win32TreeReader()
    default:
      return null
  }
}

/** Electron's helper processes say what they are in their `--type=` argument. */
const ELECTRON_TYPES: Record<string, ProcessRole> = {
  renderer: 'renderer',
  'gpu-process': 'gpu',
  utility: 'utility',
  zygote: 'zygote',
}

/**
 * The lab's own worker entries, recognised in a command line: this labels them even in a tree
 * read by ANOTHER lab process (e.g. `lab tree --pid <PID of lab web>`), which has no registry entry.
 */
const WORKER_ENTRIES: [RegExp, ProcessRole][] = [
  [/workers[\\/]pool-child\.js\b/, 'pool'],
  [/workers[\\/]counter-child\.js\b/, 'counter'],
  [/workers[\\/]tcp-handler-child\.cjs\b/, 'connection'],
]

/**
 * Thread names some runtimes give (newer Node, Electron); Node 20 names every thread "node".
 * Node 24 (Electron 41's Node) names the main thread "MainThread" (so Linux shows that as the
 * process's name too), V8's platform threads "V8Worker" and "DelayedTaskSche(duler)", a Worker
 * "WorkerThread" or the `name` it was given; the lab's own threads are labelled by tid (roles.ts).
 */
const THREAD_NAMES: [RegExp, ThreadRole][] = [
  [/^libuv-worker/, 'libuv'],
  [/^(V8Worker|V8 DefaultWorke|v8:|DelayedTaskSche)/, 'v8'],
  [/^WorkerThread$/, 'worker'],
  // Before /inspector/: Node's "SignalInspector" thread waits for SIGUSR1 (to start the inspector).
  [/^SignalInspector|^signal/i, 'signal'],
  [/inspector/i, 'inspector'],
]

export function labelProcess(p: OsProcess, enginePid: number): OsProcess {
  const registered = processRole(p.pid)
  if (registered) {
    p.role = registered.role
    if (registered.label !== undefined) p.label = registered.label
  } else if (p.pid === enginePid) {
    p.role = 'main'
  } else {
    const type = /(?:^|\s)--type=([\w-]+)/.exec(p.cmd)?.[1]
    const role = (type ? ELECTRON_TYPES[type] : undefined) ?? WORKER_ENTRIES.find(([pattern]) => pattern.test(p.cmd))?.[1]
    if (role) p.role = role
  }
  for (const t of p.threads) labelThread(t, p.pid)
  return p
}

function labelThread(t: OsThread, pid: number): void {
  const registered = threadRole(t.tid)
  if (registered) {
    t.role = registered.role
    if (registered.label !== undefined) t.label = registered.label
    return
  }
  if (t.tid === pid) {
    t.role = 'main'
    return
  }
  for (const [pattern, role] of THREAD_NAMES) {
    if (pattern.test(t.name)) {
      t.role = role
      return
    }
  }
}

export class ProcessTree {
  readonly enginePid = process.pid

  constructor(private readonly reader: TreeReader | null = createTreeReader()) {}

  get source(): OsTree['source'] {
    return this.reader?.source ?? 'procfs'
  }

  private need(): TreeReader {
    if (!this.reader) throw new LabError('ERR_UNSUPPORTED', `reading processes is not supported on ${process.platform}`, { platform: process.platform })
    return this.reader
  }

  /** The tree under `rootPid` (default: the engine's own process). ERR_NOT_FOUND if that process is gone. */
  async tree(rootPid: number = this.enginePid): Promise<OsTree> {
    const reader = this.need()
    const started = performance.now()
    const processes = await reader.readTree(rootPid)
    if (!processes || processes.length === 0) throw notFound(rootPid)
    for (const p of processes) labelProcess(p, this.enginePid)
    return {
      processes,
      rootPid,
      enginePid: this.enginePid,
      sampledAt: Date.now(),
      platform: process.platform,
      source: reader.source,
      sampleMs: Math.round((performance.now() - started) * 100) / 100,
      limits: reader.limits,
    }
  }

  /** Any process by PID, with its threads. */
  async process(pid: number): Promise<OsProcess> {
    const p = await this.need().readProcess(pid)
    if (!p) throw notFound(pid)
    return labelProcess(p, this.enginePid)
  }
}

function notFound(pid: number): LabError {
  return new LabError('ERR_NOT_FOUND', `no process with PID ${pid}`, { pid })
}
