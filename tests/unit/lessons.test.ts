import { describe, expect, it } from 'vitest'
import { LESSONS } from '../../renderer/lessons'
import type { Text } from '../../renderer/lessons/types'
import type { ExperimentId } from '../../renderer/experiments'
import { PYTHON_PROGRAMS } from '../../shared/python/programs'
import { PYTHON_PROGRAM_IDS } from '../../shared/contract/python'

/** Every experiment a preset may name; typed so that a new experiment id must be added here. */
const EXPERIMENTS: Record<ExperimentId, true> = {
  'network/server': true,
  'network/sticky': true,
  'network/compare': true,
  'network/relay': true,
  'processes/run': true,
  'processes/tree': true,
  'processes/counter': true,
  'processes/simulator': true,
}

/** Walks a value and returns the path of every {zh, en} text with a missing or empty side. */
function missingTexts(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => missingTexts(v, `${path}[${i}]`))
  if (value === null || typeof value !== 'object') return []
  const rec = value as Record<string, unknown>
  if ('zh' in rec || 'en' in rec) {
    const text = rec as Partial<Text>
    const bad: string[] = []
    for (const lang of ['zh', 'en'] as const) {
      if (typeof text[lang] !== 'string' || text[lang]!.trim() === '') bad.push(`${path}.${lang}`)
    }
    return bad
  }
  return Object.entries(rec).flatMap(([k, v]) => (k === 'preset' ? [] : missingTexts(v, `${path}.${k}`)))
}

const hasHan = (s: string) => /[\u4e00-\u9fff]/.test(s)

describe('lessons', () => {
  it('cover the course, in order, with unique ids', () => {
    const ids = LESSONS.map((l) => l.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const needed of ['program-process', 'operating-system', 'serial-concurrent-parallel', 'multiprogramming', 'tcp-loops', 'socketserver', 'concurrent-server', 'sticky-packets', 'framing', 'udp-datagrams', 'threads-processes']) {
      expect(ids, needed).toContain(needed)
    }
    expect(ids[0]).toBe('program-process')
  })

  it('exist in both languages with no missing field', () => {
    for (const lesson of LESSONS) {
      expect(missingTexts(lesson, lesson.id), lesson.id).toEqual([])
      for (const field of [lesson.title, lesson.summary, lesson.prediction.question, lesson.prediction.explanation, lesson.prediction.watch]) {
        expect(field, lesson.id).toBeDefined()
      }
      expect(lesson.body.length, lesson.id).toBeGreaterThan(2)
    }
  })

  it('write Chinese in zh and English in en (no side left as a copy of the other)', () => {
    for (const lesson of LESSONS) {
      const texts: [string, Text][] = [
        ['title', lesson.title],
        ['summary', lesson.summary],
        ['question', lesson.prediction.question],
        ['explanation', lesson.prediction.explanation],
        ...lesson.body.flatMap((b, i): [string, Text][] =>
          b.kind === 'list' ? b.items.map((item, j): [string, Text] => [`body[${i}][${j}]`, item]) : 'text' in b ? [[`body[${i}]`, b.text]] : 'caption' in b ? [[`body[${i}]`, b.caption]] : [],
        ),
      ]
      for (const [where, text] of texts) {
        expect(hasHan(text.zh), `${lesson.id} ${where} zh`).toBe(true)
        expect(hasHan(text.en), `${lesson.id} ${where} en`).toBe(false)
      }
    }
  })

  it('ask a prediction whose answer is one of its choices, with at least two choices', () => {
    for (const { id, prediction } of LESSONS) {
      expect(prediction.choices.length, id).toBeGreaterThanOrEqual(2)
      const choiceIds = prediction.choices.map((c) => c.id)
      expect(new Set(choiceIds).size, id).toBe(choiceIds.length)
      expect(choiceIds, id).toContain(prediction.correct)
    }
  })

  it('offer try-it presets that name real experiments, and Python programs that exist', () => {
    for (const lesson of LESSONS) {
      expect(lesson.tryIt.length, lesson.id).toBeGreaterThan(0)
      for (const tryIt of lesson.tryIt) {
        expect(Object.keys(EXPERIMENTS), `${lesson.id}: ${tryIt.preset.experiment}`).toContain(tryIt.preset.experiment)
        expect(typeof tryIt.preset.settings, lesson.id).toBe('object')
      }
      for (const program of lesson.python) {
        expect(PYTHON_PROGRAM_IDS, lesson.id).toContain(program)
        expect(PYTHON_PROGRAMS[program].source.length, program).toBeGreaterThan(100)
      }
    }
  })

  it('show every network Python program in some lesson', () => {
    const shown = new Set(LESSONS.flatMap((l) => l.python))
    for (const id of PYTHON_PROGRAM_IDS) expect(shown.has(id), id).toBe(true)
  })
})
