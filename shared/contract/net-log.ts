/**
 * The network event log the engine keeps (issue 14, "log that lasts"), and the traffic counters it
 * adds up from the same events. Every `net.server` and `net.client` event is numbered (`logSeq`) and
 * kept in a bounded ring, so a page that reloads — or that missed events under a burst — reads them
 * back; what falls off the ring is counted, never hidden. The counters see every event too, so they
 * survive a reload and count what the page was too busy to be sent.
 *
 * Every limit is said here once; the engine enforces them, the page reads them back.
 */
import { int, object, optional, string } from '../schema'
import type { ServerEvent } from './net'
import type { ClientEvent } from './net-clients'
import { method } from './spec'

export const NET_LOG_LIMITS = {
  /** Events the engine's log keeps (the newest); older ones are dropped and counted. The page keeps as many. */
  entries: 20_000,
  /** Events one `net.log.read` returns at most (the page reads the rest page by page). */
  page: 2_000,
  /** Rows one conversation shows (the newest of that connection's events in the log). */
  conversationRows: 500,
  /** Connections (TCP) or peers (UDP) one server keeps counters for; the oldest closed ones go first. */
  countedConnections: 4_096,
  /** Clients counters are kept for (persistent TCP clients and UDP sends); the oldest go first. */
  countedClients: 256,
} as const

/** One event as the log keeps it: `seq` is the event's `logSeq`, 1 for the first event since the lab started. */
export type NetLogEntry = { seq: number; topic: 'net.server'; event: ServerEvent } | { seq: number; topic: 'net.client'; event: ClientEvent }

export interface NetLogPage {
  /** Which engine process numbered the events: a new one (the lab restarted) starts again at 1. */
  epoch: string
  /** Oldest first, every kept event with `seq > afterSeq`, at most `limit`. */
  entries: NetLogEntry[]
  /** The newest event's number (0 before the first). */
  lastSeq: number
  /** Events recorded since the log was last cleared; `dropped` of them fell off the ring. */
  total: number
  dropped: number
  /** More events after the last one returned (read again with `afterSeq` = its seq). */
  more: boolean
}

/** Bytes and messages one way and the other, as the events report them. */
export interface TrafficCounters {
  bytesIn: number
  bytesOut: number
  /** Reads (TCP `recv()` chunks), datagrams received, or a client's reads. */
  messagesIn: number
  /** `send()`/`sendto()` calls. */
  messagesOut: number
  /** Whole framed messages recovered (framing on), counted besides the reads. */
  framedIn: number
  /** Bytes per second over the last whole second. */
  rateInBps: number
  rateOutBps: number
  /** The newest event's time (ms since the epoch), null before any. */
  lastAt: number | null
  /** Counting since (the first event, or the last reset). */
  since: number
}

/** One TCP connection (`conn`) or UDP peer (`peer`, "address:port") of a server. */
export interface ConnCounters extends TrafficCounters {
  conn: number | null
  peer: string | null
  /** When the connection closed (TCP), null while open or for UDP peers. */
  closedAt: number | null
}

export interface ServerCounters extends TrafficCounters {
  serverId: string
  conns: ConnCounters[]
}

export interface ClientCounters extends TrafficCounters {
  clientId: string
  proto: 'tcp' | 'udp'
}

export interface NetCounters {
  /** Read at (ms since the epoch): rates and "last activity" are relative to it. */
  at: number
  servers: ServerCounters[]
  clients: ClientCounters[]
}

const id = string({ min: 1, max: 64 })

export const netLogMethods = {
  /** Kept events after `afterSeq` (default 0: from the oldest kept), oldest first, at most `limit` (default and max NET_LOG_LIMITS.page). */
  'net.log.read': method<NetLogPage>()(object({ afterSeq: optional(int({ min: 0, max: Number.MAX_SAFE_INTEGER })), limit: optional(int({ min: 1, max: NET_LOG_LIMITS.page })) })),
  /** Empties the log (numbering goes on); answers how many events were removed. */
  'net.log.clear': method<{ cleared: number }>()(object({})),
  'net.counters.read': method<NetCounters>()(object({})),
  /**
   * Starts counting again from zero: one connection (`serverId` + `conn`), one UDP peer (`serverId` + `peer`),
   * one server with all its connections (`serverId`), one client (`clientId`), or everything (no field).
   * Answers how many counters were reset; an unknown server or client → ERR_NOT_FOUND.
   */
  'net.counters.reset': method<{ reset: number }>()(
    object({ serverId: optional(id), conn: optional(int({ min: 0, max: Number.MAX_SAFE_INTEGER })), peer: optional(string({ min: 3, max: 64 })), clientId: optional(id) }),
  ),
}
