import type { HistoryMeta } from '../../shared/contract'
import { csvField, type CsvValue } from './file-export'

/** One CSV cell; a nested value is written as JSON. */
function csvCell(value: unknown): string {
  return csvField(typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as CsvValue))
}

/** Runs as CSV: id, time, kind, title, then one column per summary measure (the union, in first-seen order). */
export function historyToCsv(entries: HistoryMeta[]): string {
  const keys: string[] = []
  for (const e of entries) for (const k of Object.keys(e.summary)) if (!keys.includes(k)) keys.push(k)
  const header = ['id', 'time', 'kind', 'title', ...keys]
  const rows = entries.map((e) => [e.id, new Date(e.at).toISOString(), e.kind, e.title, ...keys.map((k) => e.summary[k])])
  // A byte-order mark so that spreadsheet programs read the Chinese text as UTF-8.
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
