import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { LESSONS, findLesson } from '../lessons'

export interface PredictionState {
  choice: string
  /** When it was locked in: runs after this moment answer it. */
  at: number
  /** The learner asked to see the answer without (or before) a run. */
  revealed?: boolean
}

/** Only well-formed predictions of known lessons are taken from a stored record. */
export function validPredictions(value: unknown): Record<string, PredictionState> {
  const out: Record<string, PredictionState> = {}
  if (!value || typeof value !== 'object') return out
  for (const [id, p] of Object.entries(value as Record<string, unknown>)) {
    const lesson = findLesson(id)
    const rec = p as Partial<PredictionState> | null
    if (!lesson || !rec || typeof rec.choice !== 'string' || typeof rec.at !== 'number') continue
    if (!lesson.prediction.choices.some((c) => c.id === rec.choice)) continue
    out[id] = { choice: rec.choice, at: rec.at, ...(rec.revealed ? { revealed: true } : {}) }
  }
  return out
}

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

  return { currentId, current, index, predictions, predictedCount, open, step, predict, reveal, forget }
})
