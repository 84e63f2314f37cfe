import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { LESSONS, findLesson } from '../lessons'

const CURRENT_KEY = 'lab.lesson'
const PREDICTIONS_KEY = 'lab.predictions'

export interface PredictionState {
  choice: string
  /** When it was locked in: runs after this moment answer it. */
  at: number
  /** The learner asked to see the answer without (or before) a run. */
  revealed?: boolean
}

function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key)
    return raw ? (JSON.parse(raw) as T) : fallback
  } catch {
    return fallback
  }
}

/** Which lesson is open and the learner's predictions; both remembered across restarts. */
export const useLessonsStore = defineStore('lessons', () => {
  const saved = load<string>(CURRENT_KEY, LESSONS[0]!.id)
  const currentId = ref(findLesson(saved) ? saved : LESSONS[0]!.id)
  const predictions = ref<Record<string, PredictionState>>(load(PREDICTIONS_KEY, {}))

  const current = computed(() => findLesson(currentId.value) ?? LESSONS[0]!)
  const index = computed(() => LESSONS.findIndex((l) => l.id === current.value.id))
  const predictedCount = computed(() => LESSONS.filter((l) => predictions.value[l.id]).length)

  watch(currentId, (id) => localStorage.setItem(CURRENT_KEY, JSON.stringify(id)))
  watch(predictions, (p) => localStorage.setItem(PREDICTIONS_KEY, JSON.stringify(p)), { deep: true })

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
