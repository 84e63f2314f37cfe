import type { LabEvent } from '../../shared/contract'
import { EVENT_BATCH_MAX, EVENT_BATCH_MS } from '../../shared/transport'

/**
 * Collects engine events and hands them to a door in batches, at most every `intervalMs`.
 * A batch is capped: past the cap events are counted as dropped, so a packet flood can
 * neither freeze the window nor grow memory without limit.
 */
export class EventBatcher {
  private pending: LabEvent[] = []
  private dropped = 0
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    private readonly flush: (events: LabEvent[], dropped: number) => void,
    private readonly intervalMs = EVENT_BATCH_MS,
    private readonly max = EVENT_BATCH_MAX,
  ) {}

  push(event: LabEvent): void {
    if (this.closed) return
    if (this.pending.length >= this.max) this.dropped++
    else this.pending.push(event)
    this.timer ??= setTimeout(() => this.drain(), this.intervalMs)
  }

  drain(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0 && this.dropped === 0) return
    const events = this.pending
    const dropped = this.dropped
    this.pending = []
    this.dropped = 0
    this.flush(events, dropped)
  }

  close(): void {
    this.drain()
    this.closed = true
  }
}
