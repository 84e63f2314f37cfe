import type { HistorySummary } from '../../shared/contract/history'
import type { PythonProgramId } from '../../shared/contract/python'
import type { ErrorCode } from '../../shared/errors'
import type { ExperimentPreset } from '../stores/ui'

/** Every piece of lesson text exists in both languages; a unit test fails on a missing one. */
export interface Text {
  zh: string
  en: string
}

/** Our own diagrams (SVG components in LessonDiagram.vue). */
export type DiagramName = 'program-process' | 'os-layers' | 'scp-timeline' | 'multiplexing' | 'two-loops' | 'socketserver' | 'serial-queue' | 'stream' | 'frame' | 'datagram' | 'memory'

export type Block =
  | { kind: 'p'; text: Text }
  | { kind: 'h'; text: Text }
  | { kind: 'list'; items: Text[] }
  /** Code is the same in both languages. */
  | { kind: 'code'; code: string }
  | { kind: 'note'; text: Text }
  | { kind: 'diagram'; name: DiagramName; caption: Text }

export interface Choice {
  id: string
  text: Text
}

export interface Prediction {
  question: Text
  choices: Choice[]
  /** The id of the right choice. */
  correct: string
  /** Why, in terms of what the run shows. */
  explanation: Text
  /** What to look at in the run, said before it runs. */
  watch: Text
  /** The run's summary measures that answer the question, shown first (History's summary keys). */
  keys?: string[]
}

export interface TryIt {
  label: Text
  preset: ExperimentPreset
}

/** A try-it that ended in an error: that error is the try-it's outcome (port in use, python missing). */
export interface RunError {
  code: ErrorCode
  /** The engine's own words (English): which port, which file. */
  message: string
  params?: Record<string, string | number>
}

/**
 * What a lesson's reading of a run gets: the run's own numbers and the machine it ran on.
 * `kind` is a History kind ('proc.compare', …), or one of a try-it's outcomes that History does
 * not keep: 'net.server' (a server the try-it started; its summary is read live) and 'error'.
 */
export interface RunFacts {
  kind: string
  summary: HistorySummary
  /** CPUs the engine can use (lab.info), null when unknown. */
  cpus: number | null
  /** The run of the same kind before this one, also made after the prediction (two policies compared). */
  earlier?: HistorySummary
  /** The runs of this same kind made after the prediction, newest first (this one first), at most 5. */
  recent?: HistorySummary[]
  /** Set when kind is 'error'. */
  error?: RunError
}

export interface Lesson {
  id: string
  title: Text
  /** One line for the list. */
  summary: Text
  body: Block[]
  prediction: Prediction
  tryIt: TryIt[]
  /** The lab's Python programs that go with this lesson. */
  python: PythonProgramId[]
  /** History kinds whose newest run answers the prediction ('net.sticky', 'proc.compare', …). */
  historyKinds: string[]
  /**
   * The learner's own run, explained from its numbers: what they show, why when they differ
   * from the lesson's expectation, and which figure proves it. Empty when there is nothing to say.
   */
  reading?: (run: RunFacts) => Text[]
  /** Offers seeded practice problems on the simulator (LessonPractice.vue). */
  practice?: 'sim'
}

export const t = (zh: string, en: string): Text => ({ zh, en })
export const p = (zh: string, en: string): Block => ({ kind: 'p', text: { zh, en } })
export const h = (zh: string, en: string): Block => ({ kind: 'h', text: { zh, en } })
export const note = (zh: string, en: string): Block => ({ kind: 'note', text: { zh, en } })
export const list = (...items: Text[]): Block => ({ kind: 'list', items })
export const code = (source: string): Block => ({ kind: 'code', code: source })
export const diagram = (name: DiagramName, zh: string, en: string): Block => ({ kind: 'diagram', name, caption: { zh, en } })
