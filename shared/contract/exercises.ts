import { object, oneOf } from '../schema'
import { method } from './spec'

/**
 * Exercises the lab checks on the learner's own Python code. The page names an exercise by
 * id only: the engine copies the starter into `<data folder>/exercises/`, the learner edits
 * it in their own editor, and `exercise.check` runs that file as a peer and tests it the way
 * an autograder does (CS50's check50 is the model).
 */
export const EXERCISE_IDS = ['upper-server', 'two-clients', 'framed-client', 'udp-server', 'thread-lock'] as const
export type ExerciseId = (typeof EXERCISE_IDS)[number]

/** The lesson each exercise practises (its card is shown on that lesson's page). */
export const EXERCISE_LESSON: Record<ExerciseId, string> = {
  'upper-server': 'tcp-loops',
  'two-clients': 'concurrent-server',
  'framed-client': 'framing',
  'udp-server': 'udp-datagrams',
  'thread-lock': 'threads-processes',
}

/** Text the engine says in both languages (a check's report is read by the page and the CLI). */
export interface Said {
  zh: string
  en: string
}

export interface ExerciseInfo {
  id: ExerciseId
  /** The file's name in the exercises folder, such as upper_server.py. */
  file: string
  /** Where the learner's copy is (null until prepared). */
  path: string | null
  folder: string | null
  /** When its check last passed (kept in the learner store), or null. */
  passedAt: number | null
}

/** One step of a check: what the lab did, what it sent, what came back, and why it failed. */
export interface CheckStep {
  title: Said
  sent: string | null
  got: string | null
  ok: boolean
  why: Said | null
}

export interface CheckReport {
  id: ExerciseId
  file: string
  passed: boolean
  steps: CheckStep[]
  /** What the program printed on stderr (its traceback), at most a few lines. */
  stderr: string[]
  at: number
}

/** How long one whole check may take. */
export const EXERCISE_CHECK_DEADLINE_MS = 30_000

const id = oneOf(EXERCISE_IDS)

export const exerciseMethods = {
  'exercise.list': method<ExerciseInfo[]>()(object({})),
  /** Copies the starter into the exercises folder unless the learner's copy is already there (never overwrites). */
  'exercise.prepare': method<ExerciseInfo>()(object({ id })),
  /** Runs the learner's file and tests it; a passing check is remembered in the learner store. */
  'exercise.check': method<CheckReport>()(object({ id })),
  /** Opens the exercises folder in the system's file manager (the desktop window offers this; browser mode shows the path). */
  'exercise.openFolder': method<{ folder: string }>()(object({ id })),
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ExerciseEvents {}
