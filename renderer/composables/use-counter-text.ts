import { computed, type Ref } from 'vue'
import type { TrafficCounters } from '../../shared/contract'
import { localeFor } from '../format/net-log'
import { useUiStore } from '../stores/ui'

/**
 * How a line of traffic counters reads, for the server's counter line and each connection's cells:
 * numbers in the learner's locale, bytes with their unit, and seconds since the last activity as of
 * `at` (when the engine read the counters).
 */
export function useCounterText(counters: Ref<TrafficCounters | null>, at: Ref<number>) {
  const ui = useUiStore()
  const num = (n: number) => n.toLocaleString(localeFor(ui.lang))
  const bytes = (n: number) => ui.t('net.wb.counters.bytes', { n: num(n) })
  const ago = computed(() => (counters.value?.lastAt ? Math.max(0, (at.value - counters.value.lastAt) / 1000).toFixed(1) : ''))
  return { bytes, ago }
}
