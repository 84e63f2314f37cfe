import { methodSpecs, type OsProcess, type OsTree, type OsTreeSnapshot } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, rangeOf } from '../io'

const WATCH = methodSpecs['os.watch.start'].input.shape
import { DisposableStore } from '../../../shared/disposable'

function mib(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** The tree as indented text: one line per process, then its command line and its threads. */
export function treeText(t: OsTree, marks: { added?: number[] } = {}): string[] {
  const depth = new Map<number, number>()
  const lines: string[] = []
  for (const p of t.processes) {
    const d = p.pid === t.rootPid ? 0 : (depth.get(p.ppid) ?? 0) + 1
    depth.set(p.pid, d)
    const pad = '  '.repeat(d)
    const role = p.role ? ` [${p.role}${p.label ? `: ${p.label}` : ''}]` : ''
    const isNew = marks.added?.includes(p.pid) ? ' (new)' : ''
    lines.push(
      `${pad}${p.pid} ${p.name}${role}${isNew}  ppid ${p.ppid}  ${p.state}  cpu ${p.cpuPercent.toFixed(1)}%  rss ${mib(p.rssBytes)}  ${p.threadCount} thread${p.threadCount === 1 ? '' : 's'}`,
    )
    if (p.cmd) lines.push(`${pad}  cmd: ${p.cmd.length > 160 ? `${p.cmd.slice(0, 157)}...` : p.cmd}`)
    lines.push(`${pad}  threads: ${p.threads.map(threadText).join(', ')}`)
  }
  return lines
}

function threadText(th: OsProcess['threads'][number]): string {
  const role = th.role ? ` [${th.label ?? th.role}]` : ''
  return `${th.tid}${th.name ? ` ${th.name}` : ''}${role} ${th.stateCode}`
}

function footer(t: OsTree): string[] {
  return [`sampled from ${t.source} on ${t.platform} in ${t.sampleMs} ms`, ...t.limits.map((l) => `note: ${l}`)]
}

export const treeCommand: Command = {
  name: 'tree',
  summary: 'print the process and thread tree read from the OS',
  help: `lab tree [--pid PID] [--watch [--interval MS]] [--json]

Prints the lab's own process (this command's engine) and all its descendants, or the tree
under PID, as the operating system reports them: PID, parent PID, state, CPU %, resident
memory, command line, and every thread (its id, name and state). Linux reads /proc; macOS
runs ps; Windows runs PowerShell. What this OS cannot tell is printed as notes.

  --pid PID       the tree under this process instead (exit 1 with ERR_NOT_FOUND if there is none)
  --watch         sample again every second until Ctrl-C, marking new processes
  --interval MS   with --watch, the sampling interval (${rangeOf(WATCH.intervalMs)}, default ${WATCH.intervalMs.default})
  --json          print {"processes":[{"pid":…,"ppid":…,"name":…,"cmd":…,"state":…,"cpuPercent":…,
                  "rssBytes":…,"role":…,"threads":[{"tid":…,"name":…,"state":…}]}],"rootPid":…,
                  "sampledAt":…,"platform":…,"limits":[…]}; with --watch one such line per
                  sample, with "seq", "added" and "exited" PID lists`,
  options: { pid: { type: 'string' }, watch: { type: 'boolean' }, interval: { type: 'string' }, ...JSON_OPTION },
  async run({ values, io }) {
    const json = values.json === true
    const pid = intOption(values.pid as string | undefined, 'pid', methodSpecs['os.tree'].input.shape.pid)
    const intervalMs = intOption(values.interval as string | undefined, 'interval', WATCH.intervalMs)
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    const owned = new DisposableStore()
    try {
      if (values.watch !== true) {
        const t = await lab.invoke('os.tree', pid === undefined ? {} : { pid })
        if (json) io.out(JSON.stringify(t))
        else for (const line of [...treeText(t), ...footer(t)]) io.out(line)
        return 0
      }
      let last: OsTreeSnapshot | null = null
      owned.add(lab.onEvent((ev) => {
        if (ev.topic !== 'os.tree') return
        const s = ev.payload
        if (json) io.out(JSON.stringify(s))
        else {
          io.out(`── sample ${s.seq}${s.exited.length ? ` · exited: ${s.exited.join(', ')}` : ''}`)
          for (const line of treeText(s, { added: s.seq > 1 ? s.added : [] })) io.out(line)
        }
        last = s
      }))
      await lab.invoke('os.watch.start', { ...(pid === undefined ? {} : { pid }), ...(intervalMs === undefined ? {} : { intervalMs }) })
      await io.untilStopped()
      if (!json && last) for (const line of footer(last)) io.out(line)
      return 0
    } finally {
      await lab.close()
      owned.dispose()
    }
  },
}
