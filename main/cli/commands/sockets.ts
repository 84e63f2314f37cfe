import { methodSpecs, type OsSocket, type OsSocketTable } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, rangeOf } from '../io'

/** --watch reads again as often as the process tree's watch may sample (the same range). */
const WATCH = methodSpecs['os.watch.start'].input.shape

const endpoint = (e: OsSocket['local']) => (e.port === 0 ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:*` : e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`)
const dash = (n: number | null) => (n === null ? '-' : String(n))

/** Where ss puts Recv-Q/Send-Q: the accept queue and its limit for a listener, unread/unacknowledged bytes otherwise. */
function queues(s: OsSocket): [string, string] {
  return s.state === 'LISTEN' ? [dash(s.acceptQueue), dash(s.acceptQueueLimit)] : [dash(s.recvQueueBytes), dash(s.sendQueueBytes)]
}

const OWNER: Record<OsSocket['match'], string> = {
  fd: '',
  'accept-queue': 'not accepted yet',
  'listen-port': 'no process (closed)',
  'peer-port': 'no process (closed)',
  seen: 'no process (closed)',
}

/** The table as ss -tan prints it, plus the owning PID and, for TIME_WAIT, the time left. */
export function socketsText(t: OsSocketTable): string[] {
  const rows = t.sockets.map((s) => {
    const [rq, sq] = queues(s)
    const owner = s.pid !== null ? `pid ${s.pid}` : OWNER[s.match]
    const timer = s.state === 'TIME_WAIT' && s.timerMs !== null ? ` ${(s.timerMs / 1000).toFixed(0)} s left` : ''
    return [s.proto, s.state, rq, sq, endpoint(s.local), endpoint(s.remote), `${owner}${timer}`]
  })
  if (rows.length === 0) return [`no sockets in process ${t.rootPid}${t.pids.length > 1 ? ` or its ${t.pids.length - 1} descendants` : ''}`]
  const head = ['Proto', 'State', 'Recv-Q', 'Send-Q', 'Local', 'Peer', 'Owner']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), ...rows.map(line)]
}

function footer(t: OsSocketTable): string[] {
  const lines = [`read from ${t.source} on ${t.platform} in ${t.sampleMs} ms${t.somaxconn !== null ? ` · somaxconn ${t.somaxconn}` : ''}`]
  for (const s of t.sockets) if (s.state === 'LISTEN' && s.acceptQueueLimitSource) lines.push(`note: the limit of ${endpoint(s.local)} comes from ${s.acceptQueueLimitSource}`)
  for (const u of t.unreadable) lines.push(`note: the sockets of PID ${u.pid} could not be read (${u.reason === 'gone' ? 'it exited while being read' : 'permission denied'})`)
  return [...lines, 'note: for a LISTEN socket Recv-Q is the accept queue now and Send-Q its limit, as in ss', ...t.limits.map((l) => `note: ${l}`)]
}

export const socketsCommand: Command = {
  name: 'sockets',
  summary: 'print the sockets of a process as the kernel sees them',
  help: `lab sockets [--pid PID] [--all] [--watch [--interval MS]] [--json]

Prints the sockets of the lab's own process (this command's engine, which holds none unless
it runs something) or of PID and its descendants, as the kernel sees them: protocol, state
(LISTEN, SYN_RECV, ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT, TIME_WAIT …), the queues ss prints
as Recv-Q and Send-Q — for a LISTEN socket the accept queue now and its limit, for a
connection the bytes waiting in the kernel's receive and send queues — both ends, and the
owning PID. Sockets no process holds any more (TIME_WAIT, connections not accepted yet) are
matched by their ports. Linux reads /proc/net and /proc/<pid>/fd (no privileges); macOS runs
netstat; Windows runs PowerShell (no queue figures there).

  --pid PID       the sockets of this process and its descendants (ERR_NOT_FOUND if there is none)
  --all           every socket of the machine
  --watch         read again every second until Ctrl-C
  --interval MS   with --watch, the interval (${rangeOf(WATCH.intervalMs)}, default ${WATCH.intervalMs.default})
  --json          print {"sockets":[{"proto":…,"state":…,"local":{"address":…,"port":…},"remote":…,
                  "acceptQueue":…,"acceptQueueLimit":…,"recvQueueBytes":…,"sendQueueBytes":…,
                  "pid":…,"match":…,"timerMs":…}],"pids":[…],"rootPid":…,"somaxconn":…,
                  "unreadable":[…],"limits":[…]}; with --watch one such line per read`,
  options: { pid: { type: 'string' }, all: { type: 'boolean' }, watch: { type: 'boolean' }, interval: { type: 'string' }, ...JSON_OPTION },
  async run({ values, io }) {
    const json = values.json === true
    const pid = intOption(values.pid as string | undefined, 'pid', methodSpecs['os.sockets'].input.shape.pid)
    const intervalMs = intOption(values.interval as string | undefined, 'interval', WATCH.intervalMs) ?? WATCH.intervalMs.default
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    const input = { ...(pid === undefined ? {} : { pid }), ...(values.all === true ? { all: true } : {}) }
    const print = (t: OsSocketTable, withFooter: boolean) => {
      if (json) io.out(JSON.stringify(t))
      else for (const line of [...socketsText(t), ...(withFooter ? footer(t) : [])]) io.out(line)
    }
    try {
      if (values.watch !== true) {
        print(await lab.invoke('os.sockets', input), true)
        return 0
      }
      let stopped = false
      let last: OsSocketTable | null = null
      const stop = io.untilStopped().then(() => (stopped = true))
      for (let seq = 1; !stopped; seq++) {
        last = await lab.invoke('os.sockets', input)
        if (!json) io.out(`── read ${seq} at ${new Date(last.sampledAt).toISOString()}`)
        print(last, false)
        await Promise.race([stop, new Promise((r) => setTimeout(r, intervalMs))])
      }
      if (!json && last) for (const line of footer(last)) io.out(line)
      return 0
    } finally {
      await lab.close()
    }
  },
}
