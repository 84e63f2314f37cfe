/** A whole number within [min, max]; an emptied number field falls back to `fallback`. */
export function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(value))
  if (value === '' || value === null || !Number.isFinite(n)) return fallback
  return Math.min(max, Math.max(min, n))
}
