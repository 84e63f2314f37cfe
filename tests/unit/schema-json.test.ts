import { describe, expect, it } from 'vitest'
import { json, jsonObject, object } from '../../shared/schema'

describe('schema json()', () => {
  const any = json({ maxBytes: 1_000 })

  it('accepts plain JSON values and returns them as given', () => {
    const value = { a: [1, 'two', null, true, { b: -3.5 }], c: '汉字', d: Object.assign(Object.create(null), { e: 1 }) }
    const r = any.parse(value)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value).toBe(value)
    for (const v of [null, 0, '', false, [], {}]) expect(any.parse(v).ok, JSON.stringify(v)).toBe(true)
  })

  it('ignores object keys whose value is undefined, like JSON.stringify', () => {
    expect(any.parse({ a: undefined, b: 1 }).ok).toBe(true)
  })

  it('rejects functions, symbols, bigints, NaN, Infinity, undefined list items and class instances, naming the path', () => {
    const cases: [unknown, string][] = [
      [{ f: () => 1 }, 'f'],
      [{ s: Symbol('x') }, 's'],
      [{ n: 10n }, 'n'],
      [{ x: [1, NaN] }, 'x[1]'],
      [{ x: Infinity }, 'x'],
      [[1, undefined], '[1]'],
      [{ when: new Date() }, 'when'],
      [{ m: new Map() }, 'm'],
    ]
    for (const [bad, path] of cases) {
      const r = any.parse(bad)
      expect(r.ok, path).toBe(false)
      if (!r.ok) expect(r.issue.path).toBe(path)
    }
    expect(any.parse(undefined).ok).toBe(false)
  })

  it('rejects cycles but accepts the same object used twice side by side', () => {
    const loop: Record<string, unknown> = { a: 1 }
    loop.self = loop
    const r = any.parse({ loop })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issue.message).toMatch(/cycle/)
    const shared = { x: 1 }
    expect(any.parse({ a: shared, b: shared }).ok).toBe(true)
  })

  it('caps the nesting depth', () => {
    const flat = json({ maxBytes: 1_000, maxDepth: 1 })
    expect(flat.parse({ a: 1, b: 'x' }).ok).toBe(true)
    expect(flat.parse({ a: { b: 1 } }).ok).toBe(false)
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = [deep]
    const r = any.parse(deep)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issue.message).toMatch(/deeper than 32/)
  })

  it('caps the size of the JSON text in UTF-8 bytes, close to JSON.stringify', () => {
    const capped = json({ maxBytes: 100 })
    expect(capped.parse('x'.repeat(98)).ok).toBe(true)
    expect(capped.parse('x'.repeat(99)).ok).toBe(false)
    // Three bytes per character in UTF-8.
    expect(capped.parse('汉'.repeat(32)).ok).toBe(true)
    expect(capped.parse('汉'.repeat(33)).ok).toBe(false)
    const big = { items: Array.from({ length: 50 }, (_, i) => ({ i })) }
    expect(capped.parse(big).ok).toBe(false)
    const measured = JSON.stringify({ a: [1, 2, 'three'], b: { c: null, d: true } }).length
    expect(json({ maxBytes: measured }).parse({ a: [1, 2, 'three'], b: { c: null, d: true } }).ok).toBe(true)
  })

  it('jsonObject() needs an object at the top and composes inside object()', () => {
    const o = jsonObject({ maxBytes: 100 })
    expect(o.parse([]).ok).toBe(false)
    expect(o.parse('x').ok).toBe(false)
    expect(o.parse({ a: [1] }).ok).toBe(true)
    const input = object({ settings: o })
    const r = input.parse({ settings: { a: () => 1 } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issue.path).toBe('settings.a')
  })
})
