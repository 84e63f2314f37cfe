import { boolean, int, json, jsonObject, nullValue, number, object, optional, pipe, record, string, union, type JsonObject, type JsonValue } from '../schema'
import { method } from './spec'

/** Kinds the lab's own experiments record; any other short name is allowed too. */
export type HistoryKind = 'net.sticky' | 'net.compare' | 'proc.run' | 'proc.compare' | 'proc.counter' | 'sim.run' | (string & {})

/** A run's headline numbers: a flat record the History view compares side by side. */
export type HistorySummary = Record<string, string | number | boolean | null>

/** What a list shows: enough to pick an entry and compare it, without its (large) result. */
export interface HistoryMeta {
  id: string
  /** When it was recorded, ms since the epoch. */
  at: number
  kind: HistoryKind
  title: string
  summary: HistorySummary
}

export interface HistoryEntry extends HistoryMeta {
  /** The experiment's settings, as `openExperiment` takes them, so the run can be opened again. */
  settings: JsonObject
  result: JsonValue
}

/** The history file itself: where it is and how many damaged lines were moved to the side file. */
export interface HistoryStatus {
  /** history.jsonl in the data folder; null when the history lives in memory only. */
  file: string | null
  /** Damaged lines found when the file was read at this start. */
  damaged: number
  /** Damaged lines kept in the side file, in all (they are never dropped). */
  keptAside: number
  /** history.damaged.jsonl when it holds any line, else null. */
  damagedFile: string | null
}

/** Size caps. A browser-mode request is one WebSocket message of at most 1 MiB, so the result stays below it. */
export const HISTORY_MAX_RESULT_BYTES = 512 * 1024
export const HISTORY_MAX_SETTINGS_BYTES = 16 * 1024
export const HISTORY_MAX_SUMMARY_BYTES = 4 * 1024
export const HISTORY_LIST_DEFAULT = 100
export const HISTORY_LIST_MAX = 1_000

const id = string({ min: 1, max: 64 })
/** At most 4 KiB of JSON (walked first), then a flat record of plain values: `HistorySummary`, checked as typed. */
const summary = pipe(
  jsonObject({ maxBytes: HISTORY_MAX_SUMMARY_BYTES, maxDepth: 1 }),
  record(string({ min: 1, max: 64 }), union([string({ max: HISTORY_MAX_SUMMARY_BYTES }), number(), boolean(), nullValue()]), {
    maxKeys: 64,
  }),
)

export const historyMethods = {
  'history.add': method<HistoryMeta>()(
    object({
      kind: string({ min: 1, max: 40, pattern: /^[A-Za-z0-9._-]+$/, patternHint: { en: 'letters, digits, dot, dash or underscore, such as net.sticky', zh: '只能用字母、数字、点、短横线或下划线，例如 net.sticky' } }),
      title: string({ min: 1, max: 200 }),
      settings: jsonObject({ maxBytes: HISTORY_MAX_SETTINGS_BYTES }),
      summary,
      result: json({ maxBytes: HISTORY_MAX_RESULT_BYTES }),
    }),
  ),
  /** Newest first. */
  'history.list': method<HistoryMeta[]>()(
    object({ kind: optional(string({ min: 1, max: 40 })), limit: optional(int({ min: 1, max: HISTORY_LIST_MAX })) }),
  ),
  'history.get': method<HistoryEntry>()(object({ id })),
  'history.remove': method<{ id: string }>()(object({ id })),
  'history.clear': method<{ removed: number }>()(object({})),
  'history.status': method<HistoryStatus>()(object({})),
}

export interface HistoryEvents {
  /** Another window (or the CLI) changed the history: lists should refresh. */
  'history.changed': { op: 'add' | 'remove' | 'clear'; id?: string; at: number }
}
