import { describe, expect, it } from 'vitest'
import { expandMacros, hasMacros, liveMacroValues, MAX_MACRO_RANDOM, unknownMacros, widestExpansion, type MacroValues } from '../../shared/macros'

// 2026-03-04 05:06:07 local time: single-digit fields show the zero padding.
const at = new Date(2026, 2, 4, 5, 6, 7)
const values = (counter: number, random = 42): MacroValues => ({ counter, now: at, random: () => random })

describe('payload macros (shared/macros.ts)', () => {
  it('expands every macro Packet Sender names', () => {
    expect(expandMacros('n={{COUNTER}}', values(1))).toBe('n=1')
    expect(expandMacros('{{DATE}} {{TIME}}', values(1))).toBe('2026-03-04 05:06:07')
    expect(expandMacros('{{UNIXTIME}}', values(1))).toBe(String(Math.floor(at.getTime() / 1000)))
    expect(expandMacros('r={{RANDOM}}', values(1, 31_000))).toBe('r=31000')
  })

  it('gives each write its own counter, and several macros in one payload all expand', () => {
    expect([1, 2, 3].map((n) => expandMacros('{{COUNTER}}', values(n)))).toEqual(['1', '2', '3'])
    expect(expandMacros('{{COUNTER}}-{{COUNTER}} {{RANDOM}}', values(7, 0))).toBe('7-7 0')
  })

  it('leaves unknown names, lower case and single braces as typed, and names the unknown ones', () => {
    const text = '{{COUNT}} {{counter}} {COUNTER} 你好'
    expect(expandMacros(text, values(5))).toBe(text)
    expect(hasMacros(text)).toBe(false)
    expect(hasMacros('x{{TIME}}')).toBe(true)
    expect(unknownMacros(text)).toEqual(['{{COUNT}}', '{{counter}}'])
    expect(unknownMacros('{{DATE}}')).toEqual([])
  })

  it('the widest expansion is never shorter than a real one (the byte budget is checked with it)', () => {
    const text = '{{COUNTER}}|{{DATE}}|{{TIME}}|{{UNIXTIME}}|{{RANDOM}}'
    const widest = widestExpansion(text, 1000).length
    for (const counter of [1, 999, 1000]) {
      const real = expandMacros(text, liveMacroValues(counter))
      expect(real.length).toBeLessThanOrEqual(widest)
    }
    expect(widestExpansion('a{{X}}b', 1)).toBe('a{{X}}b')
  })

  it('live random values stay within 0…32767', () => {
    const v = liveMacroValues(1)
    for (let i = 0; i < 2000; i++) {
      const r = v.random()
      expect(Number.isInteger(r) && r >= 0 && r <= MAX_MACRO_RANDOM).toBe(true)
    }
  })
})
