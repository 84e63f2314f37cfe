import { int, jsonObject, object, oneOf, optional, string, type Infer, type JsonObject } from '../schema'
import { method } from './spec'

/**
 * What the learner did and chose, kept by the engine in the data folder (learner.json), so it
 * survives a restart, a new browser-mode port and a switch between Electron and browser mode.
 */
export interface LearnerState {
  lang: 'zh' | 'en' | null
  theme: 'light' | 'dark' | null
  /** The first-run welcome: still open, or closed for good. */
  welcome: 'open' | 'closed' | null
  /** The lesson that was open. */
  lesson: string | null
  /** lessonId → { choice, at, revealed? }: the predictions locked in. */
  predictions: JsonObject
  /** lessonId → the practice problems answered and how many were right. */
  practice: JsonObject
  /** exerciseId → { passedAt, file }: the exercises whose check passed (written by the engine). */
  exercises: JsonObject
  /** When this state was last written, ms since the epoch (0 = never). */
  savedAt: number
}

export const EMPTY_LEARNER_STATE: LearnerState = {
  lang: null,
  theme: null,
  welcome: null,
  lesson: null,
  predictions: {},
  practice: {},
  exercises: {},
  savedAt: 0,
}

/** The whole file stays small: one JSON document rewritten atomically on every change. */
export const LEARNER_MAX_RECORD_BYTES = 32 * 1024

const record = () => jsonObject({ maxBytes: LEARNER_MAX_RECORD_BYTES, maxDepth: 4 })
const lessonId = string({ min: 1, max: 64, pattern: /^[a-z0-9-]+$/, patternHint: { en: 'a lesson id such as tcp-loops', zh: '应是课程编号，例如 tcp-loops' } })

/** The fields a page may change; `exercises` is written only by the engine's checks. */
const patchShape = {
  lang: optional(oneOf(['zh', 'en'] as const)),
  theme: optional(oneOf(['light', 'dark'] as const)),
  welcome: optional(oneOf(['open', 'closed'] as const)),
  lesson: optional(lessonId),
  predictions: optional(record()),
  practice: optional(record()),
}
export const learnerPatch = object(patchShape)
export type LearnerPatch = Infer<typeof learnerPatch>

/** What learner.json must hold to be read back (anything else is a damaged file). */
export const learnerFile = object({ ...patchShape, exercises: optional(record()), savedAt: optional(int({ min: 0, max: Number.MAX_SAFE_INTEGER })) })

export interface LearnerSnapshot {
  state: LearnerState
  /** The file it lives in; null when the lab keeps it in memory only (no data folder). */
  file: string | null
  /** Set when learner.json could not be read: it was moved aside and the lab started fresh. */
  damaged: { reason: string; movedTo: string | null } | null
}

export const learnerMethods = {
  'learner.get': method<LearnerSnapshot>()(object({})),
  /** Changes the given fields only; the others stay. */
  'learner.set': method<LearnerSnapshot>()(learnerPatch),
}

export interface LearnerEvents {
  /** Another window (or tab) changed the learner's state. */
  'learner.changed': { savedAt: number }
}
