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
