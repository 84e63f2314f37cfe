/**
 * What a connection's thread and the main thread share, in one SharedArrayBuffer, so that serving a
 * connection costs the main thread no system calls at all: the thread writes its events into a ring
 * and its totals into counters; the main thread collects them on a timer (every 50 ms). A postMessage
 * per reply would wake the main thread (an eventfd read, a system call) for every message and put
 * back the cost this design removes.
 *
 * Layout: Int32 control words, Float64 counters, the ring of records (event-records.ts), then the
 * thread's read buffer (BLOCKING_READ_BYTES, the largest recv(n)). One writer (the thread), one
 * reader (the main thread).
 *
 * Why the read buffer lives here too: the thread's recv and send records copy the first
 * EVENT_HEX_BYTES of the read buffer into the ring with one `copyWithin` inside this one buffer,
 * with no view object made per message. A connection thread is a fresh isolate that runs this code
 * cold and compiles it for itself (measured: the ring writer with a DataView and a subarray per
 * record was the most expensive function V8 compiled in every connection thread).
 */
import type { Framing } from '../../../shared/contract'
import { decodeRecord, encodeRecord, IoKind, RECORD_HEAD_BYTES, recordSize, type IoRecord } from './event-records'
import type { LoopIo } from './blocking-loop'
import type { SessionEvent } from './session'
import { BLOCKING_READ_BYTES, CONN_EVENT_RING_BYTES } from '../../../shared/budgets'
import { EVENT_HEX_BYTES } from '../../../shared/contract/net-values'

const CTL_WORDS = 8
const C_WRITE = 0 // ring write position (bytes written, modulo size)
const C_READ = 1 // ring read position
const C_DROPPED = 2 // events that did not fit
const C_STOP = 3 // 1 = stop: sleeps end at once
const C_OVER = 4 // 1 = the buffered-bytes budget refused this connection (the main thread reports it)
const C_SEND_LOCK = 5 // who is writing on the socket: SEND_FREE, SEND_BY_HANDLER, SEND_BY_PANEL (server-send, issue 14)
const C_HAND_OVER = 6 // 0 = no connection yet; fd + 1 = serve this descriptor; HAND_OVER_NONE = exit unused
const F_IN = 0
const F_OUT = 1
const F_MESSAGES = 2
const F_ACTIVE = 3 // Date.now() of the last read or write
const F_WORDS = 4
/** The send lock's states: nobody writes, the handler's reply is being written, the panel's message is. */
const SEND_FREE = 0
const SEND_BY_HANDLER = 1
const SEND_BY_PANEL = 2
/** The hand-over word's "this spare will get no connection: exit". */
const HAND_OVER_NONE = -1
/** A record length that means "the rest of the ring is empty, go on at 0". */
const WRAP = 0xffff_ffff
/** The event ring's size (shared/budgets.ts: why 256 KiB; full → events dropped and counted). */
export const RING_BYTES = CONN_EVENT_RING_BYTES
const RING_AT = CTL_WORDS * 4 + F_WORDS * 8
const READ_AT = RING_AT + RING_BYTES

export class SharedConn implements LoopIo {
  readonly ctl: Int32Array
  readonly f: Float64Array
  readonly ring: Uint8Array
  private readonly view: DataView
  /** The whole shared buffer as bytes: ring and read buffer both, for `copyWithin` between them. */
  private readonly all: Uint8Array
  private readBuf: Buffer | null = null

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(READ_AT + BLOCKING_READ_BYTES)) {
    this.ctl = new Int32Array(sab, 0, CTL_WORDS)
    this.f = new Float64Array(sab, CTL_WORDS * 4, F_WORDS)
    this.ring = new Uint8Array(sab, RING_AT, RING_BYTES)
    this.view = new DataView(sab, RING_AT, RING_BYTES)
    this.all = new Uint8Array(sab)
  }

  // ---- the thread's side ----

  /** The thread's read buffer (`size` ≤ BLOCKING_READ_BYTES), in this shared memory; one per connection. */
  readBuffer(size: number): Buffer {
    this.readBuf ??= Buffer.from(this.sab, READ_AT, Math.min(size, BLOCKING_READ_BYTES))
    return this.readBuf
  }

  /** Records one event; false (and counted) when the main thread has not collected enough yet. */
  push(e: SessionEvent): boolean {
    const json = Buffer.from(JSON.stringify(e))
    const at = this.room(recordSize(0, null, json))
    if (at < 0) return false
    encodeRecord(this.view, this.ring, at, IoKind.Json, 0, null, json)
    return this.wrote(at, recordSize(0, null, json))
  }

  /** An event other than recv/message/send (an error), as JSON. */
  event(e: SessionEvent): void {
    this.push(e)
  }

  /** The hot events, written as binary records (no JSON, no hex on the serving thread). */
  recv(bytes: number, data: Buffer): boolean {
    return this.io(IoKind.Recv, bytes, data)
  }

  message(bytes: number, data: Buffer): boolean {
    return this.io(IoKind.Message, bytes, data)
  }

  sent(bytes: number, data: Buffer): boolean {
    return this.io(IoKind.Send, bytes, data)
  }

  /**
   * A recv/message/send record of the first `bytes` of `data`, at most EVENT_HEX_BYTES kept: written
   * byte by byte, with one copyWithin from the read buffer (or one set from another buffer).
   */
  private io(kind: IoKind, bytes: number, data: Buffer): boolean {
    let kept = bytes < EVENT_HEX_BYTES ? bytes : EVENT_HEX_BYTES
    if (kept > data.length) kept = data.length
    const need = RECORD_HEAD_BYTES + kept
    const at = this.room(need)
    if (at < 0) return false
    const u8 = this.ring
    put32(u8, at, need)
    u8[at + 4] = kind
    put32(u8, at + 5, bytes)
    put32(u8, at + 9, kept)
    if (data === this.readBuf) this.all.copyWithin(RING_AT + at + RECORD_HEAD_BYTES, READ_AT, READ_AT + kept)
    else u8.set(kept === data.length ? data : data.subarray(0, kept), at + RECORD_HEAD_BYTES)
    return this.wrote(at, need)
  }

  /** Where a record of `need` bytes goes in the ring, or -1 (dropped, counted) when the main thread has not collected enough yet. */
  private room(need: number): number {
    const size = RING_BYTES
    const w = Atomics.load(this.ctl, C_WRITE)
    const r = Atomics.load(this.ctl, C_READ)
    // One byte always stays free, so that a full ring is not mistaken for an empty one.
    if (w >= r) {
      const tail = size - w - (r === 0 ? 1 : 0)
      if (tail >= need) return w
      if (r - 1 < need) return this.drop()
      if (size - w >= 4) put32(this.ring, w, WRAP)
      return 0
    }
    return r - w - 1 < need ? this.drop() : w
  }

  private wrote(at: number, size: number): true {
    Atomics.store(this.ctl, C_WRITE, (at + size) % RING_BYTES)
    return true
  }

  private drop(): -1 {
    Atomics.add(this.ctl, C_DROPPED, 1)
    return -1
  }

  count(bytesIn: number, bytesOut: number, messages: number): void {
    this.f[F_IN] = bytesIn
    this.f[F_OUT] = bytesOut
    this.f[F_MESSAGES] = messages
    this.f[F_ACTIVE] = Date.now()
  }

  /** The lab-wide buffered-bytes budget refused this connection's unfinished message. */
  overBudget(): void {
    Atomics.store(this.ctl, C_OVER, 1)
  }

  /** Sleeps up to `ms`; returns false at once if the server is stopping. */
  sleep(ms: number): boolean {
    if (Atomics.load(this.ctl, C_STOP) === 1) return false
    return Atomics.wait(this.ctl, C_STOP, 0, ms) !== 'ok' && Atomics.load(this.ctl, C_STOP) === 0
  }

  /**
   * Before the handler writes a reply (and records it): takes the send lock, so that a message from
   * the server panel never lands inside a reply. Uncontended it is one compare-and-swap, no system
   * call; only while the panel writes (a few microseconds, it never blocks) does this thread wait.
   */
  lockSend(): void {
    while (Atomics.compareExchange(this.ctl, C_SEND_LOCK, SEND_FREE, SEND_BY_HANDLER) !== SEND_FREE) Atomics.wait(this.ctl, C_SEND_LOCK, SEND_BY_PANEL)
  }

  /** After the reply is written and recorded. The main thread never waits for it, so no notify. */
  unlockSend(): void {
    Atomics.store(this.ctl, C_SEND_LOCK, SEND_FREE)
  }

  /**
   * A spare thread, ready: blocks (one futex wait, no event loop) until the main thread hands it a
   * descriptor (`handOver`) or lets it go (`release`); returns the descriptor, or null.
   */
  waitForConnection(): number | null {
    for (;;) {
      const v = Atomics.load(this.ctl, C_HAND_OVER)
      if (v === HAND_OVER_NONE) return null
      if (v > 0) return v - 1
      Atomics.wait(this.ctl, C_HAND_OVER, 0)
    }
  }

  // ---- the main thread's side ----

  /** Gives the waiting spare thread its connection's descriptor: one store and one futex wake. */
  handOver(fd: number): void {
    Atomics.store(this.ctl, C_HAND_OVER, fd + 1)
    Atomics.notify(this.ctl, C_HAND_OVER)
  }

  /** The spare will get no connection (the server stops): its wait ends and it exits. No-op once handed over. */
  release(): void {
    if (Atomics.compareExchange(this.ctl, C_HAND_OVER, 0, HAND_OVER_NONE) === 0) Atomics.notify(this.ctl, C_HAND_OVER)
  }

  /** The panel's send: takes the send lock if nobody holds it; false (never waits) while the handler writes. */
  tryLockSendForPanel(): boolean {
    return Atomics.compareExchange(this.ctl, C_SEND_LOCK, SEND_FREE, SEND_BY_PANEL) === SEND_FREE
  }

  /** The panel's message is written: a handler waiting to reply goes on. */
  unlockSendForPanel(): void {
    Atomics.store(this.ctl, C_SEND_LOCK, SEND_FREE)
    Atomics.notify(this.ctl, C_SEND_LOCK)
  }

  /** Takes every event recorded since the last call (`frame`: the connection's, named in message events). */
  drain(frame: Framing = 'none'): SessionEvent[] {
    const out: SessionEvent[] = []
    const size = this.ring.length
    let r = Atomics.load(this.ctl, C_READ)
    const w = Atomics.load(this.ctl, C_WRITE)
    while (r !== w) {
      if (r + 4 > size || this.view.getUint32(r) === WRAP) {
        r = 0
        continue
      }
      const rec: IoRecord = decodeRecord(this.view, this.ring, r)
      out.push(toEvent(rec, frame))
      r = (r + rec.size) % size
    }
    Atomics.store(this.ctl, C_READ, r)
    return out
  }

  /** The thread said its connection went over the buffered-bytes budget. */
  wasOverBudget(): boolean {
    return Atomics.load(this.ctl, C_OVER) === 1
  }

  dropped(): number {
    return Atomics.exchange(this.ctl, C_DROPPED, 0)
  }

  totals(): { bytesIn: number; bytesOut: number; messages: number; lastActive: number } {
    return { bytesIn: this.f[F_IN]!, bytesOut: this.f[F_OUT]!, messages: this.f[F_MESSAGES]!, lastActive: this.f[F_ACTIVE]! }
  }

  stop(): void {
    Atomics.store(this.ctl, C_STOP, 1)
    Atomics.notify(this.ctl, C_STOP)
  }
}

/** A big-endian u32, as the record's DataView reads it (event-records.ts), written without one. */
function put32(u8: Uint8Array, at: number, v: number): void {
  u8[at] = v >>> 24
  u8[at + 1] = v >>> 16
  u8[at + 2] = v >>> 8
  u8[at + 3] = v
}

/** A decoded record as the event the rest of the lab knows. */
export function toEvent(rec: IoRecord, frame: Framing): SessionEvent {
  switch (rec.kind) {
    case IoKind.Recv:
      return { event: 'recv', bytes: rec.bytes, hex: rec.hex, truncated: rec.truncated }
    case IoKind.Message:
      return { event: 'message', bytes: rec.bytes, hex: rec.hex, truncated: rec.truncated, frame }
    case IoKind.Send:
      return { event: 'send', bytes: rec.bytes, hex: rec.hex, truncated: rec.truncated }
    default:
      return rec.json as SessionEvent
  }
}
