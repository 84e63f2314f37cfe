/**
 * What a connection's thread and the main thread share, in one SharedArrayBuffer, so that serving a
 * connection costs the main thread no system calls at all: the thread writes its events into a ring
 * and its totals into counters; the main thread collects them on a timer (every 50 ms). A postMessage
 * per reply would wake the main thread (an eventfd read, a system call) for every message and put
 * back the cost this design removes.
 *
 * Layout: Int32 control words, Float64 counters, then the ring of records `[u32 length][JSON]`.
 * One writer (the thread), one reader (the main thread).
 */
import type { SessionEvent } from './session'

const CTL_WORDS = 8
const C_WRITE = 0 // ring write position (bytes written, modulo size)
const C_READ = 1 // ring read position
const C_DROPPED = 2 // events that did not fit
const C_STOP = 3 // 1 = stop: sleeps end at once
const F_IN = 0
const F_OUT = 1
const F_MESSAGES = 2
const F_ACTIVE = 3 // Date.now() of the last read or write
const F_WORDS = 4
const WRAP = 0xffff_ffff
export const RING_BYTES = 256 * 1024

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class SharedConn {
  readonly ctl: Int32Array
  readonly f: Float64Array
  readonly ring: Uint8Array
  private readonly view: DataView

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(CTL_WORDS * 4 + F_WORDS * 8 + RING_BYTES)) {
    this.ctl = new Int32Array(sab, 0, CTL_WORDS)
    this.f = new Float64Array(sab, CTL_WORDS * 4, F_WORDS)
    this.ring = new Uint8Array(sab, CTL_WORDS * 4 + F_WORDS * 8)
    this.view = new DataView(sab, CTL_WORDS * 4 + F_WORDS * 8)
  }

  // ---- the thread's side ----

  /** Records one event; false (and counted) when the main thread has not collected enough yet. */
  push(e: SessionEvent): boolean {
    const body = encoder.encode(JSON.stringify(e))
    const size = this.ring.length
    const need = 4 + body.length
    let w = Atomics.load(this.ctl, C_WRITE)
    const r = Atomics.load(this.ctl, C_READ)
    // One byte always stays free, so that a full ring is not mistaken for an empty one.
    if (w >= r) {
      const tail = size - w - (r === 0 ? 1 : 0)
      if (tail < need) {
        if (r - 1 < need) return this.drop()
        if (size - w >= 4) this.view.setUint32(w, WRAP)
        w = 0
      }
    } else if (r - w - 1 < need) return this.drop()
    this.view.setUint32(w, body.length)
    this.ring.set(body, w + 4)
    Atomics.store(this.ctl, C_WRITE, (w + need) % size)
    return true
  }

  private drop(): false {
    Atomics.add(this.ctl, C_DROPPED, 1)
    return false
  }

  count(bytesIn: number, bytesOut: number, messages: number): void {
    this.f[F_IN] = bytesIn
    this.f[F_OUT] = bytesOut
    this.f[F_MESSAGES] = messages
    this.f[F_ACTIVE] = Date.now()
  }

  /** Sleeps up to `ms`; returns false at once if the server is stopping. */
  sleep(ms: number): boolean {
    if (Atomics.load(this.ctl, C_STOP) === 1) return false
    return Atomics.wait(this.ctl, C_STOP, 0, ms) !== 'ok' && Atomics.load(this.ctl, C_STOP) === 0
  }

  // ---- the main thread's side ----

  /** Takes every event recorded since the last call. */
  drain(): SessionEvent[] {
    const out: SessionEvent[] = []
    const size = this.ring.length
    let r = Atomics.load(this.ctl, C_READ)
    const w = Atomics.load(this.ctl, C_WRITE)
    while (r !== w) {
      if (r + 4 > size || this.view.getUint32(r) === WRAP) {
        r = 0
        continue
      }
      const len = this.view.getUint32(r)
      out.push(JSON.parse(decoder.decode(this.ring.slice(r + 4, r + 4 + len))) as SessionEvent)
      r = (r + 4 + len) % size
    }
    Atomics.store(this.ctl, C_READ, r)
    return out
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
