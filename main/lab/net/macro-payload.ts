import type { TextEncoding } from '../../../shared/contract'
import { expandMacros, FIRST_MACRO_COUNTER, hasMacros, liveMacroValues, widestExpansion } from '../../../shared/macros'
import { payloadBytes } from './encoding'

export interface MacroPayloadInput {
  payload: string
  hex?: boolean
  encoding: TextEncoding
  /** Expand shared/macros.ts's macros at each write (text payloads only: hex has none). */
  macros?: boolean
  /** `{{COUNTER}}` for the first write; each later write counts on (default 1). */
  counter?: number
  /** The byte cap for one write (default MAX_CLIENT_PAYLOAD_BYTES). */
  maxBytes?: number
}

/**
 * The bytes of each write of a send: the same bytes every time, or, with macros on, the payload
 * expanded anew for write i (its own counter, clock and random number), as Packet Sender does.
 */
export interface MacroPayload {
  /** Whether writes differ from each other. */
  readonly varies: boolean
  /** Bytes of the first write; with macros, an upper bound for every write (to check budgets first). */
  readonly maxBytes: number
  bytesFor(i: number): Buffer
  /** The counter a next send should start from. */
  nextCounter(writes: number): number
}

export function macroPayload(input: MacroPayloadInput, writes: number): MacroPayload {
  const counter = input.counter ?? FIRST_MACRO_COUNTER
  const varies = input.macros === true && !input.hex && hasMacros(input.payload)
  if (!varies) {
    const bytes = payloadBytes(input.payload, input)
    return { varies, maxBytes: bytes.length, bytesFor: () => bytes, nextCounter: () => counter }
  }
  // The widest expansion is checked against the payload cap now, before anything is written.
  const widest = payloadBytes(widestExpansion(input.payload, counter + writes - 1), input)
  return {
    varies,
    maxBytes: widest.length,
    bytesFor: (i) => payloadBytes(expandMacros(input.payload, liveMacroValues(counter + i)), input),
    nextCounter: (n) => counter + n,
  }
}
