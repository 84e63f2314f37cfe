/**
 * The network-conditions relay (issue 14): a user-space relay the learner puts between a client
 * and a server. The client connects to the relay's port; the relay forwards to the target and
 * applies conditions per direction (`up` = client → server, `down` = server → client), as
 * Shopify's toxiproxy applies its toxics, and reports what it did to every message.
 *
 * What it cannot do, said on screen too: a user-space relay reads and writes byte streams through
 * the kernel's TCP, so it cannot make TCP itself lose or retransmit a segment. That needs the
 * kernel's queueing disciplines (`tc qdisc … netem loss 10%`, root only): RELAY_NETEM_COMMAND.
 *
 * Every limit is said here once; the engine enforces them, the CLI and the page read them back.
 */
import type { LabErrorData } from '../errors'
import { boolean, host, int, object, oneOf, optional, port, string } from '../schema'
import type { Address } from './net'
import { method } from './spec'

/** `tcp`, `udp`, or `both` (a TCP and a UDP socket on the same port number, the same conditions). */
export const RELAY_PROTOS = ['tcp', 'udp', 'both'] as const
export type RelayProto = (typeof RELAY_PROTOS)[number]
export const RELAY_DIRECTIONS = ['up', 'down'] as const
/** `up`: client → relay → server; `down`: server → relay → client. */
export type RelayDirection = (typeof RELAY_DIRECTIONS)[number]

/** The limits, one object, read back by the CLI's help and the page's inputs. */
export const RELAY_LIMITS = {
  /** Relays running at once in one lab. */
  relays: 8,
  /** TCP connections through one relay at once; one more is refused (closed at once) and reported. */
  connections: 32,
  /** UDP clients (distinct source addresses) one relay keeps a server-side socket for. */
  udpPeers: 64,
  /** A UDP peer silent this long gets its server-side socket closed. */
  udpPeerIdleMs: 60_000,
  delayMs: 10_000,
  jitterMs: 5_000,
  /** Bandwidth limit, bytes per second (0 = unlimited). */
  rateBytesPerSec: 1_000_000_000,
  /** TCP: cut each write into chunks of at most this many bytes (0 = off). */
  splitBytes: 65_536,
  /** TCP: writes arriving within this many ms of the first one pending are written as one (0 = off). */
  mergeMs: 5_000,
  /** UDP: datagrams that arrive after a held one before it is released (0 = no reordering). */
  reorderWindow: 64,
  /** UDP: cut each datagram to this many bytes (0 = off). */
  truncateBytes: 65_507,
  /**
   * Bytes one direction of one TCP connection may hold (read but not yet written). Over it the
   * sending side is paused (socket.pause(): its kernel buffers fill, then its writes block), and
   * resumed below half: a slow side is backpressured, never buffered without limit.
   */
  heldBytesPerDirection: 1024 * 1024,
  /** UDP datagrams one direction may hold waiting for their delay; more are dropped and counted as 'overflow'. */
  heldDatagrams: 4_096,
  /** Events the engine keeps per relay (the page reads them back after a reload); older ones are dropped and counted. */
  keptEvents: 2_000,
  /** Bytes of each message kept as hex in its event; `bytes` is always exact. */
  eventHexBytes: 64,
  /** Probe: messages per run. */
  probeMessages: 1_000,
  /** Probe: how long it waits for the last replies after its last send. */
  probeWaitMs: 10_000,
  maxSeed: 2_147_483_647,
} as const

/** Pause between the chunks of a split write: without it the kernel may send them in one segment. */
export const RELAY_SPLIT_GAP_MS = 5
/**
 * With no condition set in a direction the relay forwards at full speed (pipe-like: each read
 * written at once, the reading side paused while the other is full) and reports the first
 * RELAY_DETAILED_PER_WINDOW messages of each RELAY_SUMMARY_WINDOW_MS one by one ('in'/'out');
 * what passes beyond that is counted and reported once per window as one 'summary' event. One
 * event per read and write cost more than the forwarding itself (tests/bench/relay-bench.ts).
 */
export const RELAY_SUMMARY_WINDOW_MS = 250
export const RELAY_DETAILED_PER_WINDOW = 32
/** With a rate limit, the link carries at most rate × this many ms of bytes in one write (bytes that waited meanwhile go together). */
export const RELAY_RATE_QUANTUM_MS = 20
/**
 * The last stretch before a deadline the relay waits through the event loop (setImmediate, I/O
 * still served) instead of a timer: Node's timers count whole ms on a clock cached per loop turn,
 * so one fires up to 1 ms early or late, and one re-armed for less than 1 ms lands a full ms late.
 * Costs CPU for at most about this long per wake-up, only while something is held (relay-timer.ts).
 */
export const RELAY_TIMER_FINE_MS = 1
/** A held (reordered) UDP datagram is released after this long even when no later datagram came. */
export const RELAY_REORDER_HOLD_MS = 500
/** Chance a datagram is held back for reordering, when a reorder window is set and no percentage is given. */
export const RELAY_DEFAULT_REORDER_PCT = 10
export const RELAY_DEFAULT_SEED = 1

/** What a learner with root could run instead, for TCP loss and retransmission (shown on screen, not run). */
export const RELAY_NETEM_COMMAND = 'sudo tc qdisc add dev lo root netem delay 50ms 10ms loss 10%   # undo: sudo tc qdisc del dev lo root'

/** Conditions of one direction. Every field is optional in a call; absent = 0 = off. */
export interface RelayConditions {
  delayMs: number
  /** Each message's delay is delayMs + a seeded uniform value in [−jitter, +jitter] (never below 0). TCP keeps the order. */
  jitterMs: number
  rateBytesPerSec: number
  splitBytes: number
  mergeMs: number
  lossPct: number
  dupPct: number
  reorderWindow: number
  reorderPct: number
  truncateBytes: number
}

export const NO_CONDITIONS: RelayConditions = {
  delayMs: 0,
  jitterMs: 0,
  rateBytesPerSec: 0,
  splitBytes: 0,
  mergeMs: 0,
  lossPct: 0,
  dupPct: 0,
  reorderWindow: 0,
  reorderPct: 0,
  truncateBytes: 0,
}

/** Which conditions act on which protocol (the page greys the others out; the CLI refuses them). */
export const TCP_ONLY_CONDITIONS = ['splitBytes', 'mergeMs'] as const
export const UDP_ONLY_CONDITIONS = ['lossPct', 'dupPct', 'reorderWindow', 'reorderPct', 'truncateBytes'] as const

/** Presets tied to lessons 7 (UDP) and 5 (sticky packets). `proto` 'both' so TCP can be tried through the same relay. */
export const RELAY_PRESETS = {
  /** 20 datagrams over this link with seed 63: 3 lost (3, 6, 13), 2 reordered (11, 15) (checked by a unit test); TCP through it arrives whole and in order. */
  lossyUdp: { proto: 'both', seed: 63, up: { lossPct: 15, reorderWindow: 3, reorderPct: 12 }, down: {} },
  /** 2,000 bytes/s: writes that wait for the link go together, so the server reads several messages at once without a slow reader. */
  slowLink: { proto: 'tcp', seed: 1, up: { rateBytesPerSec: 2_000, delayMs: 20 }, down: {} },
  /** Every write cut into 4-byte chunks: the server's reads see half messages. */
  splitWrites: { proto: 'tcp', seed: 1, up: { splitBytes: 4 }, down: {} },
} as const satisfies Record<string, { proto: RelayProto; seed: number; up: Partial<RelayConditions>; down: Partial<RelayConditions> }>
export type RelayPresetName = keyof typeof RELAY_PRESETS
export const RELAY_PRESET_NAMES = Object.keys(RELAY_PRESETS) as RelayPresetName[]

export interface RelayInfo {
  /** e.g. `relay-1`. */
  id: string
  proto: RelayProto
  listen: Address
  target: Address
  seed: number
  up: RelayConditions
  down: RelayConditions
  startedAt: number
  state: 'listening' | 'closed'
  /** TCP connections open now / ever; UDP peers with a socket now. */
  connections: number
  connectionsTotal: number
  udpPeers: number
  /** Per direction: messages read, forwarded, dropped (loss), overflowed, duplicated, reordered, and bytes. */
  stats: Record<RelayDirection, RelayDirectionStats>
  /** Events kept (at most RELAY_LIMITS.keptEvents) and dropped from the front. */
  eventsKept: number
  eventsDropped: number
}

export interface RelayDirectionStats {
  messages: number
  bytesIn: number
  bytesOut: number
  writes: number
  dropped: number
  overflow: number
  duplicated: number
  reordered: number
  truncated: number
  /** Times the sending side was paused because this direction held RELAY_LIMITS.heldBytesPerDirection. */
  pauses: number
  /** The most bytes this direction held at once (TCP). */
  maxHeldBytes: number
  /**
   * UDP, up: times the server's OS refused what the relay sent it (ICMP port unreachable: nothing
   * listens on its port), as reported on the client's connected socket. Refusals that come close
   * together are reported once, so this may be less than the datagrams refused.
   */
  refused: number
}

/**
 * What the relay did, one event per thing. `t` is ms since the relay started (the relay's own
 * clock, performance.now(), fractional); `at` is Date.now(). `conn` numbers TCP connections and
 * UDP peers from 1.
 */
export type RelayEvent = { relayId: string; at: number; t: number } & (
  | { event: 'listening'; proto: RelayProto; listen: Address; target: Address }
  | { event: 'connection'; conn: number; proto: 'tcp' | 'udp'; remote: Address }
  /**
   * One message read from one side (TCP: one read, whose boundaries are the kernel's; UDP: one
   * datagram) and what the relay decided for it: `delayMs` drawn, `dueT` = t + delay (TCP: never
   * before an earlier message's, the stream keeps its order). UDP: `action` 'dropped' (loss) or
   * 'overflow' (too many held); `dup` a copy follows; `holdFor` it waits for that many later
   * datagrams (reordering); `keptBytes` after truncation.
   */
  | {
      event: 'in'
      conn: number
      dir: RelayDirection
      proto: 'tcp' | 'udp'
      seq: number
      /** Byte offset of this message in its direction's stream (TCP). */
      offset: number
      bytes: number
      hex: string
      delayMs: number
      dueT: number
      action: 'forward' | 'dropped' | 'overflow'
      dup: boolean
      holdFor: number
      keptBytes: number
    }
  /**
   * One write (TCP) or sendto (UDP) the relay made to the other side. `seqs`: the messages whose
   * bytes it carries (several = merged, one message over several writes = split); `lateMs`: how
   * much after the earliest due time of its bytes it left (the timer's and the link's wait);
   * `heldMs`: how long the oldest bytes it carries were in the relay, from their read to this write,
   * measured when it was written: the delay that happened (the 'in' event's `delayMs` is the one
   * drawn). UDP: `copy` true for a duplicate, `order` its position among the datagrams sent out.
   */
  | { event: 'out'; conn: number; dir: RelayDirection; proto: 'tcp' | 'udp'; index: number; offset: number; bytes: number; seqs: number[]; lateMs: number; heldMs: number; copy: boolean; order: number }
  /**
   * Messages of one direction that passed with no condition set and were counted, not reported one
   * by one (over RELAY_DETAILED_PER_WINDOW in a RELAY_SUMMARY_WINDOW_MS window): `messages` reads
   * (UDP: datagrams), each written on at once as it came (as many writes), `bytes` in all, sequence
   * numbers `firstSeq`..`lastSeq` (TCP: from byte `offset` of the stream), between `fromT` and `t`.
   */
  | { event: 'summary'; conn: number; dir: RelayDirection; proto: 'tcp' | 'udp'; fromT: number; messages: number; bytes: number; firstSeq: number; lastSeq: number; offset: number }
  | { event: 'paused' | 'resumed'; conn: number; dir: RelayDirection; heldBytes: number }
  | { event: 'close'; conn: number; reason: 'client' | 'server' | 'error' | 'limit' | 'idle' | 'stopped' }
  | { event: 'refused'; remote: Address; reason: string }
  /**
   * UDP: the server's OS refused a datagram the relay sent it for client `conn` (ECONNREFUSED on
   * the client's connected socket, from an ICMP port unreachable): nothing listens on `target`.
   * Expected while no server runs there, not the relay's error: it keeps relaying. `refused` is
   * the relay's count so far (stats.up.refused).
   */
  | { event: 'portUnreachable'; conn: number; target: Address; refused: number }
  | { event: 'error'; conn?: number; error: LabErrorData }
  | { event: 'stopped' }
)

/** What `net.relay.events` gives back: the kept events (oldest first) and how many were dropped. */
export interface RelayEventLog {
  id: string
  events: RelayEvent[]
  dropped: number
  total: number
}

/** What a probe saw coming back: UDP one entry per reply datagram, TCP the reply stream compared. */
export interface RelayProbeResult {
  relayId: string
  proto: 'tcp' | 'udp'
  messages: string[]
  /** UDP: the numbers of the replies in the order they came back (a number twice = duplicated). TCP: every message's number once the stream was cut at its separators. */
  order: number[]
  sent: number
  received: number
  missing: number[]
  /** UDP: the missing numbers the relay reported dropping (loss, or held datagrams over its limit), either way. TCP: none. */
  dropped: number[]
  /** The missing numbers neither back nor reported dropped when the wait ran out (lost elsewhere, or still on their way). */
  stillMissing: number[]
  /**
   * The probe stopped because everything was accounted for: UDP, every number back or dropped by the
   * relay and no copy still on its way; TCP, every number back. False: `waitMs` ran out first.
   */
  accounted: boolean
  /** Replies that came back out of order (a number smaller than one before it). */
  outOfOrder: number
  duplicates: number
  /** TCP: the reply stream equals what was sent (case aside: the course's server upper-cases). */
  identical: boolean | null
  bytesSent: number
  bytesBack: number
  /** The bound the probe waited at most after its last message. */
  waitMs: number
  elapsedMs: number
}

const ms = (max: number) => optional(int({ min: 0, max }))
const pct = optional(int({ min: 0, max: 100 }))
export const relayConditionsSchema = object({
  delayMs: ms(RELAY_LIMITS.delayMs),
  jitterMs: ms(RELAY_LIMITS.jitterMs),
  rateBytesPerSec: ms(RELAY_LIMITS.rateBytesPerSec),
  splitBytes: ms(RELAY_LIMITS.splitBytes),
  mergeMs: ms(RELAY_LIMITS.mergeMs),
  lossPct: pct,
  dupPct: pct,
  reorderWindow: ms(RELAY_LIMITS.reorderWindow),
  reorderPct: pct,
  truncateBytes: ms(RELAY_LIMITS.truncateBytes),
})
const relayId = string({ min: 1, max: 64 })

export const netRelayMethods = {
  /**
   * Starts a relay listening on `listenHost:listenPort` (default 127.0.0.1:0; every interface needs
   * allInterfaces: true, as the servers) forwarding to `targetHost:targetPort`. A target that is
   * not this machine (not a loopback address) needs remoteTarget: true (ERR_REMOTE_TARGET).
   */
  'net.relay.start': method<RelayInfo>()(
    object({
      proto: optional(oneOf(RELAY_PROTOS), 'tcp'),
      listenHost: optional(host()),
      listenPort: optional(port()),
      allInterfaces: optional(boolean()),
      targetHost: optional(host()),
      targetPort: int({ min: 1, max: 65535 }),
      remoteTarget: optional(boolean()),
      seed: optional(int({ min: 0, max: RELAY_LIMITS.maxSeed }), RELAY_DEFAULT_SEED),
      up: optional(relayConditionsSchema),
      down: optional(relayConditionsSchema),
    }),
  ),
  /** Changes the conditions of a running relay (and reseeds it when `seed` is given); what is absent stays. */
  'net.relay.update': method<RelayInfo>()(object({ id: relayId, seed: optional(int({ min: 0, max: RELAY_LIMITS.maxSeed })), up: optional(relayConditionsSchema), down: optional(relayConditionsSchema) })),
  /** Stops the relay: its listener and every connection through it. Unknown id → ERR_NOT_FOUND. */
  'net.relay.stop': method<RelayInfo>()(object({ id: relayId })),
  'net.relay.list': method<RelayInfo[]>()(object({})),
  /** The events the engine kept for a relay (the last RELAY_LIMITS.keptEvents), for a page that reloaded. */
  'net.relay.events': method<RelayEventLog>()(object({ id: relayId })),
  /**
   * Sends `count` numbered messages through the relay (TCP: one connection, one write each; UDP: one
   * socket, one datagram each), `gapMs` apart, and reports what came back from the server behind it.
   */
  'net.relay.probe': method<RelayProbeResult>()(
    object({
      id: relayId,
      proto: oneOf(['tcp', 'udp'] as const),
      count: optional(int({ min: 1, max: RELAY_LIMITS.probeMessages }), 20),
      gapMs: optional(int({ min: 0, max: 1_000 }), 10),
      /** After the last message, how long at most to wait for what is neither back nor reported dropped (a delayed or held-back one). */
      waitMs: optional(int({ min: 0, max: RELAY_LIMITS.probeWaitMs }), 1_000),
    }),
  ),
}

export interface NetRelayEvents {
  'net.relay': RelayEvent
}
