/**
 * The last session, restored on request (issue 14): the engine remembers the servers and the
 * persistent TCP clients the learner started (their set-ups, not their connections) and the UDP
 * sender's last set-ups (target, payload, encoding …) in the data folder, and after a restart the
 * page offers to start them again. Each item starts on its own: a port that is busy now fails that
 * item with its own coded error, the others still start. A UDP set-up is given back to the sender's
 * form, never sent: a restore puts no datagram on the network.
 */
import type { LabErrorData } from '../errors'
import { object } from '../schema'
import type { TcpClientInfo } from './net-clients'
import type { ServerInfo } from './net'
import { method } from './spec'
import { MAX_SAVED_PAYLOAD_CHARS } from './net-workbench'

/** Server set-ups, and client set-ups, the file keeps (the oldest goes first when more start). */
export const LAST_SESSION_LIMITS = { servers: 16, clients: 16, udpSenders: 4 } as const
/**
 * A UDP set-up whose payload is longer is not remembered (a saved message's bound): the file stays
 * far below LAST_SESSION_MAX_FILE_BYTES with every set-up at its longest.
 */
export const LAST_SESSION_UDP_PAYLOAD_CHARS = MAX_SAVED_PAYLOAD_CHARS
export const LAST_SESSION_FILE = 'last-session.json'
export const LAST_SESSION_FORMAT = 'socket-process-lab/last-session'
export const LAST_SESSION_VERSION = 1

/** One remembered server: what `net.tcpServer.start` / `net.udpServer.start` was given, with the port it got. */
export interface RememberedServer {
  proto: 'tcp' | 'udp'
  /** The start call's input as the contract validated it (mode, handler, framing, backlog …). */
  input: Record<string, unknown>
}
/** One remembered persistent TCP client: what `net.tcpClient.open` was given. */
export interface RememberedClient {
  input: Record<string, unknown>
}

/**
 * One remembered UDP sender set-up: what `net.udp.send` was last given for one target (host and
 * port), without the macro counter. Only sends that went out are remembered.
 */
export interface RememberedUdpSender {
  input: Record<string, unknown>
}

/** What the engine found from the lab's last run, to offer. */
export interface LastSession {
  /** The set-ups the last run left running (empty once restored or dismissed). */
  servers: RememberedServer[]
  clients: RememberedClient[]
  /** The UDP sender's set-ups, oldest first (a file of an earlier version has none). */
  udpSenders: RememberedUdpSender[]
  /** When the last run last changed them, ms since the epoch (null: nothing remembered). */
  savedAt: number | null
  /** last-session.json in the data folder; null when there is none (CLI, tests without a folder). */
  file: string | null
  /** Why the file could not be read (not JSON, wrong shape, an item the contract refuses); the lab starts anyway. */
  damaged: LabErrorData | null
}

/** One item a restore tried: started, or why not (ERR_PORT_IN_USE, ERR_CONNECTION_REFUSED …). */
export type RestoreItem<T> = { ok: true; value: T; input: Record<string, unknown> } | { ok: false; error: LabErrorData; input: Record<string, unknown> }

export interface RestoreResult {
  servers: (RestoreItem<ServerInfo> & { proto: 'tcp' | 'udp' })[]
  clients: RestoreItem<TcpClientInfo>[]
  /** The UDP set-ups handed back to the sender's form (each `value` is the set-up; nothing was sent). */
  udpSenders: RestoreItem<Record<string, unknown>>[]
}

export const netSessionMethods = {
  /** What the last run left running, to offer "Restore last session". */
  'net.session.last': method<LastSession>()(object({})),
  /**
   * Starts every remembered server (first) and client (then: they may connect to those servers),
   * each on its own; what failed says why, the rest still start. The UDP set-ups come back as they
   * were, for the page's sender (nothing is sent). The offer is then gone.
   */
  'net.session.restore': method<RestoreResult>()(object({})),
  /** The learner said no: the offer is gone (what this run starts is remembered as usual). */
  'net.session.dismiss': method<{ dismissed: number }>()(object({})),
}
