import type { CloseReason } from '../../../shared/contract'
import type { SessionOptions } from './session'

/**
 * What a spare connection thread (`tcp-handler-thread`, `owns` design) is given as it starts, in its
 * workerData: everything it needs to serve except the descriptor, which comes later through the
 * shared memory's hand-over word (shared-conn.ts, `handOver`), so that taking a spare wakes one
 * futex and deserialises nothing.
 */
export interface SpareThreadData {
  handler: string
  options: SessionOptions
  /** shared-conn.ts: events, totals, the stop and hand-over words. */
  shared: SharedArrayBuffer
  bufferBudget: SharedArrayBuffer
  bufferLimit: number
}

/** Thread → main. */
export type FromConnThread = { ready: true; tid: number | null } | { done: true; reason: CloseReason }
