/** The browser-mode WebSocket protocol. One request per message; events arrive in batches. */
import type { Result } from './errors'
import type { LabEvent } from './contract'

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
