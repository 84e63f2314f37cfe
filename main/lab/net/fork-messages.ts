import type { CloseReason } from '../../../shared/contract'
import type { SessionEvent, SessionOptions } from './session'

/** Parent → child (`tcp-handler-child`). `serve` carries the accepted socket as its handle. */
export type ToForkChild =
  /** blocking: run the course's blocking loop on the descriptor (Linux), events on the event pipe (fd 4). */
  | { type: 'serve'; handler: string; options: SessionOptions; blocking: boolean }
  | { type: 'stop' }
  /**
   * Sent once to a spare as it says ready, with a handle it closes at once (the lab's end of the
   * child's own event pipe, kept open here): the child's first `serve` then finds Node's path for a
   * received socket compiled (fork-mode.ts, SpareChild).
   */
  | { type: 'warm' }

/** Child → parent. Events travel in batches with running totals, so the parent's counts stay exact. */
export type FromForkChild =
  | { type: 'ready'; pid: number }
  | { type: 'warmed' }
  | { type: 'events'; events: SessionEvent[]; bytesIn: number; bytesOut: number; messages: number }
  | { type: 'closed'; reason: CloseReason }
