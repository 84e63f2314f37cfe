/**
 * Fitting experiment results under the history's size cap (HISTORY_MAX_RESULT_BYTES): long hex
 * previews go first, then timelines are thinned to every n-th exchange. Pure.
 */
import type { CompareRunResult, StickyRunResult } from '../../shared/contract'

const size = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length

export function compactSticky(result: StickyRunResult, maxBytes: number): StickyRunResult {
  if (size(result) <= maxBytes) return result
  const noHex = <T extends { hex: string }>(x: T): T => ({ ...x, hex: '' })
  const slim: StickyRunResult = {
    ...result,
    sends: result.sends.map(noHex),
    recvs: result.recvs.map(noHex),
    messages: result.messages.map(noHex),
    udp: result.udp ? { ...result.udp, datagrams: result.udp.datagrams.map(noHex) } : null,
  }
  if (size(slim) <= maxBytes) return slim
  const cut = (t: string) => (t.length > 64 ? t.slice(0, 63) + '…' : t)
  return {
    ...slim,
    sends: slim.sends.map((x) => ({ ...x, text: cut(x.text) })),
    recvs: slim.recvs.map((x) => ({ ...x, text: cut(x.text) })),
    messages: slim.messages.map((x) => ({ ...x, text: cut(x.text) })),
    udp: slim.udp ? { ...slim.udp, datagrams: slim.udp.datagrams.map((x) => ({ ...x, text: cut(x.text) })) } : null,
  }
}

export function compactCompare(result: CompareRunResult, maxBytes: number): CompareRunResult {
  let current = result
  let every = 2
  while (size(current) > maxBytes && every <= 1024) {
    const n = every
    current = {
      ...result,
      modes: result.modes.map((m) => ({ ...m, timeline: m.timeline.filter((_, i) => i % n === 0), timelineSampled: m.timelineSampled || m.timeline.length > 1 })),
    }
    every *= 2
  }
  return current
}
