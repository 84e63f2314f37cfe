/**
 * The course's communication loop, written the way Python runs it in a `ThreadingTCPServer` thread:
 *
 *     while True:
 *         data = self.request.recv(1024)   # blocks in the kernel until bytes or EOF
 *         if not data: break
 *         self.request.send(data.upper())
 *
 * `readSync`/`writeSync` on the connection's (blocking) descriptor are those `recv`/`send` system
 * calls, made by the thread that runs this loop. Framing, `recv(n)` sizes, a read delay and the
 * `delay:<ms>` handler behave as in the main thread's `Session`.
 */
import fs from 'node:fs'
import type { CloseReason } from '../../../shared/contract'
import { LabError } from '../lab-error'
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './framing'
import { applyHandler, type HandlerPlan } from './handlers'
import type { SessionEvent, SessionOptions } from './session'
import { BLOCKING_READ_BYTES } from '../../../shared/budgets'

/**
 * Where the loop reports what it does. The per-message events have their own calls, so that the
 * serving side can record them without building event objects (event-records.ts).
 */
export interface LoopIo {
  /** Sleeps `ms`; false if the server is stopping (the sleep ended early). */
  sleep(ms: number): boolean
  recv(bytes: number, data: Buffer): void
  message(bytes: number, data: Buffer): void
  /** One reply written; `data` its bytes (the recorder keeps the first EVENT_HEX_BYTES). */
  sent(bytes: number, data: Buffer): void
  /** Anything else (an error). */
  event(e: SessionEvent): void
  /** Running totals; `held`: bytes of an unfinished message the decoder keeps now. */
  count(bytesIn: number, bytesOut: number, messages: number, held: number): void
  /**
   * The budget refused this connection's unfinished message; the loop ends ('error'). The caller's
   * main thread reports ERR_LIMIT: it has the budget registry, which a connection thread does not load.
   */
  overBudget(): void
  /**
   * Around each reply's write and its `sent` record (a connection thread, shared-conn.ts): the send
   * lock that keeps a message from the server panel out of the middle of a reply (server-send.ts).
   * A child has none: the panel does not write on a forked connection.
   */
  lockSend?(): void
  unlockSend?(): void
}

/** What the loop takes its buffered bytes from: the lab-wide budget (budgets.ts), or a child's report of it. */
export interface HeldBudget {
  readonly limit: number
  take(n: number): boolean
  give(n: number): void
}

/** One read's size without recv(n) (shared/budgets.ts). */
const DEFAULT_READ = BLOCKING_READ_BYTES

/** The held-bytes budget said no (reported through `LoopIo.overBudget`). */
class OverBudget extends Error {}

/** Runs the loop on `fd` until the client closes or an error ends it; never closes `fd` (its owner does). */
export function runBlockingLoop(fd: number, opts: SessionOptions, plan: HandlerPlan, io: LoopIo, budget?: HeldBudget): CloseReason {
  const buf = Buffer.allocUnsafe(opts.recvSize ?? DEFAULT_READ)
  const decoder = opts.frame === 'none' ? null : new FrameDecoder(opts.frame, opts.maxFrameBytes)
  let bytesIn = 0
  let bytesOut = 0
  let messages = 0
  /** Bytes of an unfinished message held now, taken from the lab-wide budget. */
  let held = 0
  const send = (reply: Buffer) => {
    io.lockSend?.()
    try {
      for (let at = 0; at < reply.length; ) at += fs.writeSync(fd, reply, at, reply.length - at)
      bytesOut += reply.length
      // Recorded before the lock is let go: the panel's send, which drains the record first, shows after it.
      io.sent(reply.length, reply)
    } finally {
      io.unlockSend?.()
    }
  }
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return 'client'
      // The decoder may keep the bytes of an unfinished message: give it its own copy.
      const piece = decoder ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n)
      bytesIn += n
      io.recv(n, piece)
      if (!decoder) {
        // The course's loop exactly: one read, one handler call, one reply (no framing).
        if (plan.delayMs > 0 && !io.sleep(plan.delayMs)) return 'server'
        const out = applyHandler(plan.name, piece)
        if (out.length > 0) send(out)
      } else {
        let payloads: Buffer[]
        try {
          payloads = decoder.push(piece)
        } catch (err) {
          if (err instanceof FrameTooLargeError) for (const m of err.decoded) io.message(m.length, m)
          throw err
        }
        if (decoder.pendingBytes !== held) {
          if (budget && !budget.take(decoder.pendingBytes - held)) throw new OverBudget()
          held = decoder.pendingBytes
        }
        for (const m of payloads) {
          messages++
          io.message(m.length, m)
        }
        for (const p of payloads) {
          if (plan.delayMs > 0 && !io.sleep(plan.delayMs)) return 'server'
          const out = applyHandler(plan.name, p)
          if (out.length > 0) send(encodeFrame(opts.frame, out))
        }
      }
      io.count(bytesIn, bytesOut, messages, held)
      if (opts.readDelayMs > 0 && !io.sleep(opts.readDelayMs)) return 'server'
    }
  } catch (err) {
    if (err instanceof OverBudget) {
      io.overBudget()
      return 'error'
    }
    const code = (err as NodeJS.ErrnoException).code
    // ECONNRESET: the client reset; EPIPE/ENOTCONN/EAGAIN: the server aborted the connection to wake this read.
    if (code === 'ECONNRESET') return 'reset'
    if (code === 'EPIPE' || code === 'ENOTCONN' || code === 'EAGAIN' || code === 'EBADF') return 'server'
    io.event({ event: 'error', error: (err instanceof LabError ? err : new LabError('ERR_INTERNAL', String((err as Error).message ?? err))).toData() })
    return 'error'
  } finally {
    budget?.give(held)
    io.count(bytesIn, bytesOut, messages, 0)
  }
}
