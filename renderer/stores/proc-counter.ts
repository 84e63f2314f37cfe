import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { CounterKind, CounterResult } from '../../shared/contract/os'
import { useHistoryStore } from './history'
import { useLabStore } from './lab'
import { methodSpecs } from '../../shared/contract'

/** How long the counter's threads/processes stay alive after counting, so the tree can show them. */
export const COUNTER_HOLD_MS = 2000

/** Threads vs processes: the same counter incremented by N threads or by N child processes. */
export const useProcCounterStore = defineStore('proc-counter', () => {
  const lab = useLabStore()
  const history = useHistoryStore()
  const n = ref(4)
  const increments = ref(methodSpecs['proc.counter.run'].input.shape.increments.default)
  const atomic = ref(false)
  const running = ref<CounterKind | null>(null)
  const results = ref<Partial<Record<CounterKind, CounterResult>>>({})
  const last = shallowRef<CounterResult | null>(null)

  async function run(kind: CounterKind, hold = true): Promise<CounterResult | null> {
    if (running.value) return null
    running.value = kind
    const settings = { kind, n: n.value, increments: increments.value, atomic: atomic.value }
    try {
      const r = await lab.attempt('proc.counter.run', { ...settings, holdMs: hold ? COUNTER_HOLD_MS : 0 })
      if (!r) return null
      results.value = { ...results.value, [kind]: r }
      last.value = r
      void history.record('proc.counter', `${kind} × ${r.n}${r.atomic ? ' atomic' : ''}`, settings, { kind, n: r.n, increments: r.increments, atomic: r.atomic, expected: r.expected, final: r.final, lost: r.lost }, r)
      return r
    } finally {
      running.value = null
    }
  }

  return { n, increments, atomic, running, results, last, run }
})
