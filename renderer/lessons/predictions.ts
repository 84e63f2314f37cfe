import { findLesson } from './index'

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
