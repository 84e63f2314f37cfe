/**
 * The lab-wide budgets, said once (issue 12): how many connection threads and processes, how many
 * buffered bytes, and what one browser page may ask of the lab. The engine and browser mode
 * enforce them, the README's budget table restates them and tests/unit/readme-budgets.test.ts
 * checks the two agree. Over a budget: ERR_LIMIT with the number.
 */
import type { ServerMode } from './contract/net'

/** Connection threads of all servers together (spares included): a Node worker costs ~10 MB and ~20 ms of CPU to start. */
export const LAB_THREAD_BUDGET = 128
/** Connection processes of all servers together (spares included): a Node child costs ~46 MB. Python's ForkingMixIn caps at 40 too. */
export const LAB_CHILD_BUDGET = 40
/** Bytes all connections together may hold for messages not yet complete and replies not yet taken. */
export const LAB_BUFFER_BYTES = 64 * 1024 * 1024

/** Connections one server keeps open when the request does not say `maxConnections`: one thread or process each in threading/forking. */
export const DEFAULT_MAX_CONNECTIONS: Readonly<Record<ServerMode, number>> = { serial: 2_000, async: 2_000, threading: 64, forking: 64 }

/** Browser mode: the largest request one page may send in one WebSocket message. */
export const PAGE_MAX_MESSAGE_BYTES = 1024 * 1024
/** Requests one page may have running at once (a request holds its slot until its answer is written); more are ERR_LIMIT. */
export const PAGE_MAX_IN_FLIGHT = 64
/** Answers and events queued for a page that does not read: above this, events are dropped (counted) and its requests no longer read. */
export const PAGE_PAUSE_BYTES = 8 * 1024 * 1024
/** A page whose queue still passes this many bytes is disconnected rather than allowed to grow the lab. */
export const PAGE_MAX_BUFFERED_BYTES = 16 * 1024 * 1024

// ── Caps inside the engine (issue 12: every queue, buffer, thread and child has a budget, said here) ──

/** Bytes one connection hands to an `ordered` handler and not answered yet, before its reading pauses. */
export const SESSION_MAX_IN_FLIGHT_BYTES = 1024 * 1024
/**
 * Reply bytes queued for one client that does not read, before the connection is cut (a server's
 * send from the panel is refused instead). Four times the kernel's largest default send buffer
 * on Linux, so a client that reads at all never meets it; a framed server adds one whole frame.
 */
export const SESSION_MAX_UNSENT_BYTES = 4 * 1024 * 1024
/** Datagrams one UDP server holds waiting (delayed replies, the serial queue); one more is not answered (ERR_LIMIT event). */
export const UDP_MAX_PENDING_DATAGRAMS = 1024
/** Threads one UDP server in threading mode runs at most (the lab-wide thread budget caps all servers together). */
export const UDP_MAX_THREADS = 32
/** Datagrams that may wait for a free UDP thread; past this a flood is refused, not queued. */
export const UDP_MAX_WAITING = 1024
/** A threading or forking server starts one thread or process per connection: its `maxConnections` may be at most this. */
export const MAX_WORKER_CONNECTIONS = 256
/** Process-tree watches running at once (each samples the OS every few hundred ms); a new one stops the oldest. */
export const OS_MAX_WATCHES = 16
/** Exercise checks running at once (each runs the learner's program). */
export const EXERCISE_MAX_CHECKS = 1
/** The serial row of a serial-vs-concurrent run may need at most this long (clients × messages × handler delay). */
export const COMPARE_MAX_SERIAL_SPAN_MS = 120_000
