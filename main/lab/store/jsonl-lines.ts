/**
 * What History (history-store.ts) and the saved messages (saved-messages-store.ts) share about their
 * files: one JSON object per line, written by the lab. A line that is empty, too long, not valid
 * UTF-8, not JSON or not an object was not written by us (the stores keep such lines aside).
 */

/** The line's object, or null when the line cannot be one the lab wrote. */
export function objectLine(bytes: Buffer, maxBytes: number): Record<string, unknown> | null {
  if (bytes.length === 0 || bytes.length > maxBytes) return null
  const text = bytes.toString('utf8')
  // Invalid UTF-8 decodes to U+FFFD; a line that does not round-trip was not written by us.
  if (text.includes('\ufffd') && !Buffer.from(text, 'utf8').equals(bytes)) return null
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return null
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null
}

export const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64
export const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
