import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef, watch } from 'vue'
import { NET_LOG_LIMITS, type NetLogEntry } from '../../shared/contract'
import { Ring } from '../../shared/ring'
import { connKeyOf, sourceOf } from '../format/net-log'
import { useLabStore } from './lab'

export type LogEntry = NetLogEntry

/**
 * The page's copy of the engine's network event log (issue 14, "log that lasts"). The engine keeps
 * and numbers every event (`logSeq`); the page reads the log back when it opens and whenever it got
 * the engine back, and appends live events after. A gap in the numbers (the transport skipped events
 * under a burst) is filled by reading those events again, so the log shows what happened, not what
 * the page had time to receive. Same capacity as the engine's ring: NET_LOG_LIMITS.entries.
 */
export const useEventLogStore = defineStore('eventLog', () => {
  const lab = useLabStore()
  let ring = new Ring<LogEntry>(NET_LOG_LIMITS.entries)
  /** The ring, exposed as a ref that is triggered when it changes. */
  const log = shallowRef(ring)
  /** Bumped when the log changes: views that derive from the ring watch this. */
  const version = ref(0)
  /** Events recorded since the last clear, and how many of them fell off the engine's ring. */
  const total = ref(0)
  const dropped = ref(0)
  /** True until the first read of the engine's log answered. */
  const loading = ref(true)
  let epoch: string | null = null
  let lastSeq = 0
  /** The number before the first event counted in `total` (the engine's clear point). */
  let baseSeq = 0
  /** While a read is in flight, live events wait here, then merge with what was read. */
  let held: LogEntry[] | null = null
  /** The last number held before a gap in the live numbers; null while none. */
  let gapAfter: number | null = null
  let fillTimer: ReturnType<typeof setTimeout> | null = null
  let scheduled = false

  /** serverId or clientId → the connections (#N) and UDP peers seen in the log: the filter's choices. */
  const sources = new Map<string, { topic: LogEntry['topic']; conns: Set<string> }>()
  function noteSource(e: LogEntry) {
    const id = sourceOf(e)
    let s = sources.get(id)
    if (!s) sources.set(id, (s = { topic: e.topic, conns: new Set() }))
    const key = connKeyOf(e)
    if (key && s.conns.size < NET_LOG_LIMITS.countedConnections) s.conns.add(key)
  }

  function wake() {
    if (scheduled) return
    scheduled = true
    const flush = () => {
      scheduled = false
      total.value = Math.max(0, lastSeq - baseSeq)
      dropped.value = Math.max(0, total.value - ring.size)
      triggerRef(log)
      version.value++
    }
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) requestAnimationFrame(flush)
    else setTimeout(flush, 50)
  }

  function live(entry: LogEntry) {
    if (held) {
      held.push(entry)
      return
    }
    if (entry.seq <= lastSeq) return
    if (lastSeq > 0 && entry.seq > lastSeq + 1) {
      gapAfter ??= lastSeq
      scheduleFill()
    }
    ring.push(entry)
    noteSource(entry)
    lastSeq = entry.seq
    wake()
  }
  lab.on('net.server', (event) => live({ seq: event.logSeq ?? lastSeq + 1, topic: 'net.server', event }))
  lab.on('net.client', (event) => live({ seq: event.logSeq ?? lastSeq + 1, topic: 'net.client', event }))

  /** What is held and what was read, in number order, each once, the newest NET_LOG_LIMITS.entries. */
  function merge(read: LogEntry[]) {
    const bySeq = new Map<number, LogEntry>()
    for (const e of ring.toArray()) bySeq.set(e.seq, e)
    for (const e of read) bySeq.set(e.seq, e)
    const all = [...bySeq.values()].sort((a, b) => a.seq - b.seq)
    ring = new Ring<LogEntry>(NET_LOG_LIMITS.entries)
    sources.clear()
    for (const e of all.slice(-NET_LOG_LIMITS.entries)) {
      ring.push(e)
      noteSource(e)
    }
    log.value = ring
    lastSeq = Math.max(lastSeq, all.at(-1)?.seq ?? 0)
  }

  /** Reads the engine's log after `after`, page by page; null when the engine did not answer. */
  async function readAfter(after: number): Promise<{ entries: LogEntry[]; epoch: string; lastSeq: number; total: number } | null> {
    const entries: LogEntry[] = []
    for (let pages = 0; pages <= NET_LOG_LIMITS.entries / NET_LOG_LIMITS.page; pages++) {
      const r = await lab.call('net.log.read', { afterSeq: after })
      if (!r.ok) return null
      entries.push(...r.value.entries)
      if (!r.value.more || r.value.entries.length === 0) return { entries, epoch: r.value.epoch, lastSeq: r.value.lastSeq, total: r.value.total }
      after = r.value.entries.at(-1)!.seq
    }
    return null
  }

  /** The whole log from the engine: when the page opens, and when it gets the engine back (maybe a new one). */
  async function load() {
    held ??= []
    try {
      const read = await readAfter(0)
      if (!read) return
      if (read.epoch !== epoch) {
        // Another engine process (the lab restarted): its numbers start again, what the page held is another run's.
        epoch = read.epoch
        ring.clear()
        lastSeq = 0
      }
      merge(read.entries)
      baseSeq = read.lastSeq - read.total
    } finally {
      const waiting = held ?? []
      held = null
      loading.value = false
      for (const e of waiting) live(e)
      wake()
    }
  }

  function scheduleFill() {
    if (fillTimer) return
    // After the burst: the transport skips events when it is busy, so wait for a quieter moment.
    fillTimer = setTimeout(() => void fill(), 300)
  }
  async function fill() {
    fillTimer = null
    const after = gapAfter
    gapAfter = null
    if (after === null || held) return
    held = []
    try {
      const read = await readAfter(after)
      if (read && read.epoch === epoch) merge(read.entries)
    } finally {
      const waiting = held ?? []
      held = null
      for (const e of waiting) live(e)
      wake()
    }
  }

  async function clear() {
    const r = await lab.attempt('net.log.clear', {})
    if (!r) return
    ring.clear()
    sources.clear()
    baseSeq = lastSeq
    wake()
  }

  // Read once the page is connected (a call before AppShell connects would open a second connection).
  if (lab.connected) void load()
  else {
    const stop = watch(
      () => lab.connected,
      (open) => {
        if (!open) return
        stop()
        void load()
      },
    )
  }
  lab.onReconnect(() => void load())

  const sourceIds = () => [...sources.keys()]
  const connsOf = (id: string) => [...(sources.get(id)?.conns ?? [])]
  return { log, version, total, dropped, loading, clear, load, sourceIds, connsOf, topicOf: (id: string) => sources.get(id)?.topic ?? null }
})
