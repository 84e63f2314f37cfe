/**
 * Long runs (the serial-vs-concurrent comparison, the process comparison, the sticky-packet run)
 * and how to stop them. Each such method takes an optional `runId` chosen by the caller, so the
 * caller can cancel the run before its answer arrives; `run.cancel` stops it; the method then
 * resolves with the results finished so far and `cancelled` set (what finished, of how much).
 * While a run runs, `run.progress` says how far it is and about how long is left.
 */
import { object, optional, string } from '../schema'
import type { ServerMode } from './net'
import { method } from './spec'

export const RUN_KINDS = ['net.compare', 'net.sticky', 'proc.compare'] as const
export type RunKind = (typeof RUN_KINDS)[number]

/** A run id: what `run.cancel` names. Letters, digits, `-` and `_`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
const runIdSchema = () => string({ min: 1, max: 64, pattern: RUN_ID_PATTERN, patternHint: { en: 'letters, digits, - or _ (at most 64)', zh: '只能用字母、数字、- 或 _（最多 64 个）' } })
/** The optional `runId` field of every long run's input. A run id already running → ERR_BAD_STATE. */
export const runIdInput = () => optional(runIdSchema())

/** On a cancelled run's result: what had finished when it stopped. `done`/`total` count the run's units (see RunProgress). */
export interface RunCancelled {
  code: 'ERR_CANCELLED'
  message: string
  done: number
  total: number
  /** ms after the run started when the cancel arrived. */
  atMs: number
}

/**
 * Which part of a run is running, for runs made of parts in turn: net.compare's rows (each mode on
 * the lab's server, then on Python's when asked). A new part is reported at once, not throttled.
 */
export interface RunStep {
  /** 0-based, of `count` parts. */
  index: number
  count: number
  /** net.compare: the row's server mode and whose server runs it. */
  mode?: ServerMode
  server?: 'lab' | 'python'
}

/**
 * Topic `run.progress`: the one progress event of every long run (the page's bars and "about N s
 * left", the CLI, the tests). `done`/`total` count the run's own units: round trips over every
 * row (net.compare), bytes read and datagrams received (net.sticky), tasks over the three modes
 * (proc.compare). `estimateMs` is the whole run's expected length: from the settings at 'start',
 * then corrected by how fast the finished part went; `leftMs` = what is left of it. `step` is the
 * part running (absent at 'done'/'cancelled' and for runs not made of parts).
 */
export interface RunProgress {
  runId: string
  kind: RunKind
  phase: 'start' | 'progress' | 'done' | 'cancelled'
  done: number
  total: number
  elapsedMs: number
  estimateMs: number
  leftMs: number
  step?: RunStep
  at: number
}

export const runMethods = {
  /** Cancels a running long run. `cancelled: false` when no run has that id (finished already, or never started). */
  'run.cancel': method<{ runId: string; cancelled: boolean }>()(object({ runId: runIdSchema() })),
}

export interface RunEvents {
  'run.progress': RunProgress
}
