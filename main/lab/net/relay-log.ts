/**
 * What one relay reports: its clock, its counters per direction, and the events it keeps (bounded,
 * drops counted) so a page that reloads reads them back. Every event goes to the engine's bus too.
 */
import { performance } from 'node:perf_hooks'
import { RELAY_LIMITS, type RelayDirection, type RelayDirectionStats, type RelayEvent, type RelayEventLog } from '../../../shared/contract'
import { Ring } from '../../../shared/ring'

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never
export type RelayEventBody = DistributiveOmit<RelayEvent, 'relayId' | 'at' | 't'>

export function emptyStats(): RelayDirectionStats {
  return { messages: 0, bytesIn: 0, bytesOut: 0, writes: 0, dropped: 0, overflow: 0, duplicated: 0, reordered: 0, truncated: 0, pauses: 0, maxHeldBytes: 0, refused: 0 }
}

export class RelayLog {
  readonly startedAt = Date.now()
  private readonly t0 = performance.now()
  private readonly kept = new Ring<RelayEvent>(RELAY_LIMITS.keptEvents)
  private total = 0
  private readonly watchers = new Set<(e: RelayEvent) => void>()
  readonly stats: Record<RelayDirection, RelayDirectionStats> = { up: emptyStats(), down: emptyStats() }

  constructor(
    readonly relayId: string,
    private readonly publish: (e: RelayEvent) => void,
  ) {}

  /** ms since the relay started, fractional (rounded to the microsecond so events stay short). */
  now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000
  }

  emit(body: RelayEventBody, t = this.now()): void {
    const event = { relayId: this.relayId, at: Math.round(this.startedAt + t), t, ...body } as RelayEvent
    this.kept.push(event)
    this.total++
    this.publish(event)
    if (this.watchers.size > 0) for (const w of this.watchers) w(event)
  }

  /** Every event from now on, to `fn` as it is emitted (a probe reading what the relay did to its datagrams), until the returned function is called. */
  watch(fn: (e: RelayEvent) => void): () => void {
    this.watchers.add(fn)
    return () => this.watchers.delete(fn)
  }

  get eventsKept(): number {
    return this.kept.size
  }

  get eventsDropped(): number {
    return this.total - this.kept.size
  }

  read(): RelayEventLog {
    return { id: this.relayId, events: this.kept.toArray(), dropped: this.eventsDropped, total: this.total }
  }
}

export const hexOf = (buf: Buffer): string => buf.subarray(0, RELAY_LIMITS.eventHexBytes).toString('hex')
