/**
 * The relay's randomness and the decisions it takes per message, pure and seeded: the same seed
 * and the same traffic give the same drops, copies, delays and reorderings (issue 14). Each
 * direction has its own stream, and every datagram draws the same number of values whatever
 * happens to it, so the n-th datagram's fate depends only on the seed and n.
 */
import { NO_CONDITIONS, RELAY_DEFAULT_REORDER_PCT, type RelayConditions, type RelayDirection } from '../../../shared/contract'
import { seededRandom } from '../../../shared/seeded-random'

export { seededRandom }

/** Each direction's stream: the up stream is the seed itself, the down one a fixed mix of it. */
export function directionRandom(seed: number, dir: RelayDirection): () => number {
  return seededRandom(dir === 'up' ? seed : (seed ^ 0x9e3779b9) >>> 0)
}

/** Fills absent fields with 0 (off); a reorder window without a percentage gets the default chance. */
export function fullConditions(given: Partial<RelayConditions> | undefined, base: RelayConditions = NO_CONDITIONS): RelayConditions {
  const c = { ...base }
  for (const [k, v] of Object.entries(given ?? {})) if (typeof v === 'number') c[k as keyof RelayConditions] = v
  if (c.reorderWindow > 0 && c.reorderPct === 0 && given?.reorderPct === undefined) c.reorderPct = RELAY_DEFAULT_REORDER_PCT
  return c
}

/** Nothing to do for TCP: bytes go straight through (the fast path, still reported). */
export function tcpPassThrough(c: RelayConditions): boolean {
  return c.delayMs === 0 && c.jitterMs === 0 && c.rateBytesPerSec === 0 && c.splitBytes === 0 && c.mergeMs === 0
}

/** Nothing to do for UDP: each datagram goes straight on (the fast path, still counted and reported). */
export function udpPassThrough(c: RelayConditions): boolean {
  return c.delayMs === 0 && c.jitterMs === 0 && c.rateBytesPerSec === 0 && c.lossPct === 0 && c.dupPct === 0 && c.reorderWindow === 0 && c.truncateBytes === 0
}

/** delay ± jitter, uniform, never below 0, to the microsecond (the relay's clock is fractional ms). */
export function drawDelay(c: RelayConditions, r: number): number {
  if (c.jitterMs === 0) return c.delayMs
  return Math.max(0, Math.round((c.delayMs + (r * 2 - 1) * c.jitterMs) * 1000) / 1000)
}

export interface DatagramPlan {
  action: 'forward' | 'dropped'
  delayMs: number
  dup: boolean
  /** Later datagrams this one waits for before it is sent (0 = in order). */
  holdFor: number
  keptBytes: number
}

/** Draws each datagram takes from its direction's stream, whatever happens to it. */
export const DATAGRAM_DRAWS = 5

/** One datagram's fate: DATAGRAM_DRAWS draws always (loss, copy, reorder, how far, jitter). */
export function planDatagram(c: RelayConditions, rand: () => number, bytes: number): DatagramPlan {
  const [loss, copy, reorder, far, jitter] = [rand(), rand(), rand(), rand(), rand()]
  const keptBytes = c.truncateBytes > 0 ? Math.min(bytes, c.truncateBytes) : bytes
  const delayMs = drawDelay(c, jitter)
  if (loss * 100 < c.lossPct) return { action: 'dropped', delayMs, dup: false, holdFor: 0, keptBytes }
  const holdFor = c.reorderWindow > 0 && reorder * 100 < c.reorderPct ? 1 + Math.floor(far * c.reorderWindow) : 0
  return { action: 'forward', delayMs, dup: copy * 100 < c.dupPct, holdFor, keptBytes }
}
