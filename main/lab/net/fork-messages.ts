import type { CloseReason } from '../../../shared/contract'
import type { SessionEvent, SessionOptions } from './session'

/** Parent → child (`tcp-handler-child`). `serve` carries the accepted socket as its handle. */
export type ToForkChild =
  /** blocking: run the course's blocking loop on the descriptor (Linux), events on the event pipe (fd 4). */
  | { type: 'serve'; handler: string; options: SessionOptions; blocking: boolean }
  | { type: 'stop' }

/** Child → parent. Events travel in batches with running totals, so the parent's counts stay exact. */
export type FromForkChild =
  | { type: 'ready'; pid: number }
  | { type: 'events'; events: SessionEvent[]; bytesIn: number; bytesOut: number; messages: number }
  | { type: 'closed'; reason: CloseReason }
