import type net from 'node:net'
import { SESSION_MAX_IN_FLIGHT_BYTES } from '../../../shared/budgets'
import { drained } from './drained'
import type { HandleFn, SessionOptions } from './session'

/**
 * What a read strategy may use of its Session: the socket, the options, and the steps every
 * strategy shares, so that recording a read, cutting messages, framing a reply and the budgets
 * are written once (in session.ts) whatever the read style.
 */
export interface Reading {
  readonly socket: net.Socket
  readonly opts: SessionOptions
  readonly handle: HandleFn
  /** The socket has closed: nothing more will be read or written. */
  isClosed(): boolean
  /** The client said goodbye (FIN) and the socket is still open: finish the replies, then end. */
  peerHasEnded(): boolean
  /** Records one read; returns the read itself or, framed, the messages it completed. Throws on a bad frame. */
  received(piece: Buffer): Buffer[]
  /** Frames and writes one reply; false when the caller should wait for 'drain'. */
  answer(out: Buffer): boolean
  /** Reports the error and cuts the connection. */
  fail(err: unknown): void
  sleep(ms: number): Promise<void>
}

/** One way of reading a connection. The Session tells it about the two moments that matter. */
export interface ReadStrategy {
  /** Attaches to the socket and starts reading. */
  start(): void
  /** The client sent FIN. */
  peerEnded(): void
  /** The socket closed. */
  closed(): void
}

/**
 * Cuts one chunk the kernel gave into reads of at most `recvSize` bytes, as `recv(n)` would, and
 * hands each read's payloads on. False when a read was bad (the connection is already failed).
 */
function eachRead(c: Reading, chunk: Buffer, take: (payloads: Buffer[]) => void): boolean {
  const n = c.opts.recvSize ?? chunk.length
  for (let at = 0; at < chunk.length && !c.socket.destroyed; at += n) {
    const piece = at === 0 && n >= chunk.length ? chunk : chunk.subarray(at, at + n)
    let payloads: Buffer[]
    try {
      payloads = c.received(piece)
    } catch (err) {
      c.fail(err)
      return false
    }
    take(payloads)
  }
  return true
}

/**
 * A synchronous handler with no read delay answers each read inside the `data` callback (the fast
 * path): nothing can arrive between a read and its reply, so there is nothing to merge.
 */
export class AnswerEachChunk implements ReadStrategy {
  constructor(private readonly c: Reading) {}

  start(): void {
    this.c.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.c.socket.resume()
  }

  peerEnded(): void {
    this.c.socket.end()
  }

  closed(): void {}

  private onData(chunk: Buffer): void {
    const { socket } = this.c
    if (!eachRead(this.c, chunk, (payloads) => payloads.forEach((p) => this.c.answer(this.c.handle(p) as Buffer)))) return
    // Backpressure: stop reading until the client takes what we sent.
    if (socket.writableNeedDrain && !socket.destroyed) {
      socket.pause()
      socket.once('drain', () => socket.resume())
    }
  }
}

/** Bytes handed to an `ordered` handler and not answered yet, before reading pauses (shared/budgets.ts). */
const MAX_IN_FLIGHT = SESSION_MAX_IN_FLIGHT_BYTES

/**
 * A handler that answers in order (a worker thread serving one connection): reads go on while
 * replies are pending, up to MAX_IN_FLIGHT bytes or a client that does not read, then reading
 * pauses until the replies catch up.
 */
export class PipelineReplies implements ReadStrategy {
  private inFlight = 0
  private inFlightBytes = 0
  private pausedForReplies = false

  constructor(private readonly c: Reading) {}

  start(): void {
    this.c.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.c.socket.on('drain', () => this.relieve())
    this.c.socket.resume()
  }

  peerEnded(): void {
    if (this.inFlight === 0) this.c.socket.end()
  }

  closed(): void {}

  private onData(chunk: Buffer): void {
    const { socket } = this.c
    const read = eachRead(this.c, chunk, (payloads) => {
      for (const p of payloads) this.ask(p)
    })
    if (!read) return
    if (!socket.destroyed && (this.inFlightBytes > MAX_IN_FLIGHT || socket.writableNeedDrain)) {
      this.pausedForReplies = true
      socket.pause()
    }
  }

  private ask(p: Buffer): void {
    const size = p.length
    this.inFlight++
    this.inFlightBytes += size
    ;(this.c.handle(p) as Promise<Buffer>).then(
      (out) => {
        this.inFlight--
        this.inFlightBytes -= size
        this.c.answer(out)
        if (this.c.peerHasEnded() && this.inFlight === 0) this.c.socket.end()
        this.relieve()
      },
      (err: unknown) => {
        if (!this.c.isClosed()) this.c.fail(err)
      },
    )
  }

  private relieve(): void {
    if (!this.pausedForReplies || this.c.isClosed()) return
    if (this.inFlightBytes > MAX_IN_FLIGHT / 2 || this.c.socket.writableNeedDrain) return
    this.pausedForReplies = false
    this.c.socket.resume()
  }
}

const EMPTY = Buffer.alloc(0)

/**
 * The course's loop as written, `data = recv(n)` then `send(handle(data))`, for a handler that must
 * finish before the next read (one that sleeps) or a read delay: it pulls with `socket.read()`, so
 * bytes that arrive while the handler is busy merge into the next read, as they do in the kernel's buffer.
 */
export class PullWithRecv implements ReadStrategy {
  private held: Buffer = EMPTY
  private wake: (() => void) | null = null

  constructor(private readonly c: Reading) {}

  start(): void {
    this.c.socket.on('readable', () => this.wakeUp())
    void this.loop()
  }

  peerEnded(): void {
    this.wakeUp()
  }

  closed(): void {
    this.wakeUp()
  }

  private wakeUp(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  private async loop(): Promise<void> {
    const { c } = this
    try {
      for (;;) {
        const piece = await this.recv()
        if (!piece) break
        for (const p of c.received(piece)) {
          const out = await c.handle(p)
          if (c.isClosed()) return
          if (!c.answer(out)) await drained(c.socket)
          if (c.isClosed()) return
        }
        if (c.opts.readDelayMs > 0) await c.sleep(c.opts.readDelayMs)
      }
      if (!c.isClosed()) c.socket.end()
    } catch (err) {
      if (!c.isClosed()) c.fail(err)
    }
  }

  /** `recv(n)`: whatever is buffered now, at most n bytes; waits if nothing is; null at the end of the stream. */
  private async recv(): Promise<Buffer | null> {
    const n = this.c.opts.recvSize ?? Infinity
    for (;;) {
      if (this.c.isClosed()) return null
      if (this.held.length < n) {
        const more = this.c.socket.read() as Buffer | null
        if (more) this.held = this.held.length > 0 ? Buffer.concat([this.held, more]) : more
      }
      if (this.held.length > 0) {
        const piece = this.held.length <= n ? this.held : this.held.subarray(0, n)
        this.held = piece === this.held ? EMPTY : this.held.subarray(n)
        return piece
      }
      if (this.c.peerHasEnded()) return null
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }
}
