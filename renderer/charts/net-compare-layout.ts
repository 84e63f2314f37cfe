/**
 * Geometry for the serial-vs-concurrent view: a timeline per mode (one row per client, a bar per
 * round trip) on a time axis shared by all modes, and the bar chart comparing the modes. Pure.
 */
import { tickStep } from './net-sticky-layout'

export interface TimelineInput {
  clients: { client: number; connectAt: number; firstReplyAt: number | null }[]
  timeline: { client: number; seq: number; start: number; end: number }[]
}

export interface TimelineBar {
  client: number
  seq: number
  x: number
  y: number
  w: number
}

export interface TimelineLayout {
  rows: number[]
  bars: TimelineBar[]
  /** Waiting before the first reply (queue time in serial mode), per client. */
  waits: { client: number; x: number; y: number; w: number }[]
  ticks: { x: number; label: string }[]
  height: number
}

/** The time axis every mode's timeline shares: the longest run. */
export function sharedSpanMs(modes: { totalMs: number; timeline: { end: number }[] }[]): number {
  let span = 1
  for (const m of modes) {
    span = Math.max(span, m.totalMs)
    for (const e of m.timeline) span = Math.max(span, e.end)
  }
  return span
}

export function layoutTimeline(input: TimelineInput, spanMs: number, width: number, rowHeight = 14, rowGap = 4): TimelineLayout {
  const scale = width / Math.max(1, spanMs)
  const rows = [...new Set(input.clients.map((c) => c.client).concat(input.timeline.map((e) => e.client)))].sort((a, b) => a - b)
  const rowOf = new Map(rows.map((c, i) => [c, i]))
  const y = (client: number) => (rowOf.get(client) ?? 0) * (rowHeight + rowGap)
  const bars = input.timeline.map((e) => ({ client: e.client, seq: e.seq, x: e.start * scale, y: y(e.client), w: Math.max(1, (e.end - e.start) * scale) }))
  const waits = input.clients
    .filter((c) => c.firstReplyAt !== null)
    .map((c) => {
      const first = input.timeline.filter((e) => e.client === c.client).reduce((m, e) => Math.min(m, e.start), Infinity)
      const end = Number.isFinite(first) ? first : (c.firstReplyAt as number)
      return { client: c.client, x: c.connectAt * scale, y: y(c.client), w: Math.max(0, (end - c.connectAt) * scale) }
    })
    .filter((w) => w.w >= 1)
  const step = tickStep(spanMs, 6)
  const ticks: { x: number; label: string }[] = []
  for (let t = 0; t <= spanMs; t += step) ticks.push({ x: t * scale, label: `${t}` })
  return { rows, bars, waits, ticks, height: Math.max(1, rows.length) * (rowHeight + rowGap) - rowGap }
}

export type CompareMetric = 'msgsPerSec' | 'totalMs' | 'p50Ms' | 'p99Ms' | 'meanWaitMs'

export interface ChartBar {
  mode: string
  value: number
  w: number
  y: number
}

/** Mean over the clients that were answered of how long each waited for its first reply. */
export function meanWaitMs(clients: { waitMs: number | null }[]): number {
  const waits = clients.map((c) => c.waitMs).filter((w): w is number => w !== null)
  return waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : 0
}

export function metricValue(m: { msgsPerSec: number; totalMs: number; p50Ms: number; p99Ms: number; clients: { waitMs: number | null }[] }, metric: CompareMetric): number {
  return metric === 'meanWaitMs' ? meanWaitMs(m.clients) : m[metric]
}

/** Horizontal bars, one per mode, scaled so the largest fills `width`. */
export function layoutBars(values: { mode: string; value: number }[], width: number, barHeight = 22, gap = 10): { bars: ChartBar[]; height: number; max: number } {
  const max = Math.max(0, ...values.map((v) => v.value))
  const bars = values.map((v, i) => ({ mode: v.mode, value: v.value, w: max > 0 ? Math.max(2, (v.value / max) * width) : 2, y: i * (barHeight + gap) }))
  return { bars, height: Math.max(0, values.length * (barHeight + gap) - gap), max }
}
