import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { comparePlan, planMs } from '../../shared/run-estimate'
import { useLongRun } from '../composables/use-long-run'
import { COMPARE_DEFAULTS, COMPARE_MODES, DEFAULT_REQUEST_QUEUE_SIZE, HISTORY_MAX_RESULT_BYTES, type CompareRunResult } from '../../shared/contract'
import { compactCompare } from '../history/compact-runs'
import { compareSummary } from '../history/compare-summary'
import type { ExperimentSettings } from '../experiments'
import { useHistoryStore } from './history'
import { wholeNumber } from '../forms/whole-number'
import { compareHandlerSpec, defaultCompareForm, type CompareForm } from '../forms/compare-form'
import { useLabStore } from './lab'

/** Serial vs concurrent servers: settings, the run's progress (run.progress, with the row running), the last run. */
export const useNetCompareStore = defineStore('netCompare', () => {
  const lab = useLabStore()
  const form = ref<CompareForm>(defaultCompareForm())
  const result = shallowRef<CompareRunResult | null>(null)
  const running = ref(false)
  /** Cancel, estimate and progress of the run (shared/contract/runs.ts). */
  const long = useLongRun()
  const estimateMs = computed(() => {
    const f = form.value
    return planMs(comparePlan({ clients: wholeNumber(f.clients, COMPARE_DEFAULTS.clients), messages: wholeNumber(f.messages, COMPARE_DEFAULTS.messages), handler: compareHandlerSpec(f), modes: f.modes, python: f.python }, lab.info?.cpus))
  })

  function applyPreset(p: ExperimentSettings['network/compare']) {
    const f = defaultCompareForm()
    if (p.clients !== undefined) f.clients = p.clients
    if (p.messages !== undefined) f.messages = p.messages
    if (p.handler) {
      const m = /^delay:(\d+)$/.exec(p.handler)
      if (m) {
        f.handler = 'delay'
        f.delayMs = Number(m[1])
      } else if (p.handler === 'upper' || p.handler === 'echo' || p.handler === 'reverse') f.handler = p.handler
    }
    if (p.modes?.length) f.modes = COMPARE_MODES.filter((m) => p.modes!.includes(m))
    if (p.requestQueueSize !== undefined) f.requestQueueSize = p.requestQueueSize
    if (p.python !== undefined) f.python = p.python
    form.value = f
  }

  async function run(): Promise<CompareRunResult | null> {
    if (running.value || form.value.modes.length === 0) return null
    running.value = true
    const id = long.begin()
    let marker: CompareRunResult['cancelled']
    try {
      const f = form.value
      const modes = COMPARE_MODES.filter((m) => f.modes.includes(m))
      const settings = {
        clients: wholeNumber(f.clients, COMPARE_DEFAULTS.clients),
        messages: wholeNumber(f.messages, COMPARE_DEFAULTS.messages),
        bytes: wholeNumber(f.bytes, COMPARE_DEFAULTS.bytes),
        handler: compareHandlerSpec(f),
        modes,
        requestQueueSize: wholeNumber(f.requestQueueSize, DEFAULT_REQUEST_QUEUE_SIZE),
        ...(f.python ? { python: true } : {}),
      }
      const r = await lab.attempt('net.compare.run', { ...settings, runId: id })
      if (!r) return null
      marker = r.cancelled
      // A cancel before any mode finished leaves nothing to show or keep.
      if (r.modes.length === 0) return r
      result.value = r
      // What History keeps and lesson 8 reads back (history/compare-summary.ts).
      const summary = compareSummary(r)
      void useHistoryStore().record(
        'net.compare',
        `${settings.clients} × ${settings.messages} · ${settings.handler} · ${r.modes.map((m) => m.mode).join('/')}${r.cancelled ? ` · cancelled (${r.cancelled.done}/${r.cancelled.total})` : ''}`,
        { clients: settings.clients, messages: settings.messages, handler: settings.handler, modes },
        summary,
        compactCompare(r, HISTORY_MAX_RESULT_BYTES - 8_192),
      )
      return r
    } finally {
      long.end(marker)
      running.value = false
    }
  }

  return { form, result, running, runProgress: long.progress, cancelling: long.cancelling, cancelled: long.cancelled, estimateMs, applyPreset, run, cancel: long.cancel }
})
