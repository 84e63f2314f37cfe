import type net from 'node:net'
import type { CloseReason, Framing } from '../../../shared/contract'
import type { LabErrorData } from '../../../shared/errors'
import { fromNodeError, LabError } from '../errors'
import { drained } from './drained'
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './framing'
import { EVENT_HEX_BYTES } from '../../../shared/contract'
import { hexOf } from './server-events'
import { bufferBudget, bufferError } from './budgets'

/** How one connection's communication loop reads (docs/ARCHITECTURE.md, "Where the design differs from the course's Python": recv(n)). */
export interface SessionOptions {
  /** Each read hands over at most this many bytes (the course's `recv(1024)`); null = what the kernel gave. */
  recvSize: number | null
  /** Pause after each read, like a slow handler: what arrives meanwhile merges into the next read. */
  readDelayMs: number
  frame: Framing
  maxFrameBytes: number
  /** Close the connection after this long without traffic; 0 = never. */
  idleTimeoutMs: number
  /** Reply bytes queued for a client that does not read before the connection is cut (docs/SECURITY.md item 16). */
  maxBufferedBytes: number
}

/** What happens on one connection, before the server names the connection. */
export type SessionEvent =
  | { event: 'recv'; bytes: number; hex: string; truncated: boolean }
  | { event: 'message'; bytes: number; hex: string; truncated: boolean; frame: Framing }
  | { event: 'send'; bytes: number }
  | { event: 'error'; error: LabErrorData }

export interface SessionHooks {
  event(e: SessionEvent): void
  closed(reason: CloseReason): void
}

/** The handler: a reply for each read (or, with framing, each message). Async for delays and worker threads. */
export type HandleFn = (payload: Buffer) => Buffer | Promise<Buffer>

/**
 * How the handler answers: `sync` returns a Buffer at once; `ordered` returns promises that settle
 * in the order they were asked (a worker thread serving one connection), so reads need not wait
 * for replies; `sequential` must finish before the next read (a handler that sleeps, as in the course).
 */
export type HandleKind = 'sync' | 'ordered' | 'sequential'

/** Bytes handed to an `ordered` handler and not answered yet, before reading pauses. */
const MAX_IN_FLIGHT = 1024 * 1024

const EMPTY = Buffer.alloc(0)

/** The buffered-bytes cap a server uses: room for one whole framed reply on top of a fixed allowance. */
export function bufferedCap(frame: Framing, maxFrameBytes: number): number {
  return 4 * 1024 * 1024 + (frame === 'none' ? 0 : maxFrameBytes + 4)
}

/**
 * One connection's communication loop, as in the course's handler: `while True: data = recv(n);
 * if not data: break; send(handle(data))`. It runs wherever the socket lives (the main thread, or a
 * forked child). Two paths: a synchronous handler with no read delay answers in the `data` callback
 * (the fast path); otherwise a pull loop reads with `socket.read()`, so bytes that arrive while the
 * handler is busy merge into the next read, as they do in the kernel's buffer.
 */
export class Session {
  bytesIn = 0
  bytesOut = 0
  messages = 0
  private reason: CloseReason = 'client'
  private readonly decoder: FrameDecoder | null
  private held: Buffer = EMPTY
  private ended = false
  private closed = false
  private stopping = false
  private wake: (() => void) | null = null
  private readonly sleepers = new Set<() => void>()
  /** Bytes this connection holds now (an unfinished message, replies not yet taken), taken from the lab-wide budget. */
  private heldBudget = 0

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: SessionOptions,
    private readonly handle: HandleFn,
    private readonly kind: HandleKind,
    private readonly hooks: SessionHooks,
  ) {
    this.decoder = opts.frame === 'none' ? null : new FrameDecoder(opts.frame, opts.maxFrameBytes)
  }

  start(): void {
    const { socket } = this
    // We end our side ourselves once the last reply is written, as the course's loop does after `recv` returns b''.
    socket.allowHalfOpen = true
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        if (this.reason === 'client') this.reason = 'reset'
        return
      }
      if (this.reason === 'client') this.reason = 'error'
      this.hooks.event({ event: 'error', error: fromNodeError(err).toData() })
    })
    socket.on('drain', () => this.account())
    socket.on('close', () => {
      bufferBudget.give(this.heldBudget)
      this.heldBudget = 0
      this.closed = true
      for (const wake of [...this.sleepers]) wake()
      this.wakeUp()
      if (this.stopping && this.reason === 'client') this.reason = 'server'
      this.hooks.closed(this.reason)
    })
    if (this.opts.idleTimeoutMs > 0) {
      socket.setTimeout(this.opts.idleTimeoutMs, () => {
        if (this.reason === 'client') this.reason = 'idle'
        socket.destroy()
      })
    }
    if (this.kind === 'sync' && this.opts.readDelayMs === 0) {
      socket.on('data', (chunk: Buffer) => this.onData(chunk))
      socket.on('end', () => socket.end())
      socket.resume()
    } else if (this.kind === 'ordered' && this.opts.readDelayMs === 0) {
      socket.on('data', (chunk: Buffer) => this.onDataOrdered(chunk))
      socket.on('drain', () => this.relieve())
      socket.on('end', () => {
        this.ended = true
        if (this.inFlight === 0) socket.end()
      })
      socket.resume()
    } else {
      socket.on('readable', () => this.wakeUp())
      socket.on('end', () => {
        this.ended = true
        this.wakeUp()
      })
      void this.pull()
    }
  }

  /** Server stopping: say goodbye (FIN); the owner destroys the socket if the client lingers. */
  stop(): void {
    this.stopping = true
    if (!this.closed) this.socket.end()
  }

  destroy(): void {
    this.stopping = true
    this.socket.destroy()
  }

  private wakeUp(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  private fail(err: unknown): void {
    if (this.reason === 'client') this.reason = 'error'
    const data = err instanceof LabError ? err.toData() : fromNodeError(err).toData()
    this.hooks.event({ event: 'error', error: data })
    this.socket.destroy()
  }

  // ---- fast path -----------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    const n = this.opts.recvSize ?? chunk.length
    for (let at = 0; at < chunk.length && !this.socket.destroyed; at += n) {
      const piece = at === 0 && n >= chunk.length ? chunk : chunk.subarray(at, at + n)
      let payloads: Buffer[]
      try {
        payloads = this.received(piece)
      } catch (err) {
        return this.fail(err)
      }
      for (const p of payloads) this.write(this.reply(this.handle(p) as Buffer))
    }
    // Backpressure: stop reading until the client takes what we sent.
    if (this.socket.writableNeedDrain && !this.socket.destroyed) {
      this.socket.pause()
      this.socket.once('drain', () => this.socket.resume())
    }
  }

  // ---- pipelined path (a worker thread answers in order) ------------------------------------------

  private inFlight = 0
  private inFlightBytes = 0
  private pausedForReplies = false

  private onDataOrdered(chunk: Buffer): void {
    const n = this.opts.recvSize ?? chunk.length
    for (let at = 0; at < chunk.length && !this.socket.destroyed; at += n) {
      const piece = at === 0 && n >= chunk.length ? chunk : chunk.subarray(at, at + n)
      let payloads: Buffer[]
      try {
        payloads = this.received(piece)
      } catch (err) {
        return this.fail(err)
      }
      for (const p of payloads) {
        const size = p.length
        this.inFlight++
        this.inFlightBytes += size
        ;(this.handle(p) as Promise<Buffer>).then(
          (out) => {
            this.inFlight--
            this.inFlightBytes -= size
            this.write(this.reply(out))
            if (this.ended && this.inFlight === 0 && !this.closed) this.socket.end()
            this.relieve()
          },
          (err: unknown) => {
            if (!this.closed) this.fail(err)
          },
        )
      }
    }
    if (!this.socket.destroyed && (this.inFlightBytes > MAX_IN_FLIGHT || this.socket.writableNeedDrain)) {
      this.pausedForReplies = true
      this.socket.pause()
    }
  }

  private relieve(): void {
    if (!this.pausedForReplies || this.closed) return
    if (this.inFlightBytes > MAX_IN_FLIGHT / 2 || this.socket.writableNeedDrain) return
    this.pausedForReplies = false
    this.socket.resume()
  }

  // ---- pull path ------------------------------------------------------------------------------

  private async pull(): Promise<void> {
    try {
      for (;;) {
        const piece = await this.recv()
        if (!piece) break
        for (const p of this.received(piece)) {
          const out = await this.handle(p)
          if (this.closed) return
          if (!this.write(this.reply(out))) await drained(this.socket)
          if (this.closed) return
        }
        if (this.opts.readDelayMs > 0) await this.sleep(this.opts.readDelayMs)
      }
      if (!this.closed) this.socket.end()
    } catch (err) {
      if (!this.closed) this.fail(err)
    }
  }

  /** `recv(n)`: whatever is buffered now, at most n bytes; waits if nothing is; null at the end of the stream. */
  private async recv(): Promise<Buffer | null> {
    const n = this.opts.recvSize ?? Infinity
    for (;;) {
      if (this.closed) return null
      if (this.held.length < n) {
        const more = this.socket.read() as Buffer | null
        if (more) this.held = this.held.length > 0 ? Buffer.concat([this.held, more]) : more
      }
      if (this.held.length > 0) {
        const piece = this.held.length <= n ? this.held : this.held.subarray(0, n)
        this.held = piece === this.held ? EMPTY : this.held.subarray(n)
        return piece
      }
      if (this.ended) return null
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }


  /** Sleeps, but wakes at once if the connection closes. */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t)
        this.sleepers.delete(done)
        resolve()
      }
      const t = setTimeout(done, ms)
      this.sleepers.add(done)
    })
  }

  // ---- shared ---------------------------------------------------------------------------------

  /** Records one read and returns what the handler gets: the read itself, or the messages it completed. */
  private received(piece: Buffer): Buffer[] {
    this.bytesIn += piece.length
    this.hooks.event({ event: 'recv', bytes: piece.length, hex: hexOf(piece), truncated: piece.length > EVENT_HEX_BYTES })
    if (!this.decoder) return [piece]
    let messages: Buffer[]
    try {
      messages = this.decoder.push(piece)
    } catch (err) {
      if (err instanceof FrameTooLargeError) for (const m of err.decoded) this.message(m)
      throw err
    }
    for (const m of messages) this.message(m)
    this.account()
    return messages
  }

  /**
   * Re-counts what this connection holds against the lab-wide budget of buffered bytes (issue 12):
   * 30 framed clients that never read must not take the lab's memory. Over the budget, this
   * connection is closed with ERR_LIMIT; the others keep their share.
   */
  private account(): void {
    if (this.closed) return
    const now = (this.decoder?.pendingBytes ?? 0) + this.socket.writableLength
    if (now === this.heldBudget) return
    if (!bufferBudget.take(now - this.heldBudget)) {
      this.fail(bufferError(bufferBudget.limit))
      return
    }
    this.heldBudget = now
  }

  private message(m: Buffer): void {
    this.messages++
    this.hooks.event({ event: 'message', bytes: m.length, hex: hexOf(m), truncated: m.length > EVENT_HEX_BYTES, frame: this.opts.frame })
  }

  private reply(out: Buffer): Buffer {
    return this.decoder ? encodeFrame(this.opts.frame, out) : out
  }

  /** Returns false when the caller should wait for 'drain'. */
  private write(reply: Buffer): boolean {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded || reply.length === 0) return true
    this.bytesOut += reply.length
    this.hooks.event({ event: 'send', bytes: reply.length })
    const ok = this.socket.write(reply)
    this.account()
    if (this.socket.destroyed) return true
    if (this.socket.writableLength > this.opts.maxBufferedBytes) {
      this.fail(
        new LabError('ERR_LIMIT', `the client is not reading: over ${this.opts.maxBufferedBytes} reply bytes queued, connection cut`, {
          max: this.opts.maxBufferedBytes,
        }),
      )
      return true
    }
    return ok
  }
}
