import * as fsp from 'node:fs/promises'
import path from 'node:path'
import {
  LAST_SESSION_FILE,
  LAST_SESSION_FORMAT,
  LAST_SESSION_LIMITS,
  LAST_SESSION_UDP_PAYLOAD_CHARS,
  LAST_SESSION_VERSION,
  methodSpecs,
  type LastSession,
  type netSessionMethods,
  type RememberedClient,
  type RememberedServer,
  type RememberedUdpSender,
  type RestoreItem,
} from '../../../shared/contract'
import { errorData, type LabErrorData } from '../../../shared/errors'
import type { Handlers, LabContext, LabDomain } from '../context'
import { toErrorData } from '../errors'
import { LAST_SESSION_MAX_FILE_BYTES } from '../../../shared/budgets'

/** The handlers whose calls are remembered: they are wrapped, the wrapped ones are what the lab answers with. */
type Watched = 'net.tcpServer.start' | 'net.udpServer.start' | 'net.server.stop' | 'net.tcpClient.open' | 'net.tcpClient.close' | 'net.udp.send'
type SessionMethod = keyof typeof netSessionMethods | Watched

/** No valid file is bigger (shared/budgets.ts). */
const MAX_FILE_BYTES = LAST_SESSION_MAX_FILE_BYTES

interface Snapshot {
  servers: RememberedServer[]
  clients: RememberedClient[]
  udpSenders: RememberedUdpSender[]
  savedAt: number | null
  damaged: LabErrorData | null
}

const nothing = (): Snapshot => ({ servers: [], clients: [], udpSenders: [], savedAt: null, damaged: null })

/** Where a damaged last-session.json is copied before this run writes a new one. */
export const damagedFileOf = (file: string) => file.replace(/\.json$/, '.damaged.json')

const START_OF = { tcp: 'net.tcpServer.start', udp: 'net.udpServer.start' } as const

function damaged(file: string, detail: string, field?: string): LabErrorData {
  return errorData('ERR_INVALID_INPUT', `${path.basename(file)} could not be read (${detail}); the lab started without it`, { path: file, detail }, field)
}

/**
 * Reads the file the last run wrote; every item is checked with the contract's own schema for the
 * call that started it, so a restore never calls a handler with what the contract would refuse.
 * A damaged file is reported (and restores nothing), never fatal.
 */
export function readLastSession(file: string, bytes: Buffer): Snapshot {
  const none: Snapshot = nothing()
  if (bytes.length > MAX_FILE_BYTES) return { ...none, damaged: damaged(file, `over ${MAX_FILE_BYTES} bytes`) }
  let v: unknown
  try {
    v = JSON.parse(bytes.toString('utf8'))
  } catch {
    return { ...none, damaged: damaged(file, 'not JSON') }
  }
  const top = v as { format?: unknown; version?: unknown; savedAt?: unknown; servers?: unknown; clients?: unknown; udpSenders?: unknown }
  if (typeof v !== 'object' || v === null || top.format !== LAST_SESSION_FORMAT || top.version !== LAST_SESSION_VERSION) {
    return { ...none, damaged: damaged(file, 'not a last-session file of this version') }
  }
  if (!Array.isArray(top.servers) || top.servers.length > LAST_SESSION_LIMITS.servers) return { ...none, damaged: damaged(file, 'servers', 'servers') }
  if (!Array.isArray(top.clients) || top.clients.length > LAST_SESSION_LIMITS.clients) return { ...none, damaged: damaged(file, 'clients', 'clients') }
  const servers: RememberedServer[] = []
  for (const [i, s] of (top.servers as unknown[]).entries()) {
    const item = s as { proto?: unknown; input?: unknown }
    const proto = item?.proto === 'tcp' || item?.proto === 'udp' ? item.proto : null
    const parsed = proto ? methodSpecs[START_OF[proto]].input.parse(item.input) : null
    if (!proto || !parsed?.ok) return { ...none, damaged: damaged(file, `servers[${i}] ${parsed && !parsed.ok ? `${parsed.issue.path} ${parsed.issue.message}` : 'proto'}`, `servers[${i}]`) }
    servers.push({ proto, input: parsed.value as Record<string, unknown> })
  }
  const clients: RememberedClient[] = []
  for (const [i, c] of (top.clients as unknown[]).entries()) {
    const parsed = methodSpecs['net.tcpClient.open'].input.parse((c as { input?: unknown })?.input)
    if (!parsed.ok) return { ...none, damaged: damaged(file, `clients[${i}] ${parsed.issue.path} ${parsed.issue.message}`, `clients[${i}]`) }
    clients.push({ input: parsed.value as Record<string, unknown> })
  }
  // A file the lab wrote before it remembered UDP set-ups has none: nothing to offer, not damaged.
  const udpList = top.udpSenders ?? []
  if (!Array.isArray(udpList) || udpList.length > LAST_SESSION_LIMITS.udpSenders) return { ...none, damaged: damaged(file, 'udpSenders', 'udpSenders') }
  const udpSenders: RememberedUdpSender[] = []
  for (const [i, u] of (udpList as unknown[]).entries()) {
    const parsed = methodSpecs['net.udp.send'].input.parse((u as { input?: unknown })?.input)
    if (!parsed.ok) return { ...none, damaged: damaged(file, `udpSenders[${i}] ${parsed.issue.path} ${parsed.issue.message}`, `udpSenders[${i}]`) }
    udpSenders.push({ input: parsed.value as Record<string, unknown> })
  }
  const savedAt = typeof top.savedAt === 'number' && Number.isFinite(top.savedAt) ? top.savedAt : null
  return { servers, clients, udpSenders, savedAt, damaged: null }
}

/**
 * Remembers the servers and persistent TCP clients the learner starts (until the learner stops
 * them: the lab shutting down forgets nothing), and the UDP sender's last set-up per target (after
 * a send went out; the newest LAST_SESSION_LIMITS.udpSenders targets), in `<dataDir>/last-session.json`, rewritten whole
 * (temp file, rename) after each change. What the previous run left is read once at start-up and
 * offered until restored or dismissed. Wraps `inner`'s start/stop handlers to see the calls.
 */
export function createLastSessionLab(ctx: LabContext, inner: Pick<Handlers, Watched>): LabDomain<SessionMethod> {
  const file = ctx.dataDir ? path.join(ctx.dataDir, LAST_SESSION_FILE) : null
  /** id → set-up, oldest first (the oldest is forgotten when a limit is passed). */
  const servers = new Map<string, RememberedServer>()
  const clients = new Map<string, RememberedClient>()
  /** host:port → the UDP sender's last set-up for that target. */
  const udpSenders = new Map<string, RememberedUdpSender>()
  let previous: Snapshot = nothing()
  // Read before anything this run writes over it.
  const loaded: Promise<void> = file
    ? fsp.readFile(file).then(
        async (bytes) => {
          previous = readLastSession(file, bytes)
          // This run writes over it: a damaged one is kept aside first, byte for byte, for whoever wants to look.
          if (previous.damaged) await fsp.copyFile(file, damagedFileOf(file)).catch(() => {})
        },
        () => {}, // none yet (first run) or unreadable: nothing to offer
      )
    : Promise.resolve()
  let queue: Promise<void> = loaded

  const save = () => {
    if (!file) return
    const snapshot = {
      format: LAST_SESSION_FORMAT,
      version: LAST_SESSION_VERSION,
      savedAt: Date.now(),
      servers: [...servers.values()],
      clients: [...clients.values()],
      udpSenders: [...udpSenders.values()],
    }
    queue = queue.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`
      try {
        await fsp.mkdir(ctx.dataDir!, { recursive: true })
        await fsp.writeFile(tmp, JSON.stringify(snapshot) + '\n', { mode: 0o600 })
        await fsp.rename(tmp, file)
      } catch {
        // Remembering is a convenience: a full disk must not fail the server the learner started.
      }
    })
  }
  const remember = <T>(map: Map<string, T>, id: string, item: T, limit: number) => {
    map.delete(id)
    map.set(id, item)
    while (map.size > limit) map.delete(map.keys().next().value!)
    save()
  }
  const forget = (map: Map<string, unknown>, id: string) => {
    if (map.delete(id)) save()
  }

  const handlers: Handlers<Watched> = {
    'net.tcpServer.start': async (input) => {
      const info = await inner['net.tcpServer.start'](input)
      // The port it got, so clients remembered with it find it again (port 0 would pick another).
      remember(servers, info.id, { proto: 'tcp', input: { ...input, port: info.port } }, LAST_SESSION_LIMITS.servers)
      return info
    },
    'net.udpServer.start': async (input) => {
      const info = await inner['net.udpServer.start'](input)
      remember(servers, info.id, { proto: 'udp', input: { ...input, port: info.port } }, LAST_SESSION_LIMITS.servers)
      return info
    },
    'net.server.stop': async (input) => {
      const out = await inner['net.server.stop'](input)
      forget(servers, input.id)
      return out
    },
    'net.tcpClient.open': async (input) => {
      const info = await inner['net.tcpClient.open'](input)
      remember(clients, info.id, { input: { ...input } }, LAST_SESSION_LIMITS.clients)
      return info
    },
    'net.tcpClient.close': async (input) => {
      const out = await inner['net.tcpClient.close'](input)
      forget(clients, input.id)
      return out
    },
    'net.udp.send': async (input) => {
      const out = await inner['net.udp.send'](input)
      // The set-up, not the run: the counter is where a macro run left it, not part of the set-up.
      const { counter: _counter, ...setUp } = input
      if (input.payload.length <= LAST_SESSION_UDP_PAYLOAD_CHARS) remember(udpSenders, `${input.host}:${input.port}`, { input: setUp }, LAST_SESSION_LIMITS.udpSenders)
      return out
    },
  }

  /** Calls one handler; its failure is that item's, not the restore's. */
  const attempt = async <T>(input: Record<string, unknown>, run: () => Promise<T> | T): Promise<RestoreItem<T>> => {
    try {
      return { ok: true, value: await run(), input }
    } catch (err) {
      return { ok: false, error: toErrorData(err), input }
    }
  }

  return {
    handlers: {
      ...handlers,
      'net.session.last': async (): Promise<LastSession> => {
        await loaded
        return { ...previous, file }
      },
      'net.session.restore': async () => {
        await loaded
        const offer = previous
        previous = nothing()
        const restoredServers = []
        // One after another: servers first, since clients may connect to them.
        for (const s of offer.servers) {
          const item = await attempt(s.input, () => (s.proto === 'tcp' ? handlers['net.tcpServer.start'](s.input as never) : handlers['net.udpServer.start'](s.input as never)))
          restoredServers.push({ ...item, proto: s.proto })
        }
        const restoredClients = []
        for (const c of offer.clients) restoredClients.push(await attempt(c.input, () => handlers['net.tcpClient.open'](c.input as never)))
        // Handed back to the sender's form, checked at load; sending them is the learner's choice.
        const restoredUdp = offer.udpSenders.map((u) => ({ ok: true as const, value: u.input, input: u.input }))
        // Back in the sender's form, so this run remembers them as its own (as a restored server is).
        for (const u of offer.udpSenders) remember(udpSenders, `${String(u.input.host)}:${String(u.input.port)}`, u, LAST_SESSION_LIMITS.udpSenders)
        return { servers: restoredServers, clients: restoredClients, udpSenders: restoredUdp }
      },
      'net.session.dismiss': async () => {
        await loaded
        const dismissed = previous.servers.length + previous.clients.length + previous.udpSenders.length
        previous = nothing()
        return { dismissed }
      },
    },
    async close() {
      await queue
    },
  }
}
