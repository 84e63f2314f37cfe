/**
 * The engine's network event log (issue 14, "log that lasts"): every `net.server` and `net.client`
 * event, numbered as it is published and kept in a bounded ring, so a page that reloads or missed
 * events under a burst reads them back. The oldest fall off the ring and are counted, never hidden.
 */
import { NET_LOG_LIMITS, type ClientEvent, type NetLogEntry, type NetLogPage, type ServerEvent } from '../../../shared/contract'
import { Ring } from '../../../shared/ring'

export class NetEventLog {
  /** Names this engine process: numbering starts again at 1 in a new one. */
  readonly epoch = `${process.pid}-${Date.now().toString(36)}`
  private readonly ring: Ring<NetLogEntry>
  private seq = 0
  private total = 0

  constructor(capacity: number = NET_LOG_LIMITS.entries) {
    this.ring = new Ring<NetLogEntry>(capacity)
  }

  /**
   * Numbers the event and keeps it. The event object is stamped, not copied (the hot path of every
   * read and send): the number travels with it to every page.
   */
  note(topic: 'net.server', event: ServerEvent): void
  note(topic: 'net.client', event: ClientEvent): void
  note(topic: 'net.server' | 'net.client', event: ServerEvent | ClientEvent): void {
    const seq = ++this.seq
    event.logSeq = seq
    this.ring.push({ seq, topic, event } as NetLogEntry)
    this.total++
  }

  get dropped(): number {
    return this.total - this.ring.size
  }

  read(afterSeq = 0, limit: number = NET_LOG_LIMITS.page): NetLogPage {
    const size = this.ring.size
    const first = this.ring.at(0)?.seq ?? this.seq + 1
    // Kept numbers are consecutive (first … first + size − 1), so the start is found without a search.
    const start = Math.min(size, Math.max(0, afterSeq - first + 1))
    const end = Math.min(size, start + limit)
    const entries: NetLogEntry[] = []
    for (let i = start; i < end; i++) entries.push(this.ring.at(i)!)
    return { epoch: this.epoch, entries, lastSeq: this.seq, total: this.total, dropped: this.dropped, more: end < size }
  }

  /** Empties the log; the numbering goes on, so pages never mistake a new event for one they have. */
  clear(): number {
    const cleared = this.ring.size
    this.ring.clear()
    this.total = 0
    return cleared
  }
}
