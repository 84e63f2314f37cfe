import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { LabErrorData } from '../../shared/errors'
import { LESSONS, findLesson } from '../lessons'
import type { PredictionState } from '../lessons/predictions'
import type { RunError } from '../lessons/types'
import { useLabStore } from './lab'
import { useServersStore } from './servers'

/**
 * What a lesson's try-it ended in, when History keeps no run of it: the server it started (read
 * live, see lessons/server-summary.ts) or the error the engine answered (port in use, python missing).
 * Errors count as results: the lesson reads them like a run.
 */
export type TryOutcome = { at: number; kind: 'net.server'; serverId: string } | { at: number; kind: 'error'; error: RunError }

const runError = (e: LabErrorData): RunError => ({ code: e.code, message: e.message, ...(e.params ? { params: e.params } : {}) })

/**
 * Which lesson is open and the learner's predictions. The learner store (stores/learner.ts)
 * loads both from the engine's data folder and saves every change there.
 */
export const useLessonsStore = defineStore('lessons', () => {
  const currentId = ref(LESSONS[0]!.id)
  const predictions = ref<Record<string, PredictionState>>({})

  const current = computed(() => findLesson(currentId.value) ?? LESSONS[0]!)
  const index = computed(() => LESSONS.findIndex((l) => l.id === current.value.id))
  const predictedCount = computed(() => LESSONS.filter((l) => predictions.value[l.id]).length)

  function open(id: string) {
    if (findLesson(id)) currentId.value = id
  }

  function step(delta: number) {
    const next = LESSONS[index.value + delta]
    if (next) currentId.value = next.id
  }

  function predict(lessonId: string, choice: string) {
    predictions.value = { ...predictions.value, [lessonId]: { choice, at: Date.now() } }
  }

  function reveal(lessonId: string) {
    const p = predictions.value[lessonId]
    if (p) predictions.value = { ...predictions.value, [lessonId]: { ...p, revealed: true } }
  }

  function forget(lessonId: string) {
    const { [lessonId]: _gone, ...rest } = predictions.value
    predictions.value = rest
  }

  /** The try-it being tried: what happens after it, until another one, is that lesson's outcome. */
  const trying = ref<{ lesson: string; at: number } | null>(null)
  /** Each lesson's newest try-it outcome (this session only: a server does not outlive the lab). */
  const outcomes = ref<Record<string, TryOutcome>>({})

  function tried(lessonId: string) {
    trying.value = { lesson: lessonId, at: Date.now() }
  }

  function setOutcome(lessonId: string, outcome: TryOutcome) {
    outcomes.value = { ...outcomes.value, [lessonId]: outcome }
  }

  /**
   * Watches the engine's answers while a try-it is open: a new notice (an error the engine
   * answered) or a server that was not there before becomes that lesson's outcome. Called once,
   * by the always-mounted "← back to lesson" bar.
   */
  /** Errors about the lab's own bookkeeping, never a try-it's outcome. */
  const NOT_AN_OUTCOME = new Set<string>(['ERR_STORAGE'])
  function recordOutcomes() {
    const lab = useLabStore()
    const servers = useServersStore()
    let seenNotice = Math.max(-1, ...lab.notices.map((n) => n.id))
    let seenServers = new Set(servers.servers.map((s) => s.id))
    watch(
      () => lab.notices,
      (list) => {
        const fresh = list.filter((n) => n.id > seenNotice)
        if (fresh.length === 0) return
        seenNotice = Math.max(seenNotice, ...fresh.map((n) => n.id))
        // A save that failed (History, the learner's state) is not what the experiment did: its run still counts.
        const outcome = fresh.filter((n) => !NOT_AN_OUTCOME.has(n.error.code)).at(-1)
        if (trying.value && outcome) setOutcome(trying.value.lesson, { at: Date.now(), kind: 'error', error: runError(outcome.error) })
      },
    )
    watch(
      () => servers.servers,
      (list) => {
        const fresh = list.filter((s) => !seenServers.has(s.id))
        seenServers = new Set(list.map((s) => s.id))
        const started = fresh.find((s) => s.state === 'listening')
        if (trying.value && started) setOutcome(trying.value.lesson, { at: Date.now(), kind: 'net.server', serverId: started.id })
      },
    )
  }

  return { currentId, current, index, predictions, predictedCount, outcomes, trying, open, step, predict, reveal, forget, tried, setOutcome, recordOutcomes }
})
