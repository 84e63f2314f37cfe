/**
 * How a direction with no condition set is reported: the first RELAY_DETAILED_PER_WINDOW messages
 * of each RELAY_SUMMARY_WINDOW_MS window one by one (the caller emits their 'in' and 'out'), the
 * rest counted per connection and reported as one 'summary' event when the window ends. A probe of
 * 20 messages or a learner typing is reported message by message; a load test through the relay
 * costs a few events a second instead of two per read, which cost more than the forwarding.
 * The counters (RelayLog.stats) count every message either way.
 */
import { RELAY_DETAILED_PER_WINDOW, RELAY_SUMMARY_WINDOW_MS, type RelayDirection } from '../../../shared/contract'
import type { RelayLog } from './relay-log'

interface Sum {
  fromT: number
  messages: number
  bytes: number
  firstSeq: number
  lastSeq: number
  offset: number
}

export class PassSummary {
  private left = RELAY_DETAILED_PER_WINDOW
  private windowEnd = -Infinity
  private readonly sums = new Map<number, Sum>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly log: RelayLog,
    private readonly dir: RelayDirection,
    private readonly proto: 'tcp' | 'udp',
  ) {}

  /**
   * One message passed: the relay time to report it at one by one, or null when it was counted
   * into this window's summary instead. Reads the clock only for a message reported one by one.
   */
  take(conn: number, seq: number, bytes: number, offset: number): number | null {
    if (this.left > 0) {
      const t = this.log.now()
      if (t >= this.windowEnd) {
        this.windowEnd = t + RELAY_SUMMARY_WINDOW_MS
        this.left = RELAY_DETAILED_PER_WINDOW
      }
      // The window's last detailed message: what comes after it until the window ends is summed.
      if (--this.left === 0) this.timer ??= setTimeout(() => this.endWindow(), Math.max(0, this.windowEnd - t))
      return t
    }
    const s = this.sums.get(conn)
    if (s) {
      s.messages++
      s.bytes += bytes
      s.lastSeq = seq
    } else {
      this.sums.set(conn, { fromT: this.log.now(), messages: 1, bytes, firstSeq: seq, lastSeq: seq, offset })
    }
    return null
  }

  private endWindow(): void {
    this.timer = null
    this.flush()
    this.left = RELAY_DETAILED_PER_WINDOW
    this.windowEnd = -Infinity
  }

  /** Reports what was summed so far (at the window's end, or before a connection's close). */
  flush(conn?: number): void {
    for (const [c, s] of this.sums) {
      if (conn !== undefined && c !== conn) continue
      this.sums.delete(c)
      this.log.emit({ event: 'summary', conn: c, dir: this.dir, proto: this.proto, ...s })
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.flush()
  }
}
