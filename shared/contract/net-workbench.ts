/**
 * The sending half of the workbench (issue 14): the server panel sends to one chosen connection or
 * to all (NetAssist's server mode), and named payloads are saved in the data folder, grouped,
 * exported and imported as JSON (Packet Sender's stored packets), with its macros (shared/macros.ts).
 */
import { FIRST_MACRO_COUNTER, MAX_MACRO_COUNTER } from '../macros'
import { array, boolean, host, int, object, oneOf, optional, string, union, type Infer } from '../schema'
import { FRAMINGS } from './net'
import { MAX_CLIENT_PAYLOAD_CHARS, TEXT_ENCODINGS } from './net-clients'
import { method } from './spec'

/** Where a server-side send goes: a connection's number (`#3`) or every connection that can take it. */
export type ServerSendTarget = number | 'all'

/** What one `net.server.send` did. */
export interface ServerSendResult {
  id: string
  /** Each connection written to, with the bytes written (framing header included). */
  sent: { conn: number; bytes: number }[]
  /** With `to: 'all'`: connections passed over, and why (their code: ERR_SERVER_BUSY, ERR_OWNED_BY_HANDLER, ERR_SEND_WOULD_BLOCK). */
  skipped: { conn: number; code: string }[]
  /** Bytes of the payload itself (before framing), its hex (first 256 bytes). */
  payloadBytes: number
  hex: string
  /** The counter the next send should start from (`counter` + 1 with macros on, else `counter`). */
  nextCounter: number
}

const serverId = string({ min: 1, max: 64 })
const payload = string({ max: MAX_CLIENT_PAYLOAD_CHARS })
/** `{{COUNTER}}`'s value for the first write. */
const macroCounter = int({ min: FIRST_MACRO_COUNTER, max: MAX_MACRO_COUNTER })

// ---- saved messages ---------------------------------------------------------------------------

/** Saved messages the data folder keeps; one more → ERR_LIMIT. */
export const MAX_SAVED_MESSAGES = 500
/** Characters of one saved payload (an export of every message stays a few MiB). */
export const MAX_SAVED_PAYLOAD_CHARS = 8_192
/** Messages one `net.saved.import` call takes: the page sends a file in parts this big (a browser-mode request is at most 1 MiB). */
export const MAX_SAVED_IMPORT_BATCH = 25
export const SAVED_EXPORT_FORMAT = 'socket-process-lab/saved-messages'
export const SAVED_EXPORT_VERSION = 1

/** What a saved message holds, as the learner gives it (export files carry these fields). */
export const savedMessageFields = object({
  name: string({ min: 1, max: 80 }),
  /** '' = no group. */
  group: string({ max: 40 }),
  payload: string({ max: MAX_SAVED_PAYLOAD_CHARS }),
  hex: boolean(),
  encoding: oneOf(TEXT_ENCODINGS),
  /** TCP only: how each write is framed. */
  frame: oneOf(FRAMINGS),
  proto: oneOf(['tcp', 'udp'] as const),
  host: host(),
  port: int({ min: 1, max: 65535 }),
  repeat: int({ min: 1, max: 10_000 }),
  gapMs: int({ min: 0, max: 60_000 }),
  /** Expand `{{COUNTER}}` and the other macros at each write. */
  macros: boolean(),
})
export type SavedMessageFields = Infer<typeof savedMessageFields>

export interface SavedMessage extends SavedMessageFields {
  id: string
  /** When it was last saved, ms since the epoch. */
  savedAt: number
  /**
   * The `{{COUNTER}}` its next send starts from (1 until it is sent with macros on). The engine
   * keeps it in the data folder, so it goes on across sends, windows and restarts; exports leave it out.
   */
  counter: number
}

export interface SavedMessages {
  messages: SavedMessage[]
  /** saved-messages.jsonl in the data folder; null when they live in memory only (CLI, tests). */
  file: string | null
  /** Lines of the file that could not be read as saved messages: kept aside in `damagedFile`, never fatal. */
  damaged: number
  damagedFile: string | null
}

/** An export file: `{ format, version, messages }`; an import is checked against this before anything is saved. */
export const savedExportFile = object({
  format: oneOf([SAVED_EXPORT_FORMAT] as const),
  version: oneOf([SAVED_EXPORT_VERSION] as const),
  exportedAt: optional(int({ min: 0, max: 8_640_000_000_000_000 })),
  messages: array(savedMessageFields, { max: MAX_SAVED_MESSAGES }),
})
export type SavedExportFile = Infer<typeof savedExportFile>

const savedId = string({ min: 1, max: 64 })

export const netWorkbenchMethods = {
  /**
   * Server-side send: writes `payload` (text in `encoding`, or hex digits) on connection `to` of TCP
   * server `id`, or on every connection with `to: 'all'`, as the handler's own `send()` would. Framed
   * with `frame` (default: the server's framing). A connection waiting in a serial server's queue →
   * ERR_SERVER_BUSY; one owned by its child (forking) → ERR_OWNED_BY_HANDLER; one its own thread
   * serves (threading on Linux) is written between the thread's replies, at most
   * PANEL_SEND_OWNED_MAX_BYTES and only into an empty send queue, else ERR_LIMIT / ERR_SEND_WOULD_BLOCK;
   * with `to: 'all'` those are skipped and listed, and only when none could take it is it an error.
   */
  'net.server.send': method<ServerSendResult>()(
    object({
      id: serverId,
      to: union([int({ min: 1, max: 1_000_000_000 }), oneOf(['all'] as const)]),
      payload,
      hex: optional(boolean()),
      encoding: optional(oneOf(TEXT_ENCODINGS), 'utf8'),
      frame: optional(oneOf(FRAMINGS)),
      /** Expand macros in the payload; `counter` is `{{COUNTER}}` (default 1). */
      macros: optional(boolean()),
      counter: optional(macroCounter, FIRST_MACRO_COUNTER),
    }),
  ),
  /** Every saved message (oldest first), and what the file's reading found. */
  'net.saved.list': method<SavedMessages>()(object({})),
  /** Saves a message: a new one without `id`, else replaces the one with that id (ERR_NOT_FOUND if none). */
  'net.saved.put': method<SavedMessage>()(object({ id: optional(savedId), message: savedMessageFields })),
  'net.saved.remove': method<{ id: string }>()(object({ id: savedId })),
  /** Where a message's `{{COUNTER}}` goes on: a send's `nextCounter` after it is sent, or 1 to reset it. */
  'net.saved.counter': method<SavedMessage>()(object({ id: savedId, next: macroCounter })),
  /** Adds messages from an export file (the page checked the file with `savedExportFile` first); each gets a new id. */
  'net.saved.import': method<{ added: number; total: number }>()(
    object({ messages: array(savedMessageFields, { min: 1, max: MAX_SAVED_IMPORT_BATCH }) }),
  ),
}

export interface NetWorkbenchEvents {
  /** Saved messages changed (another window, an import): lists should refresh. */
  'net.saved.changed': { at: number }
}

