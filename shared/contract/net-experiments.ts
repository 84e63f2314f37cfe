/**
 * The two network experiments, both on real sockets over 127.0.0.1:
 * - the sticky-packet experiment (粘包): the sender's send() boundaries against the receiver's
 *   recv() chunks, the framed messages recovered, and the same messages as UDP datagrams;
 * - serial vs concurrent servers: K clients × M request/reply round trips against a server in
 *   each concurrency mode, with per-client waiting, latency percentiles, throughput, a timeline.
 */
import { array, boolean, int, object, oneOf, optional, string } from '../schema'
import { SERVER_MODES, type ServedBy, type ServerMode } from './net'
import { CLIENT_FRAMINGS, TEXT_ENCODINGS, type ClientFraming, type TextEncoding } from './net-clients'
import type { SocketState } from './os'
import { method } from './spec'
import { runIdInput, type RunCancelled } from './runs'

// ── Sticky packets ─────────────────────────────────────────────────────────────

/** What the experiment sends when the learner has not written messages of their own (the page's form and `lab sticky`). */
export const STICKY_DEFAULT_MESSAGES: readonly string[] = ['hello', 'world', 'sticky']
export const STICKY_MAX_MESSAGES = 100
export const STICKY_MAX_MESSAGE_CHARS = 4_096
/** gapMs × (messages − 1) may be at most this long; more → ERR_LIMIT. */
export const STICKY_MAX_SEND_SPAN_MS = 20_000
/** readDelayMs × (number of reads the run needs) may be at most this long; more → ERR_LIMIT. */
export const STICKY_MAX_READ_SPAN_MS = 30_000
/** Hex kept per chunk/message in the result (bytes); `bytes` is always exact. */
export const STICKY_HEX_BYTES = 1_024

export interface StickySettings {
  messages: string[]
  /** Pause between the sender's send() calls, ms. 0 = back to back. */
  gapMs: number
  /** The reader's `recv(n)`: each read hands over at most n bytes (UDP: the rest of a bigger datagram is lost). */
  recvSize: number
  /**
   * The reader sleeps this long before each recv() (UDP: each recvfrom()); meanwhile bytes pile up
   * in the kernel buffer. Datagrams wait there too, but keep their boundaries however late they are read.
   */
  readDelayMs: number
  /** Sender's TCP_NODELAY: true = Nagle off. */
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
  udp: boolean
}

/** One sender send(): where its bytes sit in the byte stream. Times are ms since the run started. */
export interface StickySend {
  index: number
  /** First byte's offset in the stream (framing headers included). */
  offset: number
  bytes: number
  /** Bytes of the message itself (without framing header or newline). */
  payloadBytes: number
  hex: string
  text: string
  at: number
}

/** One receiver recv(): the bytes it returned and where they sit in the stream. */
export interface StickyRecv {
  index: number
  offset: number
  bytes: number
  hex: string
  /** Decoded with the run's encoding; a character cut by the chunk edge shows as U+FFFD. */
  text: string
  at: number
  /** Indexes of the sends whose bytes this chunk holds (one → clean; several → merged; a send in several chunks → split). */
  sends: number[]
  /**
   * Bytes waiting in the kernel's receive buffer of the reader's socket just before this recv(),
   * read from the OS while the reader slept (Linux /proc/net/tcp, macOS netstat). Null when not
   * read: no reader delay, past the first STICKY_KERNEL_SAMPLES reads, or an OS that does not tell.
   */
  kernelBytes: number | null
  /** Bytes Node had already taken from the kernel before this recv() (they sit in the lab's own buffer, not the kernel's). */
  bufferedBytes: number
}

/** The kernel's receive buffer is read before at most this many recv() calls of a run. */
export const STICKY_KERNEL_SAMPLES = 50

/**
 * After the run both sockets are closed; the sender closed first (it sent its FIN when it had sent
 * everything), so its end of the connection is the one TCP keeps in TIME_WAIT.
 */
export interface StickyClose {
  closedFirst: 'sender'
  /** The sender's end as the kernel has it after the close: TIME_WAIT, or null where the OS does not tell. */
  senderState: SocketState | null
  /** ms until the TIME_WAIT socket disappears (Linux); null where unknown. */
  timerMs: number | null
  /** The receiver's end: null = gone (it closed second, so nothing waits on its side). */
  receiverState: SocketState | null
  senderPort: number
  receiverPort: number
}

/** A complete message recovered by the framing decoder (frame ≠ none). */
export interface StickyMessage {
  index: number
  bytes: number
  hex: string
  text: string
  at: number
  /** Exactly equal to the message sent with the same index. */
  matches: boolean
}

/** One datagram in the UDP half: one sendto(), and the one recvfrom() that got it. */
export interface StickyDatagram {
  index: number
  bytes: number
  /** Bytes recvfrom(recvSize) returned: min(bytes, recvSize); the rest of that datagram is lost. */
  received: number
  /** Bytes of this datagram thrown away because recvSize was smaller (0 normally). */
  discarded: number
  hex: string
  text: string
  sentAt: number
  /** null when the datagram never arrived within the wait. */
  receivedAt: number | null
  /**
   * Just before the recvfrom() that took this datagram, while the receiver slept: the kernel memory
   * the datagrams waiting in its receive buffer took (Linux /proc/net/udp rx_queue: each datagram's
   * buffer, so more than its payload), and how many datagrams (and payload bytes) the sender had
   * sent that the receiver had not taken yet — all of them in the kernel, as the receiver reads
   * nothing while it sleeps. Null when not read (no reader delay, past STICKY_KERNEL_SAMPLES, an OS that does not tell).
   */
  kernelBytes: number | null
  waitingDatagrams: number | null
  waitingBytes: number | null
}

export interface StickyUdpResult {
  datagrams: StickyDatagram[]
  /** Datagrams that arrived (over loopback: all of them). */
  received: number
  /**
   * True: the receiver really slept — it read nothing from the kernel between its recvfrom() calls,
   * so datagrams waited in the kernel's receive buffer. False: this Node cannot pause a UDP socket
   * (a private handle method moved), and every datagram was taken from the kernel on arrival.
   */
  slept: boolean
}

export interface StickyRunResult {
  settings: StickySettings
  /** `Date.now()` at the start; every `at` in the result is ms after this (fractional). */
  startedAt: number
  elapsedMs: number
  /** Total bytes the sender wrote (headers included) = total bytes the receiver read. */
  totalBytes: number
  sends: StickySend[]
  recvs: StickyRecv[]
  /** Recovered messages; empty when frame is 'none'. */
  messages: StickyMessage[]
  /** Convenience counts for the view's summary: recvs that hold several sends / sends cut over several recvs. */
  merged: number
  split: number
  /** The same messages as datagrams (only when `udp: true`). */
  udp: StickyUdpResult | null
  /** What the kernel showed after both ends closed; null where the OS does not tell. */
  close: StickyClose | null
  /** Set when the run was cancelled (run.cancel): the sends and reads above are those done before it. */
  cancelled?: RunCancelled
}

// ── Serial vs concurrent ───────────────────────────────────────────────────────

/** The servers' concurrency modes (net.ts). */
export const COMPARE_MODES = SERVER_MODES
export type CompareMode = ServerMode
export const COMPARE_MAX_CLIENTS = 64
/** What `net.compare.run` uses for a field it is not given (the page's form and the CLI start from these). */
export const COMPARE_DEFAULTS = { clients: 4, messages: 5, bytes: 32, handler: 'delay:20' } as const
export const COMPARE_MAX_MESSAGES = 1_000
export const COMPARE_MAX_BYTES = 4_096
/** Timeline entries kept per mode; beyond it every n-th exchange is kept (timelineSampled). */
export const COMPARE_MAX_TIMELINE = 5_000
/** A handler: 'upper' | 'echo' | 'reverse' | 'delay:<ms>' (reply upper-cased after ms). */
export const COMPARE_HANDLER_PATTERN = /^(?:upper|echo|reverse|delay:\d{1,4})$/
/** The longest `delay:<ms>` COMPARE_HANDLER_PATTERN admits: its four digits. */
export const COMPARE_MAX_DELAY_MS = 9_999

/**
 * One request/reply round trip, ms since the mode's run started: `start` when the request was
 * written, `end` when the whole reply was in. A client's first exchange (`seq` 0) also holds the
 * time it waited to be served at all (the queue, in serial mode): draw it as waiting up to
 * `end − the server's service time`, or simply in another shade.
 */
export interface CompareExchange {
  client: number
  seq: number
  start: number
  end: number
}

export interface CompareClientResult {
  client: number
  /** When this client began connecting / got its first reply (ms since the mode's start). */
  connectAt: number
  firstReplyAt: number | null
  /**
   * How long it waited before anything served it, never counting the handler's own delay:
   * connectMs (the kernel's accept queue; a dropped SYN is retried after 1 s) + serverWaitMs.
   */
  waitMs: number | null
  /** connect() until the handshake completed. */
  connectMs: number | null
  /** Accepted until served: the serial queue, or waiting for a thread or process to be ready (0 for async). */
  serverWaitMs: number | null
  /** connect() until the first reply (includes one handler run). */
  firstReplyMs: number | null
  /** First reply until the last: the rest of its messages being served. */
  serviceMs: number | null
  /** Its connect took ≥ 1 s: a SYN was dropped because the listen backlog (accept queue) was full, and retried. */
  retried: boolean
  /** Threading/forking: served by a spare that was ready, or by one it waited for (and that one's start-up). */
  startup: { spare: boolean; waitedMs: number; threadStartMs: number | null } | null
  doneAt: number | null
  messages: number
  wrong: number
  p50Ms: number
  p99Ms: number
  error: string | null
  /** What served this client, as the server reported it (a thread's OS id, a child's PID, the loop, the queue). */
  servedBy: ServedBy | null
  /**
   * When the server announced the connection with what serves it, ms since the mode's start (the
   * server's clock, ±1 ms): in threading mode only once the thread has started, in forking mode once
   * the child was spawned; null when the server did not tell.
   */
  announcedAt: number | null
  /** Serial mode: how long the server kept this connection in its queue before serving it; else null. */
  queuedMs: number | null
  /**
   * Python rows: the server does not say when it served a client, so `serverWaitMs` is derived from
   * the client's side: first reply − connect − one handler delay (the rest of one round trip counts as wait).
   */
  waitDerived?: boolean
}

/** Python's socketserver class run for a mode in the comparison (the course's servers). */
export const PYTHON_COMPARE_CLASSES = { serial: 'TCPServer', threading: 'ThreadingTCPServer', forking: 'ForkingTCPServer' } as const
export type PythonCompareMode = keyof typeof PYTHON_COMPARE_CLASSES

export interface CompareModeResult {
  mode: CompareMode
  /** Whose server: the lab's (absent = lab, for runs saved before Python rows) or Python's socketserver (`pythonClass`). */
  server?: 'lab' | 'python'
  pythonClass?: string
  /** The server that answered (its port), started for this run and stopped after it. */
  port: number
  /** Wall time from the first connect to the last reply. */
  totalMs: number
  /** Completed round trips ÷ totalMs. */
  msgsPerSec: number
  /** Percentiles over every round trip of every client (ms). */
  p50Ms: number
  p99Ms: number
  maxMs: number
  messages: number
  /** Replies that were not what the handler should answer. */
  wrong: number
  /** Clients that failed (connection refused/reset, timeout); their error is in `clients`. */
  failed: number
  clients: CompareClientResult[]
  timeline: CompareExchange[]
  /** true when the timeline holds only every n-th exchange (more than COMPARE_MAX_TIMELINE). */
  timelineSampled: boolean
  /** The listen backlog this run used (socketserver's request_queue_size). */
  requestQueueSize: number
  /** Clients whose connect was dropped and retried (≥ 1 s): the accept queue was full. */
  retried: number
  /** Percentiles over clients (ms). */
  firstReply: { p50: number; p99: number; max: number }
  wait: { p50: number; p99: number; max: number }
}

export interface CompareRunResult {
  runId: string
  settings: { clients: number; messages: number; bytes: number; handler: string; modes: CompareMode[]; requestQueueSize: number; python?: boolean }
  /** When Python rows were asked for: the Python that ran them, or why there are none (no python3; Windows has no fork). */
  python?: { version: string | null; skipped: string[] }
  startedAt: number
  elapsedMs: number
  modes: CompareModeResult[]
  /** Set when the run was cancelled (run.cancel): `modes` holds the modes that finished before it. */
  cancelled?: RunCancelled
}

export const netExperimentMethods = {
  /**
   * Runs the sticky-packet experiment once on 127.0.0.1 (its own receiver on port 0 and a sender).
   * Defaults: gapMs 0, recvSize 1024, readDelayMs 200, nodelay false, frame 'none', encoding 'utf8', udp false.
   */
  'net.sticky.run': method<StickyRunResult>()(
    object({
      messages: array(string({ max: STICKY_MAX_MESSAGE_CHARS }), { min: 1, max: STICKY_MAX_MESSAGES }),
      gapMs: optional(int({ min: 0, max: 5_000 }), 0),
      /** The course's `recv(1024)`. */
      recvSize: optional(int({ min: 1, max: 65_536 }), 1024),
      /** Long enough that the sends pile up in the kernel and merge. */
      readDelayMs: optional(int({ min: 0, max: 5_000 }), 200),
      nodelay: optional(boolean(), false),
      frame: optional(oneOf(CLIENT_FRAMINGS), 'none'),
      encoding: optional(oneOf(TEXT_ENCODINGS), 'utf8'),
      udp: optional(boolean(), false),
      runId: runIdInput(),
    }),
  ),
  /**
   * For each mode in turn: starts a lab TCP server in that mode on 127.0.0.1:0 with `handler`, runs
   * `clients` persistent clients each doing `messages` closed-loop round trips of `bytes` bytes, stops
   * the server. Defaults: clients 4, messages 5, bytes 32, handler 'delay:20', modes all four.
   */
  'net.compare.run': method<CompareRunResult>()(
    object({
      clients: optional(int({ min: 1, max: COMPARE_MAX_CLIENTS })),
      messages: optional(int({ min: 1, max: COMPARE_MAX_MESSAGES })),
      bytes: optional(int({ min: 1, max: COMPARE_MAX_BYTES })),
      handler: optional(
        string({ min: 1, max: 16, pattern: COMPARE_HANDLER_PATTERN, patternHint: { en: "must be 'upper', 'echo', 'reverse' or 'delay:<ms>'", zh: "只能是 'upper'、'echo'、'reverse' 或 'delay:<毫秒>'" } }),
      ),
      modes: optional(array(oneOf(COMPARE_MODES), { min: 1, max: 4 })),
      /** The listen backlog for every mode (default 5, socketserver's); more clients than this connecting at once see dropped SYNs. */
      requestQueueSize: optional(int({ min: 1, max: 4096 })),
      runId: runIdInput(),
      /** Also run Python's own TCPServer / ThreadingTCPServer / ForkingTCPServer for the chosen modes (where python3 exists). */
      python: optional(boolean()),
    }),
  ),
}
