import { ref, shallowRef } from 'vue'
import type { RunCancelled, RunProgress } from '../../shared/contract'
import { useLabStore } from '../stores/lab'

let nextRun = 1

/**
 * One cancellable long run of a store (shared/contract/runs.ts): the id the page chose for it, its
 * `run.progress` events, `cancel()`, and the `cancelled` marker of the last result. Call it in a
 * store's setup (it subscribes once, for the store's life).
 */
export function useLongRun() {
  const lab = useLabStore()
  const runId = ref<string | null>(null)
  const progress = shallowRef<RunProgress | null>(null)
  const cancelling = ref(false)
  /** The last run's marker when it was cancelled (its result holds what finished); null otherwise. */
  const cancelled = shallowRef<RunCancelled | null>(null)

  lab.on('run.progress', (p) => {
    if (p.runId === runId.value) progress.value = p
  })

  /** A fresh id for the run about to start (unique per page; another window chooses its own). */
  function begin(): string {
    const id = `page-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${nextRun++}`
    runId.value = id
    progress.value = null
    cancelling.value = false
    cancelled.value = null
    return id
  }

  function end(marker?: RunCancelled) {
    cancelled.value = marker ?? null
    runId.value = null
    progress.value = null
    cancelling.value = false
  }

  async function cancel() {
    const id = runId.value
    if (!id || cancelling.value) return
    cancelling.value = true
    await lab.attempt('run.cancel', { runId: id })
  }

  return { runId, progress, cancelling, cancelled, begin, end, cancel }
}

export type LongRun = ReturnType<typeof useLongRun>
