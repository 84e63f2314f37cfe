import type { CloseReason } from '../../../shared/contract'
import type { SessionOptions } from './session'

/** Main → a spare connection thread (`tcp-handler-thread`, `owns` design): serve this descriptor. */
export interface ToConnThread {
  type: 'serve'
  fd: number
  options: SessionOptions
  /** shared-conn.ts: events, totals, the stop word. */
  shared: SharedArrayBuffer
  bufferBudget: SharedArrayBuffer
  bufferLimit: number
}

/** Thread → main. */
export type FromConnThread = { ready: true; tid: number | null } | { done: true; reason: CloseReason }
