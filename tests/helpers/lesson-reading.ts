/** What the lesson-reading unit tests share: a lesson's reading of facts, its text per language, and the both-languages check. */
import { expect } from 'vitest'
import { findLesson } from '../../renderer/lessons'
import type { RunFacts, Text } from '../../renderer/lessons/types'
import { englishWords } from './english-words'

export const read = (id: string, facts: RunFacts): Text[] => findLesson(id)!.reading!(facts)
export const en = (lines: Text[]) => lines.map((l) => l.en).join(' ')
export const zh = (lines: Text[]) => lines.map((l) => l.zh).join('')

/** Every line said in both languages: English without Chinese, Chinese without English prose. */
export function bothLanguages(lines: Text[]) {
  expect(lines.length).toBeGreaterThan(0)
  for (const l of lines) {
    expect(l.en.trim()).not.toBe('')
    expect(/[\u4e00-\u9fff]/.test(l.en), l.en).toBe(false)
    expect(englishWords(l.zh), l.zh).toEqual([])
  }
}
