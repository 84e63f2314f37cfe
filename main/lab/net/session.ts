import type net from 'node:net'
import type { CloseReason, Framing } from '../../../shared/contract'
import type { LabErrorData } from '../../../shared/errors'
import { fromNodeError, LabError, limitError } from '../errors'
import { SESSION_MAX_UNSENT_BYTES } from '../../../shared/budgets'
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './framing'
import { EVENT_HEX_BYTES } from '../../../shared/contract'
import { hexOf } from './server-events'
import { bufferBudget, bufferError } from './budgets'
import { AnswerEachChunk, PipelineReplies, PullWithRecv, type ReadStrategy, type Reading } from './session-readers'

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
  | { event: 'send'; bytes: number; hex: string; truncated: boolean }
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

/** The unsent-bytes cap a server uses: room for one whole framed reply (and its 4-byte header) on top of the budget. */
export function bufferedCap(frame: Framing, maxFrameBytes: number): number {
  return SESSION_MAX_UNSENT_BYTES + (frame === 'none' ? 0 : maxFrameBytes + 4)
}

/**
 * Where one connection is in its life. It only moves forward: `open` → `peerEnded` (the client sent
 * FIN, as `recv` returning b'' says in the course; the replies still owed are written, then our side
 * ends) → `closed` (from any phase: the socket is gone).
 */
export type SessionPhase = 'open' | 'peerEnded' | 'closed'

/** Why a connection closed when something went wrong; the first such cause wins. */
type Trouble = Exclude<CloseReason, 'client' | 'server'>

/**
 * One connection's communication loop, as in the course's handler: `while True: data = recv(n);
 * if not data: break; send(handle(data))`. It runs wherever the socket lives (the main thread, or a
 * forked child). The Session owns the connection's phase, its close reason, its budgets and the
 * steps every read style shares (recording a read, cutting messages, framing and writing a reply);
 * how it reads is one strategy (session-readers.ts): a synchronous handler with no read delay
 * answers in the `data` callback (the fast path), an `ordered` handler is pipelined, anything
 * else pulls with `recv(n)` so bytes that arrive while the handler is busy merge into the next read.
 */
export class Session implements Reading {
  bytesIn = 0
  bytesOut = 0
  messages = 0
  private phase: SessionPhase = 'open'
  /** The first thing that went wrong (reset, error, idle); null while nothing has. */
  private trouble: Trouble | null = null
  /** Who said goodbye, when nothing went wrong: the client, or the server stopping (stop/destroy). */
  private goodbyeBy: 'client' | 'server' = 'client'
  private readonly decoder: FrameDecoder | null
  private readonly reader: ReadStrategy
  private readonly sleepers = new Set<() => void>()
  /** Bytes this connection holds now (an unfinished message, replies not yet taken), taken from the lab-wide budget. */
  private heldBudget = 0

  constructor(
    readonly socket: net.Socket,
    readonly opts: SessionOptions,
    readonly handle: HandleFn,
    kind: HandleKind,
    private readonly hooks: SessionHooks,
  ) {
    this.decoder = opts.frame === 'none' ? null : new FrameDecoder(opts.frame, opts.maxFrameBytes)
    this.reader = readerFor(kind, opts.readDelayMs, this)
  }

  start(): void {
    const { socket } = this
    // We end our side ourselves once the last reply is written, as the course's loop does after `recv` returns b''.
    socket.allowHalfOpen = true
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        this.troubled('reset')
        return
      }
      this.troubled('error')
      this.hooks.event({ event: 'error', error: fromNodeError(err).toData() })
    })
    socket.on('drain', () => this.account())
    socket.on('close', () => {
      bufferBudget.give(this.heldBudget)
      this.heldBudget = 0
      this.phase = 'closed'
      for (const wake of [...this.sleepers]) wake()
      this.reader.closed()
      this.hooks.closed(this.trouble ?? this.goodbyeBy)
    })
    if (this.opts.idleTimeoutMs > 0) {
      socket.setTimeout(this.opts.idleTimeoutMs, () => {
        this.troubled('idle')
        socket.destroy()
      })
    }
    socket.on('end', () => {
      this.phase = 'peerEnded'
      this.reader.peerEnded()
    })
    this.reader.start()
  }

  /** Server stopping: say goodbye (FIN); the owner destroys the socket if the client lingers. */
  stop(): void {
    this.goodbyeBy = 'server'
    if (!this.isClosed()) this.socket.end()
  }

  destroy(): void {
    this.goodbyeBy = 'server'
    this.socket.destroy()
  }

  isClosed(): boolean {
    return this.phase === 'closed'
  }

  peerHasEnded(): boolean {
    return this.phase === 'peerEnded'
  }

  private troubled(cause: Trouble): void {
    this.trouble ??= cause
  }

  fail(err: unknown): void {
    this.troubled('error')
    const data = err instanceof LabError ? err.toData() : fromNodeError(err).toData()
    this.hooks.event({ event: 'error', error: data })
    this.socket.destroy()
  }

  /** Sleeps, but wakes at once if the connection closes. */
  sleep(ms: number): Promise<void> {
    if (this.isClosed()) return Promise.resolve()
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
  received(piece: Buffer): Buffer[] {
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
    if (this.isClosed()) return
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

  /** Frames and writes one reply; false when the caller should wait for 'drain'. */
  answer(out: Buffer): boolean {
    return this.write(this.decoder ? encodeFrame(this.opts.frame, out) : out)
  }

  private write(reply: Buffer): boolean {
    if (this.isClosed() || this.socket.destroyed || this.socket.writableEnded || reply.length === 0) return true
    this.bytesOut += reply.length
    this.hooks.event({ event: 'send', bytes: reply.length, hex: hexOf(reply), truncated: reply.length > EVENT_HEX_BYTES })
    const ok = this.socket.write(reply)
    this.account()
    if (this.socket.destroyed) return true
    if (this.socket.writableLength > this.opts.maxBufferedBytes) {
      this.fail(limitError('SESSION_MAX_UNSENT_BYTES', this.socket.writableLength, 'the client is not reading its replies, so the connection was cut', { max: this.opts.maxBufferedBytes }))
      return true
    }
    return ok
  }
}

/** The read style a handler needs (see the Session's comment). */
function readerFor(kind: HandleKind, readDelayMs: number, c: Reading): ReadStrategy {
  if (kind === 'sync' && readDelayMs === 0) return new AnswerEachChunk(c)
  if (kind === 'ordered' && readDelayMs === 0) return new PipelineReplies(c)
  return new PullWithRecv(c)
}
