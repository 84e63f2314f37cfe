/**
 * One direction of one TCP connection through the relay: what was read from one side waits for
 * its delay, then crosses a "link" that may merge writes (mergeMs), carry only so many bytes per
 * second (rate: what waited meanwhile leaves together, as on a slow link) and cut each write into
 * chunks (split, a pause between chunks so the kernel sends them apart). The byte stream keeps
 * its order: jitter can delay a message, never move it before an earlier one.
 *
 * With no condition set (and nothing held) a read is written on at once, as pipe() does: the
 * reading side is paused while the destination is full, resumed on 'drain'; the reads are reported
 * one by one up to a budget per window, summed beyond it (PassSummary).
 *
 * Memory is bounded: over RELAY_LIMITS.heldBytesPerDirection held the reading side is paused
 * (its kernel buffers fill, its sender's writes block), resumed below half; a destination whose
 * write() says "full" stops the link until 'drain'. Held bytes also count in the lab-wide
 * buffered-bytes budget.
 */
import type { Socket } from 'node:net'
import { RELAY_LIMITS, RELAY_RATE_QUANTUM_MS, RELAY_SPLIT_GAP_MS, type RelayConditions, type RelayDirection } from '../../../shared/contract'
import { bufferBudget, bufferError } from './budgets'
import { drawDelay, tcpPassThrough } from './relay-conditions'
import { hexOf, type RelayLog } from './relay-log'
import { PassSummary } from './relay-summary'
import { HeadTimer } from './relay-timer'

/** The most one socket read hands over (libuv reads into 64 KiB buffers). */
const MAX_READ_BYTES = 64 * 1024

interface Held {
  seq: number
  buf: Buffer
  /** Bytes of `buf` already written. */
  taken: number
  /** When it was read and when it is due (relay clock, ms). */
  inT: number
  dueT: number
}

export class TcpLink {
  private readonly queue: Held[] = []
  private held = 0
  private seq = 0
  private inOffset = 0
  private outOffset = 0
  private outIndex = 0
  private lastDue = 0
  private busyUntil = 0
  private blocked = false
  private paused = false
  private readonly timer = new HeadTimer(() => this.pump())
  private readonly summary: PassSummary
  private passing: boolean
  private ended = false
  closed = false

  constructor(
    private readonly conn: number,
    private readonly dir: RelayDirection,
    private conditions: RelayConditions,
    private readonly rand: () => number,
    private readonly log: RelayLog,
    private readonly source: Socket,
    private readonly dest: Socket,
    /** Called when the link must close the connection (the lab-wide byte budget is spent). */
    private readonly fail: (err: Error) => void,
  ) {
    this.summary = new PassSummary(log, dir, 'tcp')
    this.passing = tcpPassThrough(conditions)
  }

  setConditions(c: RelayConditions): void {
    this.conditions = c
    this.passing = tcpPassThrough(c)
    this.pump()
  }

  private get stats() {
    return this.log.stats[this.dir]
  }

  /** One read from the source side. */
  push(chunk: Buffer): void {
    if (this.closed) return
    // Nothing to do and nothing held before it: straight on (the fast path).
    if (this.passing && this.queue.length === 0) return this.pass(chunk)
    const t = this.log.now()
    const c = this.conditions
    const delayMs = drawDelay(c, this.rand())
    // A stream keeps its order: a message is never due before the one read before it.
    const dueT = Math.max(Math.round((t + delayMs) * 1000) / 1000, this.lastDue)
    this.lastDue = dueT
    const seq = ++this.seq
    this.stats.messages++
    this.stats.bytesIn += chunk.length
    this.log.emit({ event: 'in', conn: this.conn, dir: this.dir, proto: 'tcp', seq, offset: this.inOffset, bytes: chunk.length, hex: hexOf(chunk), delayMs, dueT, action: 'forward', dup: false, holdFor: 0, keptBytes: chunk.length }, t)
    this.inOffset += chunk.length
    if (!bufferBudget.take(chunk.length)) {
      this.fail(bufferError(bufferBudget.limit))
      return
    }
    this.queue.push({ seq, buf: chunk, taken: 0, inT: t, dueT })
    this.held += chunk.length
    if (this.held > this.stats.maxHeldBytes) this.stats.maxHeldBytes = this.held
    if (!this.paused && this.held >= RELAY_LIMITS.heldBytesPerDirection) {
      this.paused = true
      this.stats.pauses++
      this.source.pause()
      this.log.emit({ event: 'paused', conn: this.conn, dir: this.dir, heldBytes: this.held })
    }
    this.pump()
  }

  /** The source sent its FIN: end the destination once everything held is written. */
  end(): void {
    this.ended = true
    this.pump()
  }

  /**
   * One read passed straight on, as pipe() does: written at once, the source paused while the
   * destination is full. Counted like every message; reported one by one within the window's
   * budget, else summed (and the random stream still draws once, so a later delay's jitter is the
   * same whether or not conditions were off before).
   */
  private pass(chunk: Buffer): void {
    this.rand()
    const seq = ++this.seq
    const offset = this.inOffset
    const n = chunk.length
    const stats = this.stats
    stats.messages++
    stats.bytesIn += n
    stats.writes++
    stats.bytesOut += n
    this.inOffset += n
    this.outOffset += n
    const index = ++this.outIndex
    const t = this.summary.take(this.conn, seq, n, offset)
    if (t !== null) {
      this.log.emit({ event: 'in', conn: this.conn, dir: this.dir, proto: 'tcp', seq, offset, bytes: n, hex: hexOf(chunk), delayMs: 0, dueT: t, action: 'forward', dup: false, holdFor: 0, keptBytes: n }, t)
      this.log.emit({ event: 'out', conn: this.conn, dir: this.dir, proto: 'tcp', index, offset, bytes: n, seqs: [seq], lateMs: 0, heldMs: 0, copy: false, order: index }, t)
    }
    if (!this.dest.write(chunk)) this.waitDrain(true)
  }

  /** The destination is full: wait for 'drain' (once), pausing the source when the link holds nothing itself. */
  private waitDrain(pauseSource: boolean): void {
    if (pauseSource) this.source.pause()
    if (this.blocked) return
    this.blocked = true
    this.dest.once('drain', () => {
      this.blocked = false
      if (!this.paused && !this.closed) this.source.resume()
      this.pump()
    })
  }

  private later(t: number, now: number): void {
    this.timer.wakeAt(t, now)
  }

  private pump(): void {
    if (this.closed || this.blocked) return
    for (;;) {
      const head = this.queue[0]
      if (!head) {
        if (this.ended) {
          this.ended = false
          this.dest.end()
        }
        return
      }
      const now = this.log.now()
      const c = this.conditions
      if (now < this.busyUntil) return this.later(this.busyUntil, now)
      if (now < head.dueT) return this.later(head.dueT, now)
      // Merging: the first message waits mergeMs for others to join it (not again once it is being split).
      const closeT = head.dueT + c.mergeMs
      if (c.mergeMs > 0 && head.taken === 0 && now < closeT) return this.later(closeT, now)
      const rateCap = c.rateBytesPerSec > 0 ? Math.max(1, Math.floor((c.rateBytesPerSec * RELAY_RATE_QUANTUM_MS) / 1000)) : Infinity
      const cap = Math.min(rateCap, c.splitBytes > 0 ? c.splitBytes : Infinity)
      // Which messages this write carries: one alone, unless merging or a slow link joins the ready ones.
      const joins = c.mergeMs > 0 || c.rateBytesPerSec > 0
      const parts: Buffer[] = []
      const seqs: number[] = []
      let size = 0
      let firstDue = Infinity
      let firstIn = Infinity
      while (this.queue.length > 0 && size < cap) {
        const h = this.queue[0]!
        if (h.dueT > now || (seqs.length > 0 && !joins)) break
        const n = Math.min(h.buf.length - h.taken, cap - size)
        parts.push(h.buf.subarray(h.taken, h.taken + n))
        seqs.push(h.seq)
        firstDue = Math.min(firstDue, h.dueT)
        firstIn = Math.min(firstIn, h.inT)
        h.taken += n
        size += n
        if (h.taken === h.buf.length) this.queue.shift()
        else break
      }
      this.held -= size
      bufferBudget.give(size)
      const ok = this.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), seqs, now, firstDue, firstIn)
      if (c.rateBytesPerSec > 0) this.busyUntil = now + (size * 1000) / c.rateBytesPerSec
      if (c.splitBytes > 0) this.busyUntil = Math.max(this.busyUntil, now + RELAY_SPLIT_GAP_MS)
      if (this.paused && this.held < RELAY_LIMITS.heldBytesPerDirection / 2) {
        this.paused = false
        this.source.resume()
        this.log.emit({ event: 'resumed', conn: this.conn, dir: this.dir, heldBytes: this.held })
      }
      if (!ok) return
    }
  }

  /**
   * Writes one chunk; false when the destination's buffer is full (the link waits for 'drain').
   * Its event says, measured now, how late it left against the deadline and how long the oldest
   * bytes it carries were in the relay (`read` = when they were read).
   */
  private write(buf: Buffer, seqs: number[], now: number, due: number, read: number): boolean {
    const index = ++this.outIndex
    this.stats.writes++
    this.stats.bytesOut += buf.length
    this.log.emit({ event: 'out', conn: this.conn, dir: this.dir, proto: 'tcp', index, offset: this.outOffset, bytes: buf.length, seqs, lateMs: Math.round((now - due) * 1000) / 1000, heldMs: Math.round((now - read) * 1000) / 1000, copy: false, order: index }, now)
    this.outOffset += buf.length
    if (this.dest.write(buf)) return true
    // No condition left (it was changed while bytes were held): stop reading until the destination drains, as pipe() does.
    this.waitDrain(this.passing && !this.paused)
    return false
  }

  /** Forgets what is held (the connection is gone) and gives its bytes back to the lab's budget. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.timer.clear()
    this.summary.close()
    bufferBudget.give(this.held)
    this.held = 0
    this.queue.length = 0
  }

  get heldBytes(): number {
    return this.held
  }

  /**
   * Every byte of this direction inside the relay's process now: held by the link, read by the
   * source socket but not yet handed over (its readable buffer), and written to the destination
   * socket but not yet taken by the kernel (its writable buffer).
   */
  get bufferedBytes(): number {
    return this.held + this.source.readableLength + this.dest.writableLength
  }

  /**
   * The most `bufferedBytes` can reach: the held limit, plus one read past it (the read that
   * crossed it), the source's readable buffer (filled up to its high-water mark after pause(),
   * plus the read that crossed the mark) and the destination's writable buffer (up to its mark,
   * plus the write that crossed it).
   */
  get bufferedBound(): number {
    return RELAY_LIMITS.heldBytesPerDirection + MAX_READ_BYTES + this.source.readableHighWaterMark + MAX_READ_BYTES + this.dest.writableHighWaterMark + MAX_READ_BYTES
  }
}
