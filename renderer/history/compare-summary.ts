import type { CompareRunResult } from '../../shared/contract'
import { rowKey } from '../format/compare-rows'

/**
 * What History keeps of a serial-vs-concurrent run, and what lesson 8 reads back (issues 9, 11):
 * the settings the expectation is computed from (clients × messages × handler delay), and per row
 * its throughput, p99, total time, the longest wait of one client, the clients whose SYN was dropped
 * (full backlog); for the lab's threading and forking rows, how many clients found a spare thread
 * or process ready and what starting one took (p50) — the cost Python's threads and fork() hardly have.
 */
export function compareSummary(r: CompareRunResult): Record<string, number | boolean> {
  const summary: Record<string, number | boolean> = r.cancelled ? { cancelled: true } : {}
  const delay = /^delay:(\d+)$/.exec(r.settings.handler)
  summary.clients = r.settings.clients
  summary.messages = r.settings.messages
  summary.delayMs = delay ? Number(delay[1]) : 0
  summary.requestQueueSize = r.settings.requestQueueSize
  for (const m of r.modes) {
    const k = rowKey(m)
    summary[`${k}.msgsPerSec`] = Math.round(m.msgsPerSec)
    summary[`${k}.p99Ms`] = round1(m.p99Ms)
    summary[`${k}.totalMs`] = Math.round(m.totalMs)
    summary[`${k}.waitMaxMs`] = round1(m.wait?.max ?? Math.max(0, ...m.clients.map((c) => c.waitMs ?? 0)))
    summary[`${k}.retried`] = m.retried ?? 0
    const ups = m.clients.map((c) => c.startup).filter((u) => u !== null && u !== undefined)
    if (ups.length > 0) {
      summary[`${k}.spareReady`] = ups.filter((u) => u.spare).length
      const starts = ups.map((u) => u.threadStartMs).filter((n): n is number => typeof n === 'number')
      if (starts.length > 0) summary[`${k}.startMs`] = round1(median(starts))
    }
  }
  return summary
}

const round1 = (n: number) => Math.round(n * 10) / 10

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}
