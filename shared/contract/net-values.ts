/**
 * The network facts a connection's own thread or process needs (issue 9), in a module that builds
 * no schema: a `threading` or `forking` server starts one Worker or child per connection, and each
 * one loading the whole contract cost ~13 ms of its start-up (measured on Node 20). net.ts
 * re-exports everything here; the engine's worker-side modules import this file directly.
 */
import type { Hint } from '../schema'

/** How many bytes of each read are kept as hex in an event; the byte count is always exact. */
export const EVENT_HEX_BYTES = 256
/** A frame (or an unfinished line) longer than this closes its connection before anything is allocated. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024
export const MAX_DELAY_MS = 60_000

/**
 * What a server does with each read (or, with framing, each message):
 * `upper` (the course's `data.upper()`, ASCII letters only), `echo`, `reverse` (the bytes reversed),
 * `delay:<ms>` (upper-case, but only after <ms> milliseconds, 0–MAX_DELAY_MS: makes concurrency visible).
 * The pattern gives the form; `handlerProblem` also checks the delay against MAX_DELAY_MS.
 */
export const HANDLER_PATTERN = /^(?:upper|echo|reverse|delay:\d{1,9})$/
const HANDLER_HINT: Hint = {
  en: `must be upper, echo, reverse or delay:<ms> with ms from 0 to ${MAX_DELAY_MS}`,
  zh: `只能是 upper、echo、reverse 或 delay:<毫秒>（毫秒为 0 到 ${MAX_DELAY_MS}）`,
}
/** Null when the lab runs this handler; else why not, in both languages: the engine, the CLI and the UI ask here. */
export function handlerProblem(spec: string): Hint | null {
  if (!HANDLER_PATTERN.test(spec)) return HANDLER_HINT
  if (spec.startsWith('delay:') && Number(spec.slice('delay:'.length)) > MAX_DELAY_MS) return HANDLER_HINT
  return null
}
