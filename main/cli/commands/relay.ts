import { DEFAULT_HOST, RELAY_DEFAULT_REORDER_PCT, RELAY_DEFAULT_SEED, RELAY_DETAILED_PER_WINDOW, RELAY_LIMITS, RELAY_NETEM_COMMAND, RELAY_SUMMARY_WINDOW_MS, TCP_ONLY_CONDITIONS, UDP_ONLY_CONDITIONS, type RelayConditions, type RelayEvent, type RelayProto } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { clock, parseIntOption, usageError } from '../io'
import { DisposableStore } from '../../../shared/disposable'
import { limitsOf, port as portSchema } from '../../../shared/schema'

const L = RELAY_LIMITS

/** The option of each condition, with its contract field and upper limit (the limits are the contract's). */
const CONDITION_OPTIONS: { option: string; field: keyof RelayConditions; max: number }[] = [
  { option: 'delay', field: 'delayMs', max: L.delayMs },
  { option: 'jitter', field: 'jitterMs', max: L.jitterMs },
  { option: 'rate', field: 'rateBytesPerSec', max: L.rateBytesPerSec },
  { option: 'split', field: 'splitBytes', max: L.splitBytes },
  { option: 'merge', field: 'mergeMs', max: L.mergeMs },
  { option: 'loss', field: 'lossPct', max: 100 },
  { option: 'dup', field: 'dupPct', max: 100 },
  { option: 'reorder', field: 'reorderWindow', max: L.reorderWindow },
  { option: 'reorder-pct', field: 'reorderPct', max: 100 },
  { option: 'truncate', field: 'truncateBytes', max: L.truncateBytes },
]

/** `8080`, `:8080`, `127.0.0.1:8080`, `[::1]:8080` → host and port. */
export function hostPort(text: string, option: string, defaultHost: string | null): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(text.trim())
  const host = m?.[1] ?? (m?.[2] || defaultHost)
  if (!m || !host) throw usageError(`--${option} takes ${defaultHost ? '[HOST:]PORT' : 'HOST:PORT'}, e.g. 127.0.0.1:8081, got ${JSON.stringify(text)}`, { option })
  const port = Number(m[3])
  const { max } = limitsOf(portSchema())
  if (port > max) throw usageError(`--${option}: the port must be at most ${max}, got ${port}`, { option })
  return { host, port }
}

const fmtMs = (ms: number) => (Math.round(ms * 10) / 10).toString()

function describe(e: RelayEvent): string | null {
  const arrow = (dir: 'up' | 'down') => (dir === 'up' ? 'client → server' : 'server → client')
  switch (e.event) {
    case 'listening':
      return `relaying ${e.proto} ${e.listen.address}:${e.listen.port} → ${e.target.address}:${e.target.port} — press Ctrl-C to stop`
    case 'connection':
      return `#${e.conn} ${e.proto} client ${e.remote.address}:${e.remote.port}`
    case 'in': {
      const what = e.action === 'dropped' ? 'DROPPED (loss)' : e.action === 'overflow' ? 'DROPPED (relay full)' : `due in ${e.delayMs} ms`
      const extra = [e.dup ? 'duplicated' : '', e.holdFor ? `held for ${e.holdFor} later (reordered)` : '', e.keptBytes < e.bytes ? `cut to ${e.keptBytes} bytes` : ''].filter(Boolean)
      return `#${e.conn} ${arrow(e.dir)} message ${e.seq}: ${e.bytes} bytes, ${what}${extra.length ? `, ${extra.join(', ')}` : ''}`
    }
    case 'out':
      return `#${e.conn} ${arrow(e.dir)} ${e.proto === 'tcp' ? 'write' : 'sendto'} ${e.index}: ${e.bytes} bytes of message${e.seqs.length > 1 ? 's' : ''} ${e.seqs.join('+')}${e.copy ? ' (copy)' : ''}, after ${e.heldMs} ms in the relay (${e.lateMs} ms after due)`
    case 'summary':
      return `#${e.conn} ${arrow(e.dir)} messages ${e.firstSeq}-${e.lastSeq}: ${e.messages} ${e.proto === 'tcp' ? 'reads' : 'datagrams'}, ${e.bytes} bytes, passed on at once as they came (${fmtMs(e.t - e.fromT)} ms; no condition set: summed, not listed one by one beyond ${RELAY_DETAILED_PER_WINDOW} per ${RELAY_SUMMARY_WINDOW_MS} ms)`
    case 'paused':
      return `#${e.conn} ${arrow(e.dir)} paused the sender: ${e.heldBytes} bytes held (limit ${L.heldBytesPerDirection})`
    case 'resumed':
      return `#${e.conn} ${arrow(e.dir)} resumed the sender`
    case 'close':
      return `#${e.conn} closed (${e.reason})`
    case 'refused':
      return `refused ${e.remote.address}:${e.remote.port}: ${e.reason}`
    case 'portUnreachable':
      return `#${e.conn} the server's UDP port ${e.target.address}:${e.target.port} is not listening: its OS refused the datagram (ICMP port unreachable; ${e.refused} refusal${e.refused === 1 ? '' : 's'} so far). Expected while no server runs there: start it or check --to; the relay keeps running`
    case 'error':
      return `${e.conn ? `#${e.conn} ` : ''}error ${e.error.code}: ${e.error.message}`
    case 'stopped':
      return 'relay stopped'
  }
}

export const relayCommand: Command = {
  name: 'relay',
  summary: 'put a relay with network conditions (delay, loss, split…) between a client and a server',
  help: `lab relay --listen [HOST:]P --to HOST:PORT [--delay MS] [--jitter MS] [--rate BYTES/S]
          [--split N] [--merge MS] [--loss PCT] [--dup PCT] [--reorder N] [--reorder-pct PCT]
          [--truncate N] [--seed N] [--direction up|down|both] [--udp | --both] [--quiet] [--json]

Listens on --listen (default host ${DEFAULT_HOST}; 0 = any free port) and forwards every TCP
connection (or, with --udp, every datagram) to --to, applying the conditions to what the
client sends (--direction up, the default), to what the server answers (down), or both.
Every message is reported: when it was due, what was dropped, split, merged, copied, reordered.
In a direction with no condition set the relay forwards at full speed and lists the first
${RELAY_DETAILED_PER_WINDOW} messages of every ${RELAY_SUMMARY_WINDOW_MS} ms one by one; the rest it counts and reports as one
"summary" line per connection and ${RELAY_SUMMARY_WINDOW_MS} ms (a line per message costs more than the forwarding).

  --delay MS        hold each message MS ms (0-${L.delayMs})
  --jitter MS       plus or minus up to MS ms, seeded (0-${L.jitterMs}); TCP keeps the order
  --rate BYTES/S    a link of this speed (0-${L.rateBytesPerSec}): what waits for it leaves
                    together, so a fast reader still sees messages stuck together
  --split N         TCP: cut every write into chunks of N bytes (1-${L.splitBytes}), sent apart
  --merge MS        TCP: writes within MS ms of the first pending go as one write (1-${L.mergeMs})
  --loss PCT        UDP: drop PCT % of datagrams (0-100)
  --dup PCT         UDP: send PCT % twice
  --reorder N       UDP: hold some datagrams back until up to N later ones went (1-${L.reorderWindow})
  --reorder-pct PCT UDP: how many are held back (default ${RELAY_DEFAULT_REORDER_PCT} when --reorder is set)
  --truncate N      UDP: cut every datagram to N bytes
  --seed N          the randomness (default ${RELAY_DEFAULT_SEED}): the same seed, the same drops and delays
  --udp             relay UDP instead of TCP;  --both  TCP and UDP on the same port
  --all-interfaces  consent to listen on every interface (0.0.0.0, ::)
  --remote-target   consent to forward to a host that is not this machine
  --json            one JSON object per line (the "listening" line first, with the port)
  --quiet           no line per message (each read/datagram and write, nor their sums): connections,
                    pauses, refusals by the server's port and errors are still printed. Printing every message is most
                    of what the relay costs beyond forwarding (tests/bench/relay-bench.ts)

What a relay in user space cannot do: make TCP itself lose or retransmit a segment. The
relay reads and writes through the kernel's TCP, which delivers everything in order.
For real packet loss under TCP a learner with root can use the kernel's netem:
  ${RELAY_NETEM_COMMAND}
Limits: ${L.connections} TCP connections and ${L.udpPeers} UDP clients per relay, ${L.heldBytesPerDirection} bytes held per
direction before the sender is paused (backpressure), ${L.heldDatagrams} datagrams held.`,
  options: {
    listen: { type: 'string' },
    to: { type: 'string' },
    delay: { type: 'string' },
    jitter: { type: 'string' },
    rate: { type: 'string' },
    split: { type: 'string' },
    merge: { type: 'string' },
    loss: { type: 'string' },
    dup: { type: 'string' },
    reorder: { type: 'string' },
    'reorder-pct': { type: 'string' },
    truncate: { type: 'string' },
    seed: { type: 'string' },
    direction: { type: 'string' },
    udp: { type: 'boolean' },
    both: { type: 'boolean' },
    'all-interfaces': { type: 'boolean' },
    'remote-target': { type: 'boolean' },
    quiet: { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 0) throw usageError(`lab relay takes options only, got ${JSON.stringify(positionals[0])}`)
    if (typeof values.to !== 'string') throw usageError('--to HOST:PORT is required: the server the relay forwards to', { option: 'to' })
    const to = hostPort(values.to, 'to', null)
    const listen = hostPort(typeof values.listen === 'string' ? values.listen : '0', 'listen', DEFAULT_HOST)
    if (values.udp && values.both) throw usageError('--udp and --both exclude each other', { option: 'both' })
    const proto: RelayProto = values.both ? 'both' : values.udp ? 'udp' : 'tcp'
    const conditions: Partial<RelayConditions> = {}
    for (const c of CONDITION_OPTIONS) {
      const v = parseIntOption(values[c.option] as string | undefined, c.option, 0, c.max)
      if (v === undefined) continue
      if (proto === 'tcp' && (UDP_ONLY_CONDITIONS as readonly string[]).includes(c.field)) throw usageError(`--${c.option} applies to UDP: add --udp or --both (a user-space relay cannot make TCP lose packets; see --help)`, { option: c.option })
      if (proto === 'udp' && (TCP_ONLY_CONDITIONS as readonly string[]).includes(c.field)) throw usageError(`--${c.option} applies to TCP's byte stream, not to datagrams`, { option: c.option })
      conditions[c.field] = v
    }
    const direction = (values.direction as string | undefined) ?? 'up'
    if (!['up', 'down', 'both'].includes(direction)) throw usageError(`--direction must be up, down or both, got ${JSON.stringify(direction)}`, { option: 'direction' })
    const json = values.json === true
    const quiet = values.quiet === true
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    let pending: string[] = []
    const flush = () => {
      if (pending.length === 0) return
      const lines = pending
      pending = []
      io.out(lines.join('\n'))
    }
    // What this command subscribed to ends with it (after the engine's last events are printed).
    const owned = new DisposableStore()
    owned.add(lab.onEvent((ev) => {
      if (ev.topic !== 'net.relay') return
      if (quiet && (ev.payload.event === 'in' || ev.payload.event === 'out' || ev.payload.event === 'summary')) return
      const line = json ? JSON.stringify(ev.payload) : describe(ev.payload)
      if (line === null) return
      if (pending.length === 0) setImmediate(flush)
      pending.push(json ? line : `[${clock(ev.payload.at)}] ${line}`)
    }))
    try {
      await lab.invoke('net.relay.start', {
        proto,
        listenHost: listen.host,
        listenPort: listen.port,
        allInterfaces: values['all-interfaces'] === true ? true : undefined,
        targetHost: to.host,
        targetPort: to.port,
        remoteTarget: values['remote-target'] === true ? true : undefined,
        seed: parseIntOption(values.seed as string | undefined, 'seed', 0, L.maxSeed),
        up: direction === 'down' ? {} : conditions,
        down: direction === 'up' ? {} : conditions,
      })
      await io.untilStopped()
    } finally {
      await lab.close()
      owned.dispose()
      flush()
    }
    return 0
  },
}
