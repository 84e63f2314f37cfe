import { describe, expect, it } from 'vitest'
import type { CompareRunResult, StickyRunResult } from '../../shared/contract'
import { hexToBytes, hexToText, spacedHex, visible } from '../../renderer/format/net-bytes'
import { csvField, exportName, toCsv } from '../../renderer/export/file-export'
import { compactCompare, compactSticky } from '../../renderer/history/compact-runs'
import { Ring } from '../../shared/ring'
import { wholeNumber } from '../../renderer/forms/whole-number'

describe('Ring', () => {
  it('keeps the newest entries, oldest first, in O(1) per push', () => {
    const r = new Ring<number>(3)
    for (let i = 1; i <= 5; i++) r.push(i)
    expect(r.size).toBe(3)
    expect(r.toArray()).toEqual([3, 4, 5])
    expect([r.at(0), r.at(2), r.at(3), r.at(-1)]).toEqual([3, 5, undefined, undefined])
    r.clear()
    expect(r.size).toBe(0)
    expect(r.toArray()).toEqual([])
    expect(() => new Ring(0)).toThrow(RangeError)
  })

  it('stays bounded under a flood of 50,000 events', () => {
    const r = new Ring<{ n: number }>(20_000)
    for (let i = 0; i < 50_000; i++) r.push({ n: i })
    expect(r.size).toBe(20_000)
    expect(r.at(0)!.n).toBe(30_000)
    expect(r.at(19_999)!.n).toBe(49_999)
  })
})

describe('CSV export', () => {
  it('quotes commas, quotes and newlines, and defuses formula-looking text', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('line\nbreak')).toBe('"line\nbreak"')
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"')
    expect(csvField(-3)).toBe('-3')
    expect(csvField(null)).toBe('')
  })

  it('writes a header and one CRLF line per row, columns in order', () => {
    const csv = toCsv(['seq', 'event', 'text'], [
      { seq: 1, event: 'recv', text: 'hello, world' },
      { seq: 2, event: 'send', text: '你好' },
    ])
    expect(csv).toBe('seq,event,text\r\n1,recv,"hello, world"\r\n2,send,你好\r\n')
  })

  it('names files without characters Windows refuses', () => {
    expect(exportName('lab-events', 'json', new Date('2026-11-26T18:20:05.123Z'))).toBe('lab-events-2026-11-26T18-20-05.json')
  })
})

describe('bytes for display', () => {
  it('decodes hex as UTF-8 and GBK', () => {
    expect(hexToText('48454c4c4f')).toBe('HELLO')
    expect(hexToText('e4bda0e5a5bd', 'utf8')).toBe('你好')
    expect(hexToText('c4e3bac3', 'gbk')).toBe('你好')
    expect([...hexToBytes('00ff')]).toEqual([0, 255])
  })

  it('spaces and cuts hex, shows control characters', () => {
    expect(spacedHex('48656c6c6f', 3)).toBe('48 65 6c …')
    expect(visible('a\nb\tc\u0000')).toBe('a⏎b⇥c·')
  })
})

describe('fitting runs into the history', () => {
  it('drops hex previews, then cuts texts, until a sticky run fits', () => {
    const big = 'x'.repeat(4_000)
    const part = { hex: 'ab'.repeat(1_024), text: big, bytes: 4_000, at: 0 }
    const run = {
      settings: { messages: [], gapMs: 0, recvSize: 1024, readDelayMs: 0, nodelay: false, frame: 'none', encoding: 'utf8', udp: false },
      startedAt: 0,
      elapsedMs: 1,
      totalBytes: 0,
      sends: Array.from({ length: 100 }, (_, i) => ({ ...part, index: i, offset: 0, payloadBytes: 4_000 })),
      recvs: Array.from({ length: 100 }, (_, i) => ({ ...part, index: i, offset: 0, sends: [i] })),
      messages: [],
      merged: 0,
      split: 0,
      udp: null,
    } as unknown as StickyRunResult
    const small = compactSticky(run, 100_000)
    expect(JSON.stringify(small).length).toBeLessThanOrEqual(100_000)
    expect(small.sends).toHaveLength(100)
    expect(small.recvs[5]!.bytes).toBe(4_000)
    expect(compactSticky({ ...run, sends: [], recvs: [] }, 100_000).sends).toEqual([])
  })

  it('thins a comparison timeline, keeping every mode and its figures', () => {
    const timeline = Array.from({ length: 5_000 }, (_, i) => ({ client: i % 64, seq: i, start: i, end: i + 1 }))
    const mode = { mode: 'async', port: 1, totalMs: 1, msgsPerSec: 1, p50Ms: 1, p99Ms: 1, maxMs: 1, messages: 5_000, wrong: 0, failed: 0, clients: [], timeline, timelineSampled: false }
    const run = { runId: 'r', settings: {}, startedAt: 0, elapsedMs: 0, modes: [mode, { ...mode, mode: 'serial' }] } as unknown as CompareRunResult
    const small = compactCompare(run, 200_000)
    expect(JSON.stringify(small).length).toBeLessThanOrEqual(200_000)
    expect(small.modes.map((m) => m.mode)).toEqual(['async', 'serial'])
    expect(small.modes[0]!.timelineSampled).toBe(true)
    expect(small.modes[0]!.timeline.length).toBeGreaterThan(100)
    expect(compactCompare(run, 10_000_000)).toBe(run)
  })
})

describe('number fields', () => {
  it('keeps what was typed (the engine refuses what is out of range) and falls back when a field was emptied', () => {
    // Out of range is kept as typed: the engine refuses it with the field's range, nothing is clamped.
    expect(wholeNumber(70_000, 1024)).toBe(70_000)
    expect(wholeNumber(-5, 0)).toBe(-5)
    expect(wholeNumber(200, 4)).toBe(200)
    expect(wholeNumber('', 4)).toBe(4)
    expect(wholeNumber('12.6', 4)).toBe(13)
    expect(wholeNumber('abc', 4)).toBe(4)
  })
})
