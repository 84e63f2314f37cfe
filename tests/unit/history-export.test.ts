import { describe, expect, it } from 'vitest'
import { formatMeasure, measureLabel } from '../../renderer/format/history-format'
import { historyToCsv } from '../../renderer/export/history-csv'
import { translate } from '../../renderer/i18n'
import type { HistoryMeta } from '../../shared/contract'

describe('history export', () => {
  const entries: HistoryMeta[] = [
    { id: 'a', at: Date.UTC(2026, 0, 2, 3, 4, 5), kind: 'net.sticky', title: 'say "hi", twice', summary: { sends: 3, recvs: 1 } },
    { id: 'b', at: Date.UTC(2026, 0, 2, 3, 5, 0), kind: 'proc.compare', title: '=HYPERLINK("x")', summary: { serialMs: 1600.5, note: '-1+1', ok: true } },
  ]

  it('writes one CSV row per run with the union of measures as columns', () => {
    const csv = historyToCsv(entries)
    expect(csv.startsWith('\ufeff')).toBe(true)
    const lines = csv.slice(1).trimEnd().split('\r\n')
    expect(lines[0]).toBe('id,time,kind,title,sends,recvs,serialMs,note,ok')
    expect(lines[1]).toBe('a,2026-01-02T03:04:05.000Z,net.sticky,"say ""hi"", twice",3,1,,,')
  })

  it('defuses text a spreadsheet would run as a formula, but keeps numbers as numbers', () => {
    const row = historyToCsv(entries).trimEnd().split('\r\n')[2]!
    expect(row).toContain(`"'=HYPERLINK(""x"")"`)
    expect(row).toContain("'-1+1")
    expect(row).toContain(',1600.5,')
  })

  it('names measures for people in both languages, falling back to the key', () => {
    const en = (k: string) => translate('en', k)
    const zh = (k: string) => translate('zh', k)
    expect(measureLabel('recvs', en)).toBe('recv() reads')
    expect(measureLabel('threading.p99Ms', en)).toBe('threading · p99 latency, ms')
    expect(measureLabel('threading.p99Ms', zh)).toBe('多线程 · p99 延迟，毫秒')
    expect(measureLabel('somethingNew', en)).toBe('somethingNew')
    expect(formatMeasure(1234567, 'en')).toBe('1,234,567')
    expect(formatMeasure(0.12345, 'en')).toBe('0.12')
    expect(formatMeasure(true, 'zh')).toBe('✓')
    expect(formatMeasure(null, 'en')).toBe('—')
  })
})
