import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { HISTORY_MAX_RESULT_BYTES, type HistoryEntry, type HistoryKind, type HistoryMeta, type HistorySummary } from '../../shared/contract'
import { errorData } from '../../shared/errors'
import type { JsonObject, JsonValue } from '../../shared/schema'
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
