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
import { applyHandler, applyHandlerInto, type HandlerPlan } from './handlers'
import type { SessionEvent, SessionOptions } from './session'
import { BLOCKING_READ_BYTES } from '../../../shared/budgets'

/**
 * Where the loop reports what it does. The per-message events have their own calls, so that the
 * serving side can record them without building event objects (event-records.ts).
 */
export interface LoopIo {
  /** Where to read into, if the recorder has a buffer of its own for that (shared-conn.ts); else the loop allocates one. */
  readBuffer?(size: number): Buffer
  /** Sleeps `ms`; false if the server is stopping (the sleep ended early). */
  sleep(ms: number): boolean
  /**
   * One read: its bytes are the first `bytes` of `data`, which may be longer (the loop's own read
   * buffer, reused: the recorder copies what it keeps, at most EVENT_HEX_BYTES, before returning).
   */
  recv(bytes: number, data: Buffer): void
  message(bytes: number, data: Buffer): void
  /** One reply written: the first `bytes` of `data`, as for `recv`. */
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

// Looked up once: a bundled `fs.readSync` is two property loads per call, paid in every cold thread.
const { readSync, writeSync } = fs

/**
 * The course's loop exactly (no framing, no read delay): one read, one handler call, one reply.
 * Kept lean on purpose, because every connection thread is a fresh V8 isolate that runs this loop
 * cold — interpreted at first, then compiled by V8 for that thread alone — so each call and each
 * allocation per message is paid again in every thread (measured: issue 9). Hence:
 * - the reply is made in the read buffer itself (its recv event's bytes are already copied): no new
 *   Buffer per message;
 * - the recorder is called directly (the thread passes its shared memory as `io`), and `fs`'s
 *   functions are looked up once.
 */

function courseLoop(fd: number, buf: Buffer, plan: HandlerPlan, io: LoopIo, totals: { bytesIn: number; bytesOut: number }, rounds = -1): CloseReason {
  const { name, delayMs } = plan
  let bytesIn = 0
  let bytesOut = 0
  try {
    // `rounds` < 0: until the client closes (a connection); > 0: that many rounds (`warmCourseLoop`).
    for (let left = rounds; left !== 0; left--) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return 'client'
      bytesIn += n
      io.recv(n, buf)
      if (delayMs > 0 && !io.sleep(delayMs)) return 'server'
      const length = applyHandlerInto(name, buf, n, buf)
      if (length > 0) {
        // The send lock around the write and its record, as in `send` below (server-send, issue 14).
        io.lockSend?.()
        try {
          for (let at = 0; at < length; ) at += writeSync(fd, buf, at, length - at)
          bytesOut += length
          io.sent(length, buf)
        } finally {
          io.unlockSend?.()
        }
      }
      io.count(bytesIn, bytesOut, 0, 0)
    }
    return 'server'
  } finally {
    totals.bytesIn = bytesIn
    totals.bytesOut = bytesOut
  }
}

/** What a warm-up round reads: one course message's worth, not a 64 KiB read buffer. */
const WARM_RECV = 64

/**
 * Runs the course loop `rounds` times on `/dev/zero` (reads give zero bytes, writes are dropped),
 * recording into `scratch`, before a connection thread says it is ready: the loop, `fs.readSync`/
 * `writeSync` with Node's argument checks, the handler and the recorder are then compiled
 * already, so the connection's first reply does not wait for V8 to compile them (lazily, on first
 * call, in every fresh isolate). Measured, one connection at a time with a ready spare: first reply
 * p50 4–6 ms cold, 1.7–2.5 ms after one round (issue 9). It never touches the connection's socket
 * (a spare has none yet) and costs 2 × `rounds` system calls on `/dev/zero`. False where there is
 * no `/dev/zero`: the thread then starts cold, as before.
 */
export function warmCourseLoop(plan: HandlerPlan, scratch: LoopIo, rounds: number, options?: SessionOptions): boolean {
  let fd = -1
  try {
    fd = fs.openSync('/dev/zero', 'r+')
    const given = scratch.readBuffer?.(WARM_RECV)
    const buf = given && given.length === WARM_RECV ? given : Buffer.allocUnsafe(WARM_RECV)
    // Without the handler's delay: a warm-up never sleeps.
    courseLoop(fd, buf, { ...plan, delayMs: 0 }, scratch, { bytesIn: 0, bytesOut: 0 }, rounds)
    fs.closeSync(fd)
    fd = -1
    // With the connection's options known: runBlockingLoop itself once, on /dev/null (its first read
    // is end-of-file, so it returns at once), so that the hand-over does not also compile its way
    // in (measured: 0.5–0.6 ms from a spare thread's wake to its first recv before this, ~0.1 after).
    if (options) {
      fd = fs.openSync('/dev/null', 'r+')
      runBlockingLoop(fd, options, { ...plan, delayMs: 0 }, scratch)
    }
    return true
  } catch {
    return false
  } finally {
    if (fd >= 0) fs.closeSync(fd)
  }
}

/** Runs the loop on `fd` until the client closes or an error ends it; never closes `fd` (its owner does). */
export function runBlockingLoop(fd: number, opts: SessionOptions, plan: HandlerPlan, io: LoopIo, budget?: HeldBudget): CloseReason {
  const size = opts.recvSize ?? DEFAULT_READ
  const given = io.readBuffer?.(size)
  const buf = given && given.length === size ? given : Buffer.allocUnsafe(size)
  const decoder = opts.frame === 'none' ? null : new FrameDecoder(opts.frame, opts.maxFrameBytes)
  let bytesIn = 0
  let bytesOut = 0
  let messages = 0
  /** Bytes of an unfinished message held now, taken from the lab-wide budget. */
  let held = 0
  const send = (reply: Buffer, length = reply.length) => {
    io.lockSend?.()
    try {
      for (let at = 0; at < length; ) at += fs.writeSync(fd, reply, at, length - at)
      bytesOut += length
      // Recorded before the lock is let go: the panel's send, which drains the record first, shows after it.
      io.sent(length, reply)
    } finally {
      io.unlockSend?.()
    }
  }
  try {
    if (!decoder && opts.readDelayMs === 0) {
      const totals = { bytesIn: 0, bytesOut: 0 }
      try {
        return courseLoop(fd, buf, plan, io, totals)
      } finally {
        bytesIn = totals.bytesIn
        bytesOut = totals.bytesOut
      }
    }
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return 'client'
      bytesIn += n
      io.recv(n, buf)
      if (!decoder) {
        // The course's loop exactly: one read, one handler call, one reply (no framing). The reply
        // is made in the read buffer itself (the recv event's bytes are already copied): no new
        // Buffer per message, which a fresh thread would pay interpreted, message after message.
        if (plan.delayMs > 0 && !io.sleep(plan.delayMs)) return 'server'
        const length = applyHandlerInto(plan.name, buf, n, buf)
        if (length > 0) send(buf, length)
      } else {
        // The decoder may keep the bytes of an unfinished message: give it its own copy.
        const piece = Buffer.from(buf.subarray(0, n))
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
