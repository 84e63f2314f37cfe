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
import { EVENT_HEX_BYTES } from '../../../shared/contract'
import { LabError } from '../errors'
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './framing'
import { bufferError, type SharedBudget } from './budgets'
import { applyHandler, type HandlerPlan } from './handlers'
import { hexOf } from './server-events'
import type { SessionEvent, SessionOptions } from './session'

export interface LoopIo {
  /** Sleeps `ms`; false if the server is stopping (the sleep ended early). */
  sleep(ms: number): boolean
  event(e: SessionEvent): void
  count(bytesIn: number, bytesOut: number, messages: number): void
}

const DEFAULT_READ = 64 * 1024

/** Runs the loop on `fd` until the client closes or an error ends it; never closes `fd` (its owner does). */
export function runBlockingLoop(fd: number, opts: SessionOptions, plan: HandlerPlan, io: LoopIo, budget?: SharedBudget): CloseReason {
  const buf = Buffer.allocUnsafe(opts.recvSize ?? DEFAULT_READ)
  const decoder = opts.frame === 'none' ? null : new FrameDecoder(opts.frame, opts.maxFrameBytes)
  let bytesIn = 0
  let bytesOut = 0
  let messages = 0
  /** Bytes of an unfinished message held now, taken from the lab-wide budget. */
  let held = 0
  const send = (reply: Buffer) => {
    for (let at = 0; at < reply.length; ) at += fs.writeSync(fd, reply, at, reply.length - at)
    bytesOut += reply.length
    io.event({ event: 'send', bytes: reply.length })
  }
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return 'client'
      // The decoder may keep the bytes of an unfinished message: give it its own copy.
      const piece = decoder ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n)
      bytesIn += n
      io.event({ event: 'recv', bytes: n, hex: hexOf(piece), truncated: n > EVENT_HEX_BYTES })
      let payloads: Buffer[] = [piece]
      if (decoder) {
        try {
          payloads = decoder.push(piece)
        } catch (err) {
          if (err instanceof FrameTooLargeError) for (const m of err.decoded) io.event(messageEvent(m, opts))
          throw err
        }
        if (budget && decoder.pendingBytes !== held) {
          if (!budget.take(decoder.pendingBytes - held)) throw bufferError(budget.limit)
          held = decoder.pendingBytes
        }
        for (const m of payloads) {
          messages++
          io.event(messageEvent(m, opts))
        }
      }
      for (const p of payloads) {
        if (plan.delayMs > 0 && !io.sleep(plan.delayMs)) return 'server'
        const out = applyHandler(plan.name, p)
        if (out.length > 0) send(decoder ? encodeFrame(opts.frame, out) : out)
      }
      io.count(bytesIn, bytesOut, messages)
      if (opts.readDelayMs > 0 && !io.sleep(opts.readDelayMs)) return 'server'
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    // ECONNRESET: the client reset; EPIPE/ENOTCONN/EAGAIN: the server aborted the connection to wake this read.
    if (code === 'ECONNRESET') return 'reset'
    if (code === 'EPIPE' || code === 'ENOTCONN' || code === 'EAGAIN' || code === 'EBADF') return 'server'
    io.event({ event: 'error', error: (err instanceof LabError ? err : new LabError('ERR_INTERNAL', String((err as Error).message ?? err))).toData() })
    return 'error'
  } finally {
    budget?.give(held)
    io.count(bytesIn, bytesOut, messages)
  }
}

function messageEvent(m: Buffer, opts: SessionOptions): SessionEvent {
  return { event: 'message', bytes: m.length, hex: hexOf(m), truncated: m.length > EVENT_HEX_BYTES, frame: opts.frame }
}
