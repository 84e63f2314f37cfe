/** Files the learner saves (CSV, JSON, PNG): built in the page, downloaded through a Blob, never a server. */

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

/**
 * The one name for every file the lab offers (tables, logs, charts): `prefix-2026-11-26T18-20-05.ext`,
 * UTC to the second, with anything a file system might refuse in the prefix turned into `-`; a prefix
 * left without a letter or digit becomes `fallback` (`chart` for a chart's PNG).
 */
export function exportName(prefix: string, ext: 'csv' | 'json' | 'png', at = new Date(), fallback = 'lab'): string {
  const safe = prefix.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '')
  return `${/[A-Za-z0-9]/.test(safe) ? safe : fallback}-${at.toISOString().slice(0, 19).replace(/:/g, '-')}.${ext}`
}

/** Offers a file download through a Blob and a link: works in browsers and in Electron. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadText(name: string, text: string, type: string): void {
  downloadBlob(name, new Blob([text], { type }))
}
