import type { LabErrorData } from '../errors'
import { boolean, host, int, object, oneOf, optional, port, refine, string } from '../schema'
import { method } from './spec'
import { DEFAULT_MAX_FRAME_BYTES, handlerProblem } from './net-values'

// The values a connection's thread or process needs live in net-values.ts (no schemas there).
export { DEFAULT_MAX_FRAME_BYTES, EVENT_HEX_BYTES, HANDLER_PATTERN, MAX_DELAY_MS, handlerProblem } from './net-values'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8081
/** Cap for one payload sent from a client (docs/SECURITY.md item 9). */
export const MAX_PAYLOAD_CHARS = 65_536

/**
 * How a TCP server serves its connections (docs/ARCHITECTURE.md, "Where the design differs from the course's Python"):
 * - `serial`: one at a time, the rest wait in a visible queue (`socketserver.TCPServer`);
 * - `threading`: each connection's handler runs on its own worker thread (`ThreadingTCPServer`);
 * - `forking`: each accepted socket is handed to its own child process (`ForkingTCPServer`);
 * - `async`: Node's event loop serves every connection on one thread.
 */
export const SERVER_MODES = ['serial', 'threading', 'forking', 'async'] as const
export type ServerMode = (typeof SERVER_MODES)[number]
export const DEFAULT_SERVER_MODE: ServerMode = 'async'
/**
 * How a UDP server handles its datagrams (issue 9, item 5):
 * - `serial`: one datagram at a time, the next waits until the one before is answered (`socketserver.UDPServer`);
 * - `threading`: each datagram's handler runs on a thread of its own, never one busy with another
 *   datagram (`ThreadingUDPServer`; the lab reuses free threads rather than start one per datagram);
 * - `async`: the event loop handles every datagram at once (a delayed reply is a timer).
 */
export const UDP_SERVER_MODES = ['serial', 'threading', 'async'] as const
export type UdpServerMode = (typeof UDP_SERVER_MODES)[number]
export const DEFAULT_UDP_SERVER_MODE: UdpServerMode = 'async'

/**
 * How a byte stream is cut into messages: `none` (each read is handled as it comes),
 * `len32le` (4-byte little-endian length, `struct.pack('i', n)` on x86), `len32be` (`struct.pack('!I', n)`),
 * `line` (each message ends with `\n`).
 */
export const FRAMINGS = ['none', 'len32le', 'len32be', 'line'] as const
export type Framing = (typeof FRAMINGS)[number]
/** The most a UDP datagram can carry over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_DATAGRAM_BYTES = 65_507
export const MAX_RECV_SIZE = 65_536
/** The listen backlog by default: socketserver's `request_queue_size = 5`. */
export const DEFAULT_REQUEST_QUEUE_SIZE = 5
/** The most the lab asks for; the OS caps it further at its `somaxconn` (Linux: /proc/sys/net/core/somaxconn). */
export const MAX_REQUEST_QUEUE_SIZE = 65_535
/** A silent TCP connection is closed after this long unless the learner changes it (0 = never): slow clients cannot hold every slot. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000
/** Threads or processes a threading/forking server keeps ready ahead of connections. */
export const MAX_SPARES = 32
/**
 * Spares kept ready when the request does not say: two threads (a thread is cheap, ~7.7 MB idle) and
 * one process (~43 MB idle), so the second connection need not wait for a start-up; lesson 8 quotes
 * the behaviour at these numbers. None for serial and async, which start nothing per connection.
 */
export const DEFAULT_SPARES: Readonly<Record<ServerMode, number>> = { serial: 0, async: 0, threading: 2, forking: 1 }
/** A threading UDP server's threads kept ready ahead of datagrams by default. */
export const DEFAULT_UDP_SPARES = 1

export const DEFAULT_HANDLER = 'upper'
export type HandlerSpec = string

export interface Address {
  address: string
  port: number
}

export type ServerState = 'idle' | 'starting' | 'listening' | 'closing' | 'closed'

/**
 * Who serves a connection, as the OS sees it. `queue`: the serial server's own thread, one connection
 * at a time; `loop`: the event loop's thread; `thread`: a worker thread (tid = its Linux thread id);
 * `process`: a child process (pid = the child). `tid` is null where the OS does not tell (not Linux).
 */
export interface ServedBy {
  kind: 'queue' | 'thread' | 'process' | 'loop'
  pid: number
  tid: number | null
}

export interface ServerInfo {
  id: string
  proto: 'tcp' | 'udp'
  host: string
  port: number
  state: ServerState
  /** The handler spec, e.g. `upper` or `delay:200`. */
  handler: string
  /** UDP: one of UDP_SERVER_MODES. */
  mode: ServerMode
  /** `none` for UDP: each datagram is a message already. */
  frame: Framing
  /** null: each read is handed over whole. */
  recvSize: number | null
  readDelayMs: number
  maxFrameBytes: number
  /** 0: connections never time out. */
  idleTimeoutMs: number
  /** Connections open at once before new ones are dropped (queued ones count). 0 for UDP: no connections. */
  maxConnections: number
  /** The listen backlog asked for (`request_queue_size`); 0 for UDP. */
  requestQueueSize?: number
  /** Threads or processes kept ready ahead of connections (threading, forking); 0 otherwise. */
  spares?: number
  /** Of those, ready now (started, not given to a connection yet); updated by the `spares` event. */
  sparesReady?: number
  /** Replacement spares waiting until the connections being served leave a CPU free (spare-pool.ts). */
  sparesDeferred?: number
  /** UDP threading: datagram threads alive now (spares, free and busy ones). */
  threads?: number
  /**
   * Threading mode: who does each connection's recv/send system calls. `thread`: the connection's own
   * thread, on the descriptor (like Python); `relay`: the main thread, posting each read to the thread
   * (where no descriptor can be handed over, e.g. Windows). null for other modes.
   */
  threadIo?: 'thread' | 'relay' | null
  /** UDP: the multicast group it joined and on which interface (issue 14); absent when none. */
  multicast?: { group: string; interface: string }
  /** UDP: the peers that sent it datagrams, heard from most recently first (at most UDP_RECENT_PEERS); the panel may send to these. */
  peers?: RecentPeer[]
  startedAt: number
  connections: ConnectionInfo[]
  /** Serial mode: connections accepted but waiting for the one being served (oldest first). Empty otherwise. */
  queue: QueuedConnection[]
  stats: ServerStats
}

/** A UDP server's recent peer (issue 14): who sent to it, how many datagrams, when last. */
export interface RecentPeer {
  address: string
  port: number
  datagrams: number
  lastAt: number
}

export interface ServerStats {
  /** TCP connections accepted (including queued and later served ones). */
  accepted: number
  /** TCP connections refused because `maxConnections` were open. */
  dropped: number
  /** UDP datagrams received (refused ones included). */
  datagrams: number
  /** UDP datagrams refused for being over the size cap. */
  oversize: number
  bytesIn: number
  bytesOut: number
  /** Threading/forking: connections the client reset before they were served (never given a thread or process). */
  resetEarly?: number
}

/** How a connection got its thread or process (threading, forking). */
export interface ServeStartup {
  /** Served by a spare started before the connection came. */
  spare: boolean
  /** From accept to the thread or process being ready for this connection (ms). */
  waitedMs: number
  /** What starting that thread or process took (ms), whenever it was started. */
  threadStartMs: number | null
}

export interface QueuedConnection {
  conn: number
  remote: Address
  /** When it was accepted and started waiting (ms since epoch). */
  since: number
}

export interface ConnectionInfo {
  conn: number
  remote: Address
  openedAt: number
  bytesIn: number
  bytesOut: number
  /** `waiting`: queued behind another connection (serial mode); `serving`: its handler runs. */
  state: 'waiting' | 'serving'
  servedBy: ServedBy
  /** Complete framed messages received (0 without framing). */
  messages: number
  /** Threading/forking: how its thread or process was ready (a spare or started for it). */
  startup?: ServeStartup
}

export type CloseReason = 'client' | 'reset' | 'server' | 'error' | 'idle'

/** `logSeq`: the event's number in the engine's event log (`net.log.read`, contract/net-log.ts), set as it is published. */
export type ServerEvent = { serverId: string; at: number; logSeq?: number } & (
  | { event: 'listening'; proto: 'tcp' | 'udp'; host: string; port: number }
  | { event: 'connection'; conn: number; remote: Address; servedBy: ServedBy; startup?: ServeStartup }
  /** Serial mode: the connection waits; `position` 1 is next. */
  | { event: 'queued'; conn: number; remote: Address; position: number }
  /** Serial mode: a queued connection's turn came, after `waitedMs` in the queue. */
  | { event: 'served'; conn: number; waitedMs: number; servedBy: ServedBy }
  /** One read as the handler got it (at most `recvSize` bytes). */
  | { event: 'recv'; conn: number; bytes: number; hex: string; truncated: boolean }
  /** With framing on: one complete message recovered from the stream (payload only, no prefix). */
  | { event: 'message'; conn: number; bytes: number; hex: string; truncated: boolean; frame: Framing }
  /**
   * One write on the connection: the handler's reply, or (`by: 'panel'`) a message the learner sent
   * from the server panel (net.server.send). Both carry the first EVENT_HEX_BYTES of the bytes as hex
   * (`truncated`: more were written than kept); events recorded before issue 14 carry only the size.
   */
  | { event: 'send'; conn: number; bytes: number; by?: 'panel'; hex?: string; truncated?: boolean }
  | { event: 'close'; conn: number; reason: CloseReason }
  /** A connection refused because `maxConnections` were open; `dropped` counts them all so far. */
  | { event: 'drop'; remote: Address; dropped: number }
  /**
   * A datagram, reported when its handler begins: `servedBy` the thread that handles it (threading:
   * its own worker thread; serial: the server's one thread; async: the event loop), after `waitedMs`
   * since it arrived (serial: behind the datagrams before it; threading: for a free or starting thread).
   */
  | { event: 'datagram'; from: Address; bytes: number; hex: string; truncated: boolean; servedBy?: ServedBy; waitedMs?: number; startup?: ServeStartup }
  /** A reply datagram (or `by: 'panel'`, one sent from the server panel); hex as for `send`. */
  | { event: 'sendto'; to: Address; bytes: number; hex?: string; truncated?: boolean; by?: 'panel' }
  | { event: 'error'; conn?: number; error: LabErrorData }
  | { event: 'closed' }
  /**
   * Threading/forking (issue 9): `ready` spare threads or processes are started and waiting for a
   * connection, of the `of` the server keeps; sent whenever that changes (a spare became ready, was
   * taken by a connection, or exited), so a client can wait for `ready === of` instead of sleeping.
   */
  | { event: 'spares'; ready: number; of: number; deferred?: number }
)

export interface TcpSendResult {
  local: Address
  remote: Address
  bytesSent: number
  bytesReceived: number
  /** The reply decoded with the chosen encoding; with framing, the first whole message's payload. */
  reply: string
  /** The reply's bytes as they came (framing header included). */
  replyHex: string
  elapsedMs: number
}

const payload = string({ max: MAX_PAYLOAD_CHARS })
/** The one-shot client's timeouts (issue 14: settings, not a fixed 5 s): the range both take, and the default. */
export const ONE_SHOT_TIMEOUT_MS = { min: 1, max: 60_000, default: 5_000 } as const
const timeoutMs = int({ min: ONE_SHOT_TIMEOUT_MS.min, max: ONE_SHOT_TIMEOUT_MS.max })
const handlerSpec = refine(string({ min: 1, max: 16 }), handlerProblem)

export const netMethods = {
  'net.tcpServer.start': method<ServerInfo>()(
    object({
      host: optional(host()),
      port: optional(port()),
      mode: optional(oneOf(SERVER_MODES)),
      handler: optional(handlerSpec),
      /** Each read hands the handler at most this many bytes, like `recv(1024)`. */
      recvSize: optional(int({ min: 1, max: MAX_RECV_SIZE })),
      /** Pause after each read before reading again (a slow handler): sends pile up and merge. */
      readDelayMs: optional(int({ min: 0, max: 10_000 })),
      frame: optional(oneOf(FRAMINGS), 'none'),
      maxFrameBytes: optional(int({ min: 1, max: DEFAULT_MAX_FRAME_BYTES })),
      /** Close a connection silent for this long; 0 never. Default DEFAULT_IDLE_TIMEOUT_MS. */
      idleTimeoutMs: optional(int({ min: 0, max: 3_600_000 })),
      /** The listen backlog, like socketserver's `request_queue_size` (default 5); at most the OS's somaxconn. */
      requestQueueSize: optional(int({ min: 1, max: MAX_REQUEST_QUEUE_SIZE })),
      /** Threads or processes kept ready (threading, forking); default DEFAULT_SPARES. */
      spares: optional(int({ min: 1, max: MAX_SPARES })),
      /** Connections open at once (queued ones count); more are dropped and reported. Default 2000. */
      maxConnections: optional(int({ min: 1, max: 10_000 })),
      /** Consent to listen on every interface: any spelling of 0.0.0.0 or :: is refused without it. */
      allInterfaces: optional(boolean()),
    }),
  ),
  'net.udpServer.start': method<ServerInfo>()(
    object({
      host: optional(host()),
      port: optional(port()),
      handler: optional(handlerSpec),
      /** serial, threading or async (default): who handles each datagram. */
      mode: optional(oneOf(UDP_SERVER_MODES)),
      /** Threading: threads kept ready ahead of datagrams (default DEFAULT_UDP_SPARES). */
      spares: optional(int({ min: 1, max: MAX_SPARES })),
      /** Datagrams larger than this are refused (not answered) with ERR_DATAGRAM_TOO_LARGE. */
      maxDatagramBytes: optional(int({ min: 1, max: MAX_DATAGRAM_BYTES })),
      /**
       * Join this IPv4 multicast group (224.0.0.0/4; `addMembership`). The server then binds the
       * group address itself unless `host` is 0.0.0.0 (every interface, with consent): a socket bound
       * to 127.0.0.1 receives only datagrams addressed to 127.0.0.1, never the group's.
       */
      multicastGroup: optional(host()),
      /** The interface (its IPv4 address) to join the group on; default 127.0.0.1, loopback. Another needs allInterfaces. */
      multicastInterface: optional(host()),
      /** Consent to listen on every interface: any spelling of 0.0.0.0 or :: is refused without it. */
      allInterfaces: optional(boolean()),
    }),
  ),
  'net.server.stop': method<{ id: string }>()(object({ id: string({ min: 1, max: 64 }) })),
  'net.server.list': method<ServerInfo[]>()(object({})),
  'net.tcp.send': method<TcpSendResult>()(
    object({
      host: host(),
      port: int({ min: 1, max: 65535 }),
      message: payload,
      /** Both timeouts at once (the older field); `connectTimeoutMs`/`replyTimeoutMs` win over it. */
      timeoutMs: optional(timeoutMs),
      /** How long to wait for the connection to be accepted (default 5000). */
      connectTimeoutMs: optional(timeoutMs),
      /** After connecting, how long to wait for the first reply bytes (default 5000). */
      replyTimeoutMs: optional(timeoutMs),
      /** `message` is hex digits, two per byte (spaces and colons between bytes allowed). */
      hex: optional(boolean()),
      /** How `message` is encoded and the reply decoded. */
      encoding: optional(oneOf(['utf8', 'gbk'] as const), 'utf8'),
      /** Send `message` as one framed message; the reply ends with the first whole framed message. */
      frame: optional(oneOf(FRAMINGS), 'none'),
    }),
  ),
}

export interface NetEvents {
  'net.server': ServerEvent
}
