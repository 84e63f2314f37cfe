import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { HISTORY_MAX_RESULT_BYTES, type HistoryEntry, type HistoryKind, type HistoryMeta, type HistorySummary } from '../../shared/contract'
import { errorData } from '../../shared/errors'
import type { JsonObject, JsonValue } from '../../shared/schema'
import { csvField, type CsvValue } from '../composables/file-export'
import type { ExperimentId } from '../experiments'
import { useLabStore } from './lab'
import { useUiStore, type ExperimentPreset } from './ui'

/** Which experiment each kind of run re-opens from History. */
export const KIND_EXPERIMENT: Record<string, ExperimentId> = {
  'net.sticky': 'network/sticky',
  'net.compare': 'network/compare',
  'proc.run': 'processes/run',
  'proc.compare': 'processes/run',
  'proc.counter': 'processes/counter',
  'sim.run': 'processes/simulator',
}

/** A plain JSON copy: drops undefined keys and Vue proxies (Electron's IPC cannot clone a Proxy). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T
}

/** A result too big to keep is replaced by a note, so the run (settings and summary) is still saved. */
function keepable(result: unknown): JsonValue {
  const text = JSON.stringify(result ?? null)
  const bytes = new TextEncoder().encode(text).length
  return bytes > HISTORY_MAX_RESULT_BYTES ? { omitted: 'the full result was too large to keep', bytes } : (JSON.parse(text) as JsonValue)
}

/**
 * The runs the learner made, newest first. Experiment views call `record(...)` when a run
 * finishes; it never throws: a failed save (full disk, read-only folder) shows a notice and
 * the run is kept for this session only, so lessons can still compare it with the prediction.
 */
export const useHistoryStore = defineStore('history', () => {
  const lab = useLabStore()
  const ui = useUiStore()
  const saved = ref<HistoryMeta[]>([])
  /** Runs whose save failed: shown in this session, marked unsaved. */
  const unsaved = shallowRef<HistoryEntry[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  let unsavedSeq = 1

  const entries = computed<HistoryMeta[]>(() =>
    [...saved.value, ...unsaved.value.map(({ id, at, kind, title, summary }) => ({ id, at, kind, title, summary }))].sort((a, b) => b.at - a.at),
  )

  function isUnsaved(id: string): boolean {
    return unsaved.value.some((e) => e.id === id)
  }

  async function record(kind: HistoryKind, title: string, settings: object, summary: HistorySummary, result: unknown): Promise<HistoryMeta | null> {
    let input: { kind: string; title: string; settings: JsonObject; summary: HistorySummary; result: JsonValue }
    try {
      input = { kind, title: title.slice(0, 200) || kind, settings: plain(settings) as JsonObject, summary: plain(summary), result: keepable(result) }
    } catch (err) {
      lab.notify(errorData('ERR_INTERNAL', `this run could not be saved: ${(err as Error).message}`))
      return null
    }
    try {
      const r = await lab.call('history.add', input)
      if (r.ok) {
        saved.value = [r.value, ...saved.value.filter((m) => m.id !== r.value.id)]
        return r.value
      }
      lab.notify(r.error)
      if (r.error.code === 'ERR_STORAGE') {
        const entry: HistoryEntry = { id: `unsaved-${unsavedSeq++}`, at: Date.now(), ...input }
        unsaved.value = [...unsaved.value.slice(-49), entry]
        return { id: entry.id, at: entry.at, kind, title: input.title, summary: input.summary }
      }
      return null
    } catch (err) {
      lab.notify(errorData('ERR_INTERNAL', (err as Error).message))
      return null
    }
  }

  async function list(): Promise<HistoryMeta[]> {
    loading.value = true
    try {
      const r = await lab.call('history.list', { limit: 500 })
      if (r.ok) {
        saved.value = r.value
        loaded.value = true
      } else lab.notify(r.error)
      return entries.value
    } finally {
      loading.value = false
    }
  }

  async function get(id: string): Promise<HistoryEntry | null> {
    const local = unsaved.value.find((e) => e.id === id)
    if (local) return local
    return lab.attempt('history.get', { id })
  }

  /** Re-opens the experiment of an entry with the settings it ran with. */
  async function open(id: string): Promise<boolean> {
    const entry = await get(id)
    if (!entry) return false
    const experiment = KIND_EXPERIMENT[entry.kind]
    if (!experiment) return false
    ui.openExperiment({ experiment, settings: entry.settings } as ExperimentPreset)
    return true
  }

  async function remove(id: string): Promise<void> {
    if (isUnsaved(id)) {
      unsaved.value = unsaved.value.filter((e) => e.id !== id)
      return
    }
    const done = await lab.attempt('history.remove', { id })
    if (done) saved.value = saved.value.filter((m) => m.id !== id)
  }

  async function clear(): Promise<void> {
    const done = await lab.attempt('history.clear', {})
    if (done) saved.value = []
    unsaved.value = []
  }

  /** The newest run of one of these kinds (for a lesson's "what the run measured"). */
  function latest(kinds: readonly string[], since = 0): HistoryMeta | undefined {
    return entries.value.find((m) => kinds.includes(m.kind) && m.at >= since)
  }

  // Another window, or another tab of browser mode, changed the history.
  lab.on('history.changed', () => {
    if (loaded.value) void list()
  })

  return { entries, saved, unsaved, loaded, loading, isUnsaved, record, list, get, open, remove, clear, latest }
})

/** One CSV cell; a nested value is written as JSON. */
function csvCell(value: unknown): string {
  return csvField(typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as CsvValue))
}

/** Runs as CSV: id, time, kind, title, then one column per summary measure (the union, in first-seen order). */
export function historyToCsv(entries: HistoryMeta[]): string {
  const keys: string[] = []
  for (const e of entries) for (const k of Object.keys(e.summary)) if (!keys.includes(k)) keys.push(k)
  const header = ['id', 'time', 'kind', 'title', ...keys]
  const rows = entries.map((e) => [e.id, new Date(e.at).toISOString(), e.kind, e.title, ...keys.map((k) => e.summary[k])])
  // A byte-order mark so that spreadsheet programs read the Chinese text as UTF-8.
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** One way to show when a run happened, in every view: date and time, 24-hour clock. */
export function formatWhen(at: number, lang: 'zh' | 'en'): string {
  return new Date(at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', hour12: false })
}

/** A summary measure's name for people: `recvs` → “recv() reads”, `threading.p99Ms` → “threading · p99 latency, ms”. */
export function measureLabel(key: string, t: (key: string) => string): string {
  const known = (k: string, group: string) => {
    const text = t(`history.${group}.${k}`)
    return text === `history.${group}.${k}` ? null : text
  }
  // A Python row's key is `python-threading.totalMs`.
  const dotted = /^([\w-]+)\.(\w+)$/.exec(key)
  if (dotted) {
    const mode = known(dotted[1]!, 'modes')
    const metric = known(dotted[2]!, 'measures')
    if (mode && metric) return `${mode} · ${metric}`
  }
  return known(key, 'measures') ?? key
}

/** Measures that are a share of 1 (0.44), shown as a percentage (44 %) like the experiments show them. */
const SHARE_KEYS = /(^|\.)(utilisation|cpuUtilization|ioUtilization)$/

/**
 * A measure's value for people: whole numbers grouped, fractions to two places, shares as
 * percentages, booleans as ✓/✗, and words the lab stores (`parallel`, `threads`) in the learner's language.
 */
export function formatMeasure(v: unknown, lang: 'zh' | 'en', key = '', t?: (key: string) => string): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'boolean') return v ? '✓' : '✗'
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US'
  if (typeof v === 'number' && SHARE_KEYS.test(key)) return `${Math.round(v * 100).toLocaleString(locale)} %`
  if (typeof v === 'number') return v.toLocaleString(locale, { maximumFractionDigits: Number.isInteger(v) ? 0 : 2 })
  const word = t?.(`history.values.${String(v)}`)
  return word && word !== `history.values.${String(v)}` ? word : String(v)
}

/** English words a run's stored title may hold, and the value key each one is. */
const TITLE_WORDS: [RegExp, string][] = [
  [/switch on io\b/g, 'switchIo'],
  [/switch on end\b/g, 'switchEnd'],
  [/\bserial\b/g, 'serial'],
  [/\bconcurrent\b/g, 'concurrent'],
  [/\bparallel\b/g, 'parallel'],
  [/\bthreads\b/g, 'threads'],
  [/\bprocesses\b/g, 'processes'],
  [/\batomic\b/g, 'atomic'],
  // A comparison's title: "4 × 5 · delay:50 · serial/threading/forking/async".
  [/\bthreading\b/g, 'threading'],
  [/\bforking\b/g, 'forking'],
  [/\basync\b/g, 'async'],
  [/\becho\b/g, 'echo'],
  [/\breverse\b/g, 'reverse'],
  [/\bcancelled\b/g, 'cancelled'],
]

/** A sticky run's title ends with its framing in brackets: "3 × send → 1 × recv (none, UDP)". */
const TITLE_FRAME = / \((none|len32le|len32be|line)(, UDP)?\)$/

/** A run's title in the learner's language: the lab stores titles such as "threads × 4 atomic" or "… · switch on io". */
export function runTitle(title: string, lang: 'zh' | 'en', t: (key: string) => string): string {
  const framed = title.replace(TITLE_FRAME, (_m, frame: string, udp?: string) => {
    const word = t(`history.values.frame.${frame}`)
    return lang === 'zh' ? `（${word}${udp ? '，UDP' : ''}）` : ` (${word}${udp ?? ''})`
  })
  if (lang === 'en') return framed.replace(/switch on io\b/g, t('history.values.switchIo')).replace(/switch on end\b/g, t('history.values.switchEnd'))
  const delayed = framed.replace(/\bdelay:(\d+)\b/g, (_m, n: string) => `${t('history.values.delay')} ${n} ms`)
  return TITLE_WORDS.reduce((text, [word, key]) => text.replace(word, t(`history.values.${key}`)), delayed)
}
