/** CSV and JSON exports of logs and results; the download goes through a Blob, never a server. */

export type CsvValue = string | number | boolean | null | undefined

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; formula-looking text is prefixed with ' so spreadsheets do not run it. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows as CSV with a header line; columns in the given order, CRLF line ends. */
export function toCsv<T extends Record<string, CsvValue>>(columns: readonly (keyof T & string)[], rows: Iterable<T>): string {
  const lines = [columns.map(csvField).join(',')]
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','))
  return lines.join('\r\n') + '\r\n'
}

/** A file name safe on every system: `prefix-2026-11-26T18-20-00.ext`. */
export function exportName(prefix: string, ext: 'csv' | 'json', at = new Date()): string {
  return `${prefix}-${at.toISOString().slice(0, 19).replace(/:/g, '-')}.${ext}`
}

/** Saves text as a file through the browser's download (an object URL revoked right after). */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1_000)
}
