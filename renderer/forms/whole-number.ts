/**
 * A number field's value as the learner typed it, rounded to a whole number; an emptied or
 * unreadable field falls back to `fallback`. Never clamped: a value outside its range goes to the
 * engine as typed and comes back refused with the field and its range (ERR_INVALID_INPUT), instead
 * of silently running something else (K = 200 used to run 64 clients).
 */
export function wholeNumber(value: unknown, fallback: number): number {
  const n = Math.round(Number(value))
  if (value === '' || value === null || !Number.isFinite(n)) return fallback
  return n
}
