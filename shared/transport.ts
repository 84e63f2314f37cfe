/** The browser-mode WebSocket protocol. One request per message; events arrive in batches. */
import type { Result } from './errors'
import { MAX_CLIENT_SEND_SPAN_MS, type LabEvent } from './contract'

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
 * How long the page waits for the answer to one call before it fails with ERR_TIMEOUT: longer
 * than the longest run the contract allows (a one-shot client's sends may span
 * MAX_CLIENT_SEND_SPAN_MS), so only an engine that stopped answering hits it.
 */
export const CALL_TIMEOUT_MS = MAX_CLIENT_SEND_SPAN_MS + 60_000
/** After the socket closes, the page tries again after this wait, doubling up to RECONNECT_MAX_MS. */
export const RECONNECT_FIRST_MS = 250
export const RECONNECT_MAX_MS = 4_000
