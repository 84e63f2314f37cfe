/** The browser-mode WebSocket protocol. One request per message; events arrive in batches. */
import type { Result } from './errors'
import {
  COMPARE_MODES,
  EXERCISE_CHECK_DEADLINE_MS,
  MAX_CLIENT_SEND_SPAN_MS,
  ONE_SHOT_TIMEOUT_MS,
  RELAY_LIMITS,
  STICKY_MAX_READ_SPAN_MS,
  STICKY_MAX_SEND_SPAN_MS,
  UDP_REPLY_WAIT_MS,
  type LabEvent,
  type MethodName,
} from './contract'
import { COMPARE_MAX_SERIAL_SPAN_MS } from './budgets'
import { MAX_TOTAL_MS } from './task-spec'

export interface WsRequest {
  id: number
  method: string
  input: unknown
}

export type WsMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'events'; events: LabEvent[]; dropped: number }

/** Events are flushed at most this often (about one animation frame at 20 fps). */
export const EVENT_BATCH_MS = 50
/** A batch holds at most this many events; beyond it events are counted as dropped, never queued without bound. */
export const EVENT_BATCH_MAX = 2_000

/** What the Electron preload exposes as `window.lab`: one function per method, plus event subscription. */
export interface PreloadApi {
  methods: Record<string, (input: unknown) => Promise<Result<unknown>>>
  onEvents(callback: (batch: { events: LabEvent[]; dropped: number }) => void): () => void
}

/**
 * How long the page waits for the answer to one call before it fails with ERR_ENGINE_TIMEOUT (issue 12):
 * per method, from the contract's limits on how long that method may run, plus slack for start-up,
 * tear-down and a loaded machine; only an engine that stopped answering hits it. A quick call (a
 * list, a start, a stop) gets QUICK_CALL_TIMEOUT_MS.
 */
export const QUICK_CALL_TIMEOUT_MS = 30_000
/** Added to a long method's longest run. */
export const LONG_CALL_SLACK_MS = 60_000
/** The longest each long method may run by the contract's limits, ms. */
const LONGEST_RUN_MS: Partial<Record<MethodName, number>> = {
  // The sends' gaps, then the connect and the reply wait.
  'net.tcp.send': MAX_CLIENT_SEND_SPAN_MS + 2 * ONE_SHOT_TIMEOUT_MS.max,
  'net.udp.send': MAX_CLIENT_SEND_SPAN_MS + UDP_REPLY_WAIT_MS.max,
  'net.tcpClient.send': MAX_CLIENT_SEND_SPAN_MS,
  'net.server.send': MAX_CLIENT_SEND_SPAN_MS,
  // The TCP half and the UDP half, each sends then reads.
  'net.sticky.run': 2 * (STICKY_MAX_SEND_SPAN_MS + STICKY_MAX_READ_SPAN_MS),
  // Every row (each mode, and Python's beside it) takes at most what the serial row may.
  'net.compare.run': 2 * COMPARE_MODES.length * COMPARE_MAX_SERIAL_SPAN_MS,
  // 20 probes, each delayed and jittered at most this much both ways.
  'net.relay.probe': 2 * (RELAY_LIMITS.delayMs + RELAY_LIMITS.jitterMs) + QUICK_CALL_TIMEOUT_MS,
  // A run's tasks hold at most MAX_TOTAL_MS of work; serial runs all of it; a comparison runs three modes.
  'proc.run': MAX_TOTAL_MS,
  'proc.compare': 3 * MAX_TOTAL_MS,
  'proc.counter.run': 2 * QUICK_CALL_TIMEOUT_MS,
  'exercise.check': EXERCISE_CHECK_DEADLINE_MS,
}

export function callTimeoutMs(method: string): number {
  const longest = (LONGEST_RUN_MS as Record<string, number | undefined>)[method]
  return longest === undefined ? QUICK_CALL_TIMEOUT_MS : longest + LONG_CALL_SLACK_MS
}
/** After the socket closes, the page tries again after this wait, doubling up to RECONNECT_MAX_MS. */
export const RECONNECT_FIRST_MS = 250
export const RECONNECT_MAX_MS = 4_000
