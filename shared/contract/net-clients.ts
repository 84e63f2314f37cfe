/**
 * Network clients: persistent TCP clients (several at once) and the UDP sender — what Packet
 * Sender or NetAssist do, to the lab's own servers or to any host and port (e.g. the course's
 * Python programs). Payloads are text (UTF-8 or GBK) or hex; sends can repeat with a gap.
 */
import type { LabErrorData } from '../errors'
import { FIRST_MACRO_COUNTER, MAX_MACRO_COUNTER } from '../macros'
import { boolean, host, int, object, oneOf, optional, string } from '../schema'
import { FRAMINGS, MAX_DATAGRAM_BYTES, ONE_SHOT_TIMEOUT_MS, type Address, type Framing } from './net'
import { method } from './spec'

/** Text encodings for sending and showing: GBK is what the course decodes on Chinese Windows. */
export const TEXT_ENCODINGS = ['utf8', 'gbk'] as const
export type TextEncoding = (typeof TEXT_ENCODINGS)[number]

/** The framings a client can use: the servers' (`none`, `len32le`, `len32be`, `line`; see net.ts). */
export const CLIENT_FRAMINGS = FRAMINGS
export type ClientFraming = Framing

/** Characters a payload field may hold (text, or hex digits with optional spaces/colons). */
export const MAX_CLIENT_PAYLOAD_CHARS = 262_144
/** Bytes one payload may encode to (after hex/GBK/UTF-8 conversion); more → ERR_LIMIT. */
export const MAX_CLIENT_PAYLOAD_BYTES = 262_144
/** Bytes one `send` call may write in total (payload × repeat); more → ERR_LIMIT. */
export const MAX_CLIENT_TOTAL_BYTES = 16 * 1024 * 1024
/** How long the sends of one call may take in total (gapMs × (repeat − 1)); more → ERR_LIMIT. */
export const MAX_CLIENT_SEND_SPAN_MS = 600_000
/** Persistent TCP clients open at once; one more → ERR_LIMIT. */
export const MAX_TCP_CLIENTS = 64
/** One-shot clients (`net.tcp.send`, `net.udp.send`) waiting for their replies at once, lab-wide; one more → ERR_LIMIT. */
export const MAX_ONE_SHOT_CLIENTS = 256
/**
 * File descriptors kept free for the lab's own doors (the page's WebSocket, Electron's IPC) and
 * History: a client that would leave fewer free → ERR_LIMIT (issue 12: 1,100 sends took them all).
 */
export const RESERVED_DESCRIPTORS = 64
/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_UDP_PAYLOAD_BYTES = MAX_DATAGRAM_BYTES
/** Characters of decoded text carried in one event (the byte count is always exact). */
export const EVENT_TEXT_CHARS = 4_096
/** Replies a `net.udp.send` keeps in its result. */
export const MAX_UDP_REPLIES = 1_000

export type TcpClientState = 'connecting' | 'open' | 'closed'

/** A persistent TCP client as the engine holds it. */
export interface TcpClientInfo {
  /** e.g. `c-1`; names the client in every call and event. */
  id: string
  host: string
  port: number
  /** The client's own address (null until connected). */
  local: Address | null
  /** The server's address as connected (resolved IP and port). */
  remote: Address
  state: TcpClientState
  /** true = Nagle's algorithm off (`TCP_NODELAY`): small writes leave at once. */
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
  openedAt: number
  closedAt: number | null
  /** Number of `send()` calls made (each repeat counts) and bytes written, framing headers included. */
  sends: number
  bytesSent: number
  /** Number of reads and bytes received; `messages` counts framed messages decoded (frame ≠ none). */
  recvs: number
  bytesReceived: number
  messages: number
}

/** What one `net.tcpClient.send` did. */
export interface TcpClientSendResult {
  id: string
  /** How many times the payload was written (the repeat count, unless the client closed meanwhile). */
  sends: number
  /** Bytes of one payload, and written per send (payload + framing header). */
  payloadBytes: number
  bytesPerSend: number
  totalBytes: number
  /** The payload's bytes in hex (first EVENT_HEX_BYTES bytes). */
  hex: string
  truncated: boolean
  firstAt: number
  lastAt: number
  /** `{{COUNTER}}` for the next send (the counter after this send's writes; unchanged without macros). */
  nextCounter: number
}

/** One datagram sent by `net.udp.send`. */
export interface UdpSentDatagram {
  seq: number
  bytes: number
  at: number
}

/** One datagram received back by `net.udp.send`. */
export interface UdpReplyDatagram {
  from: Address
  bytes: number
  hex: string
  /** Decoded with the chosen encoding (first EVENT_TEXT_CHARS characters). */
  text: string
  truncated: boolean
  at: number
}

/** Where a `net.udp.send` went: one host, every host of a network, or the members of a group. */
export interface UdpCastInfo {
  kind: 'unicast' | 'broadcast' | 'multicast'
  /** Multicast: the interface it left by, and its TTL. */
  multicastInterface?: string
  multicastTtl?: number
}

export interface UdpSendResult {
  /** How it was sent (issue 14): broadcast and multicast wait the whole reply time, any number of hosts may answer. */
  cast?: UdpCastInfo
  /** The sender's own address (one socket for all repeats, as the course's client). */
  local: Address
  remote: Address
  payloadBytes: number
  hex: string
  sent: UdpSentDatagram[]
  replies: UdpReplyDatagram[]
  /** Replies beyond MAX_UDP_REPLIES were counted, not kept. */
  repliesDropped: number
  elapsedMs: number
  /** `{{COUNTER}}` for the next send (unchanged without macros). */
  nextCounter: number
}

/** Events of the clients, topic `net.client`. `at` is `Date.now()` (ms since the epoch). */
/** `logSeq`: the event's number in the engine's event log (`net.log.read`, contract/net-log.ts), set as it is published. */
export type ClientEvent = { clientId: string; proto: 'tcp' | 'udp'; at: number; logSeq?: number } & (
  | { event: 'connected'; local: Address; remote: Address }
  /** One `send()`/`sendto()`: `bytes` written (framing header included), `seq` counts from 1. */
  | { event: 'sent'; seq: number; bytes: number; hex: string; truncated: boolean }
  /**
   * One read from the socket (TCP: a chunk, its boundaries are the kernel's, not the sender's;
   * UDP: one datagram, with `from`). `text` is decoded with the client's encoding; a multi-byte
   * character split across reads is completed in the next read's text.
   */
  | { event: 'received'; bytes: number; hex: string; text: string; truncated: boolean; from?: Address }
  /** One complete framed message (frame ≠ none): payload only, header or newline removed. */
  | { event: 'message'; bytes: number; hex: string; text: string; truncated: boolean }
  /** `local`: we closed it; `remote`: the server closed (FIN); `reset`/`error`: abruptly. */
  | { event: 'closed'; reason: 'local' | 'remote' | 'reset' | 'error' }
  | { event: 'error'; error: LabErrorData }
)

/** How long `net.udp.send` collects replies after its last send, ms: 0 = do not wait. UDP has no other sign that a reply is not coming. */
export const UDP_REPLY_WAIT_MS = { min: 0, max: 60_000, default: 1_000 } as const

/**
 * Broadcast and multicast (issue 14). A multicast datagram leaves through one interface, by
 * default loopback's (127.0.0.1), so it stays on this machine; its TTL says how many routers it
 * may cross (1: none). Sending to a broadcast address needs the socket's SO_BROADCAST
 * (`broadcast: true`); only the loopback broadcast (127.255.255.255) stays on this machine.
 * Anything that would leave it needs `allInterfaces: true`, the consent servers ask before they
 * listen on every interface.
 */
export const DEFAULT_MULTICAST_INTERFACE = '127.0.0.1'
export const MULTICAST_TTL = { min: 0, max: 255, default: 1 } as const

const payload = string({ max: MAX_CLIENT_PAYLOAD_CHARS })
const clientId = string({ min: 1, max: 64 })
const encoding = oneOf(TEXT_ENCODINGS)
const frame = oneOf(CLIENT_FRAMINGS)
/** Sends per call: 1 (the default, said where it is used) to 10,000. */
const repeat = int({ min: 1, max: 10_000 })
/** Pause between repeated sends, ms (0 by default). */
const gapMs = int({ min: 0, max: 60_000 })
/** Expand shared/macros.ts's macros ({{COUNTER}} …) at each write; `counter` is the first write's {{COUNTER}} (default 1). */
const macros = optional(boolean())
const counter = optional(int({ min: FIRST_MACRO_COUNTER, max: MAX_MACRO_COUNTER }), FIRST_MACRO_COUNTER)

export const netClientMethods = {
  /**
   * Connects a persistent TCP client; resolves once connected (or fails with ERR_CONNECTION_REFUSED,
   * ERR_TIMEOUT, ERR_HOST_NOT_FOUND …). Defaults: nodelay false (Nagle on), frame 'none', encoding 'utf8',
   * timeoutMs 5000.
   */
  'net.tcpClient.open': method<TcpClientInfo>()(
    object({
      host: host(),
      port: int({ min: 1, max: 65535 }),
      nodelay: optional(boolean(), false),
      frame: optional(frame, 'none'),
      encoding: optional(encoding, 'utf8'),
      timeoutMs: optional(int({ min: ONE_SHOT_TIMEOUT_MS.min, max: ONE_SHOT_TIMEOUT_MS.max }), ONE_SHOT_TIMEOUT_MS.default),
    }),
  ),
  /**
   * Writes `payload` (text in the client's encoding, or hex digits when `hex`: spaces and colons
   * between bytes allowed) `repeat` times, `gapMs` apart, framed with the client's framing; resolves
   * after the last write. Bad hex → ERR_INVALID_INPUT naming the bad character; an unknown or closed
   * client → ERR_NOT_FOUND / ERR_BAD_STATE.
   */
  'net.tcpClient.send': method<TcpClientSendResult>()(
    object({ id: clientId, payload, hex: optional(boolean()), repeat: optional(repeat, 1), gapMs: optional(gapMs, 0), macros, counter }),
  ),
  /** Closes (FIN, then destroy after a short grace) and forgets the client. Closing an unknown id → ERR_NOT_FOUND. */
  'net.tcpClient.close': method<TcpClientInfo>()(object({ id: clientId })),
  /** The clients held: open ones, and ones the server closed (state 'closed') until closed by id or the next open. */
  'net.tcpClient.list': method<TcpClientInfo[]>()(object({})),
  /**
   * The course's UDP client: one socket, `sendto()` the payload `repeat` times `gapMs` apart, then
   * collect replies until every datagram was answered or `waitReplyMs` (UDP_REPLY_WAIT_MS: default 1000, 0 = do not wait)
   * passed after the last send. Over 65,507 bytes → ERR_DATAGRAM_TOO_LARGE before anything is sent.
   */
  'net.udp.send': method<UdpSendResult>()(
    object({
      host: host(),
      port: int({ min: 1, max: 65535 }),
      payload,
      hex: optional(boolean()),
      encoding: optional(encoding, 'utf8'),
      repeat: optional(repeat, 1),
      gapMs: optional(gapMs, 0),
      waitReplyMs: optional(int({ min: UDP_REPLY_WAIT_MS.min, max: UDP_REPLY_WAIT_MS.max }), UDP_REPLY_WAIT_MS.default),
      macros,
      counter,
      /** Set SO_BROADCAST (`socket.setBroadcast(true)`): without it a send to a broadcast address is refused by the OS (EACCES). */
      broadcast: optional(boolean()),
      /** Multicast: the interface (its IPv4 address) the datagrams leave by; default DEFAULT_MULTICAST_INTERFACE. */
      multicastInterface: optional(host()),
      /** Multicast: how many routers the datagrams may cross (MULTICAST_TTL, default 1). */
      multicastTtl: optional(int({ min: MULTICAST_TTL.min, max: MULTICAST_TTL.max }), MULTICAST_TTL.default),
      /** Consent to broadcast or multicast beyond this machine (any broadcast but 127.255.255.255, multicast off loopback). */
      allInterfaces: optional(boolean()),
    }),
  ),
}

export interface NetClientEvents {
  'net.client': ClientEvent
}
