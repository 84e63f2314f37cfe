/**
 * One direction of UDP through the relay: each datagram is dropped (loss %), cut (truncation),
 * delayed (delay ± jitter, which may reorder by itself), copied (duplication %) or held back until
 * `holdFor` later datagrams went out (reordering within a window), then sent. A rate limit makes
 * datagrams leave one after another at the link's speed. Held datagrams are bounded
 * (RELAY_LIMITS.heldDatagrams); beyond, they are dropped and counted as 'overflow'.
 *
 * Held datagrams wait in one queue ordered by deadline, with one timer for the earliest
 * (relay-timer.ts): each leaves at its own deadline, in deadline order, never before it.
 * With no condition set, each datagram is sent on at once and reported one by one up to a
 * budget per window, summed beyond it (PassSummary).
 */
import { RELAY_LIMITS, RELAY_REORDER_HOLD_MS, type RelayConditions, type RelayDirection } from '../../../shared/contract'
import { DATAGRAM_DRAWS, planDatagram, udpPassThrough } from './relay-conditions'
import { hexOf, type RelayLog } from './relay-log'
import { PassSummary } from './relay-summary'
import { DeadlineHeap, HeadTimer } from './relay-timer'

/** A datagram waiting for its deadline. */
interface Due {
  conn: number
  seq: number
  buf: Buffer
  /** When it was read (relay clock, ms). */
  inT: number
  dueT: number
  holdFor: number
  dup: boolean
  send: (buf: Buffer) => void
}

interface Parked {
  conn: number
  seq: number
  index: number
  buf: Buffer
  inT: number
  dueT: number
  left: number
  send: (buf: Buffer) => void
  timer: NodeJS.Timeout
}

export class UdpLink {
  private seq = 0
  private order = 0
  private held = 0
  private linkFreeAt = 0
  private readonly parked: Parked[] = []
  private readonly due = new DeadlineHeap<Due>()
  private readonly timer = new HeadTimer(() => this.sendDue())
  private readonly outIndex = new Map<number, number>()
  private readonly summary: PassSummary
  private passing: boolean

  constructor(
    private readonly dir: RelayDirection,
    private current: RelayConditions,
    public rand: () => number,
    private readonly log: RelayLog,
  ) {
    this.summary = new PassSummary(log, dir, 'udp')
    this.passing = udpPassThrough(current)
  }

  get conditions(): RelayConditions {
    return this.current
  }

  set conditions(c: RelayConditions) {
    this.current = c
    this.passing = udpPassThrough(c)
  }

  private get stats() {
    return this.log.stats[this.dir]
  }

  /** One datagram from `conn`'s side; `send` puts bytes on the other side's socket. */
  push(conn: number, buf: Buffer, send: (buf: Buffer) => void): void {
    // Nothing to do and nothing held before it: sent on at once (the fast path).
    if (this.passing && this.due.size === 0 && this.parked.length === 0) return this.pass(conn, buf, send)
    const c = this.current
    const plan = planDatagram(c, this.rand, buf.length)
    const t = this.log.now()
    const seq = ++this.seq
    this.stats.messages++
    this.stats.bytesIn += buf.length
    const overflow = plan.action === 'forward' && this.held >= RELAY_LIMITS.heldDatagrams
    const action = overflow ? 'overflow' : plan.action
    let dueT = Math.round((t + plan.delayMs) * 1000) / 1000
    if (action === 'forward' && c.rateBytesPerSec > 0) {
      // The link sends one datagram after another: this one leaves when the previous left the wire.
      dueT = Math.max(dueT, this.linkFreeAt)
      this.linkFreeAt = dueT + (plan.keptBytes * 1000) / c.rateBytesPerSec
    }
    this.log.emit(
      { event: 'in', conn, dir: this.dir, proto: 'udp', seq, offset: 0, bytes: buf.length, hex: hexOf(buf), delayMs: plan.delayMs, dueT, action, dup: plan.dup, holdFor: plan.holdFor, keptBytes: plan.keptBytes },
      t,
    )
    if (action === 'dropped') return void this.stats.dropped++
    if (action === 'overflow') return void this.stats.overflow++
    if (plan.keptBytes < buf.length) this.stats.truncated++
    if (plan.dup) this.stats.duplicated++
    if (plan.holdFor > 0) this.stats.reordered++
    const kept = plan.keptBytes < buf.length ? Buffer.from(buf.subarray(0, plan.keptBytes)) : buf
    // Due now and not held back (no delay, jitter or rate wait drew 0): sent at once, no timer per datagram.
    if (dueT <= t && plan.holdFor === 0 && this.due.size === 0) return this.sendOut(conn, seq, kept, t, dueT, send, plan.dup)
    this.held++
    this.due.push({ conn, seq, buf: kept, inT: t, dueT, holdFor: plan.holdFor, dup: plan.dup, send })
    // Due already (or held back at once): out now, after whatever was due before it.
    if (dueT <= t) return this.sendDue()
    this.timer.wakeAt(this.due.peek()!.dueT, t)
  }

  /** Sends every datagram due now, earliest deadline first (never one before its deadline); re-arms for the next. */
  private sendDue(): void {
    for (;;) {
      const head = this.due.peek()
      if (!head) return
      const now = this.log.now()
      if (head.dueT > now) return this.timer.wakeAt(head.dueT, now)
      this.due.pop()
      this.held--
      if (head.holdFor > 0) this.park(head)
      else this.sendOut(head.conn, head.seq, head.buf, head.inT, head.dueT, head.send, head.dup)
    }
  }

  /**
   * A datagram passed straight on: counted like every one, reported one by one within the window's
   * budget, else summed. It still takes its draws from the random stream (so a later condition's
   * fates are the same whether or not conditions were off before), without planning with them.
   */
  private pass(conn: number, buf: Buffer, send: (buf: Buffer) => void): void {
    for (let i = 0; i < DATAGRAM_DRAWS; i++) this.rand()
    const seq = ++this.seq
    const n = buf.length
    const stats = this.stats
    stats.messages++
    stats.bytesIn += n
    stats.writes++
    stats.bytesOut += n
    const index = (this.outIndex.get(conn) ?? 0) + 1
    this.outIndex.set(conn, index)
    const order = ++this.order
    const t = this.summary.take(conn, seq, n, 0)
    if (t !== null) {
      this.log.emit({ event: 'in', conn, dir: this.dir, proto: 'udp', seq, offset: 0, bytes: n, hex: hexOf(buf), delayMs: 0, dueT: t, action: 'forward', dup: false, holdFor: 0, keptBytes: n }, t)
      this.log.emit({ event: 'out', conn, dir: this.dir, proto: 'udp', index, offset: 0, bytes: n, seqs: [seq], lateMs: 0, heldMs: 0, copy: false, order }, t)
    }
    send(buf)
  }

  /** Reports what was summed for `conn` (before its close event) or for all. */
  flushSummary(conn?: number): void {
    this.summary.flush(conn)
  }

  /** Held back for reordering: released after `left` later datagrams went out, or after RELAY_REORDER_HOLD_MS. */
  private park(d: Due): void {
    const p: Parked = { conn: d.conn, seq: d.seq, index: 0, buf: d.buf, inT: d.inT, dueT: d.dueT, left: d.holdFor, send: d.send, timer: setTimeout(() => this.release(p), RELAY_REORDER_HOLD_MS) }
    this.parked.push(p)
  }

  private release(p: Parked): void {
    const i = this.parked.indexOf(p)
    if (i < 0) return
    this.parked.splice(i, 1)
    clearTimeout(p.timer)
    this.sendOut(p.conn, p.seq, p.buf, p.inT, p.dueT, p.send, false, true)
  }

  private sendOut(conn: number, seq: number, buf: Buffer, inT: number, dueT: number, send: (b: Buffer) => void, dup: boolean, wasParked = false): void {
    this.emitOut(conn, seq, buf, inT, dueT, send, false)
    if (dup) this.emitOut(conn, seq, buf, inT, dueT, send, true)
    if (wasParked || this.parked.length === 0) return
    // Every datagram sent in order brings the held ones one step closer to leaving.
    for (const p of [...this.parked]) if (--p.left <= 0) this.release(p)
  }

  /** One sendto; its event says, measured now, how late it left (against its deadline) and how long it was in the relay (since `inT`, its read). */
  private emitOut(conn: number, seq: number, buf: Buffer, inT: number, dueT: number, send: (b: Buffer) => void, copy: boolean): void {
    const now = this.log.now()
    const index = (this.outIndex.get(conn) ?? 0) + 1
    this.outIndex.set(conn, index)
    this.stats.writes++
    this.stats.bytesOut += buf.length
    this.log.emit({ event: 'out', conn, dir: this.dir, proto: 'udp', index, offset: 0, bytes: buf.length, seqs: [seq], lateMs: Math.round((now - dueT) * 1000) / 1000, heldMs: Math.round((now - inT) * 1000) / 1000, copy, order: ++this.order }, now)
    send(buf)
  }

  close(): void {
    this.timer.clear()
    this.due.clear()
    this.summary.close()
    for (const p of this.parked) clearTimeout(p.timer)
    this.parked.length = 0
    this.held = 0
  }
}
