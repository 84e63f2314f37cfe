/**
 * Packet Sender's payload macros, expanded at send time (issue 14): each write of a repeated send
 * gets its own values, so `n={{COUNTER}}` sent three times arrives as n=1, n=2, n=3.
 * Both sides use this module: the engine expands, the page previews and names unknown ones.
 *
 * - `{{COUNTER}}`: 1, 2, 3 … per saved message (the caller says where it starts);
 * - `{{DATE}}`: the local date, `2026-12-01`; `{{TIME}}`: the local time, `15:04:05`;
 * - `{{UNIXTIME}}`: whole seconds since 1970-01-01 UTC;
 * - `{{RANDOM}}`: a whole number from 0 to 32767 (Packet Sender's range, Qt's `RAND_MAX`).
 * Anything else between `{{` and `}}` is left as typed. Macros are text: a hex payload has none.
 */
export const MACROS = ['COUNTER', 'DATE', 'TIME', 'UNIXTIME', 'RANDOM'] as const
export type MacroName = (typeof MACROS)[number]

/** The largest counter value a send may start from (the contract's range for `counter`). */
export const MAX_MACRO_COUNTER = 999_999_999
/** Where `{{COUNTER}}` starts when nothing says otherwise (a new saved message, Reset counter), as Packet Sender's does. */
export const FIRST_MACRO_COUNTER = 1
export const MAX_MACRO_RANDOM = 32_767

export interface MacroValues {
  counter: number
  now: Date
  /** A whole number from 0 to MAX_MACRO_RANDOM. */
  random(): number
}

const MACRO_PATTERN = /\{\{([A-Z]+)\}\}/g
const KNOWN = new Set<string>(MACROS)
const two = (n: number) => String(n).padStart(2, '0')

function valueOf(name: MacroName, v: MacroValues): string {
  switch (name) {
    case 'COUNTER':
      return String(v.counter)
    case 'DATE':
      return `${v.now.getFullYear()}-${two(v.now.getMonth() + 1)}-${two(v.now.getDate())}`
    case 'TIME':
      return `${two(v.now.getHours())}:${two(v.now.getMinutes())}:${two(v.now.getSeconds())}`
    case 'UNIXTIME':
      return String(Math.floor(v.now.getTime() / 1000))
    case 'RANDOM':
      return String(v.random())
  }
}

/** The text with every known macro replaced by its value now. */
export function expandMacros(text: string, values: MacroValues): string {
  return text.replace(MACRO_PATTERN, (whole, name: string) => (KNOWN.has(name) ? valueOf(name as MacroName, values) : whole))
}

/** Does the text hold at least one known macro (so each write must be expanded anew)? */
export function hasMacros(text: string): boolean {
  for (const m of text.matchAll(MACRO_PATTERN)) if (KNOWN.has(m[1]!)) return true
  return false
}

/** `{{NAME}}`s that are not macros (a typo such as `{{COUNT}}`): the page says they are sent as typed. */
export function unknownMacros(text: string): string[] {
  const out = new Set<string>()
  for (const m of text.matchAll(/\{\{([^{}]{1,40})\}\}/g)) if (!KNOWN.has(m[1]!)) out.add(m[0])
  return [...out]
}

/**
 * The text with each macro at its widest value (the counter's from `counterTo`), so a caller can
 * check a send's byte budget before the first write: every value is ASCII, one byte a character.
 */
export function widestExpansion(text: string, counterTo: number): string {
  const widest: Record<MacroName, string> = {
    COUNTER: String(counterTo),
    DATE: '9999-99-99',
    TIME: '99:99:99',
    UNIXTIME: '9'.repeat(13),
    RANDOM: String(MAX_MACRO_RANDOM),
  }
  return text.replace(MACRO_PATTERN, (whole, name: string) => (KNOWN.has(name) ? widest[name as MacroName] : whole))
}

/** Values for a real send: the clock now and Math.random (not seeded: Packet Sender's are not either). */
export function liveMacroValues(counter: number): MacroValues {
  return { counter, now: new Date(), random: () => Math.floor(Math.random() * (MAX_MACRO_RANDOM + 1)) }
}
