import { describe, expect, it } from 'vitest'
import { handlerProblem, MAX_DELAY_MS } from '../../shared/contract'
import {
  array,
  boolean,
  host,
  int,
  issueText,
  limitsOf,
  MAX_ISSUES,
  nullValue,
  number,
  object,
  oneOf,
  optional,
  port,
  record,
  refine,
  string,
  union,
  valuesOf,
} from '../../shared/schema'

describe('schema', () => {
  const server = object({ host: optional(host()), port: optional(port()), tags: optional(array(string({ max: 8 }), { max: 2 })) })

  it('accepts a valid object and drops absent optional keys', () => {
    expect(server.parse({ host: '127.0.0.1', port: 8081 })).toEqual({ ok: true, value: { host: '127.0.0.1', port: 8081 } })
    expect(server.parse({})).toEqual({ ok: true, value: {} })
  })

  it('rejects unknown keys, naming them', () => {
    const r = server.parse({ port: 1, evil: true })
    expect(r).toMatchObject({ ok: false, issue: { path: 'evil', message: 'is not a known option' } })
  })

  it('rejects ports outside 0–65535 and non-integers', () => {
    for (const bad of [-1, 65536, 1.5, '8081', NaN, Infinity, null]) {
      const r = server.parse({ port: bad })
      expect(r.ok, String(bad)).toBe(false)
      if (!r.ok) expect(r.issue.path).toBe('port')
    }
  })

  it('accepts IP literals and host names, rejects junk and names over 253 characters', () => {
    const h = host()
    for (const good of ['127.0.0.1', 'localhost', '::1', 'example.com', '0.0.0.0']) expect(h.parse(good).ok, good).toBe(true)
    for (const bad of ['', 'a b', 'x'.repeat(254), 'host;rm -rf', '../etc', 42]) expect(h.parse(bad).ok, String(bad)).toBe(false)
  })

  it('rejects non-plain objects and arrays where objects are expected', () => {
    expect(server.parse([]).ok).toBe(false)
    expect(server.parse(null).ok).toBe(false)
    expect(server.parse(new Date()).ok).toBe(false)
    expect(server.parse(Object.create({ port: 1 })).ok).toBe(false)
  })

  it('checks enums, booleans, bounded strings and lists with a path to the bad item', () => {
    expect(oneOf(['a', 'b'] as const).parse('c').ok).toBe(false)
    expect(boolean().parse(1).ok).toBe(false)
    expect(int({ min: 1, max: 3 }).parse(3)).toEqual({ ok: true, value: 3 })
    const r = server.parse({ tags: ['ok', 'x'.repeat(9)] })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issue.path).toBe('tags[1]')
    expect(server.parse({ tags: ['a', 'b', 'c'] }).ok).toBe(false)
  })
})

describe('schema: every problem, said in either language, limits read back (issue 15)', () => {
  const start = object({ port: optional(port()), mode: optional(oneOf(['serial', 'async'] as const)), name: optional(string({ max: 4 })) })

  it('reports every problem with its path, the first as `issue`', () => {
    const r = start.parse({ port: 70000, mode: 'fork', name: 'toolong', evil: 1 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.issues.map((i) => `${i.path}:${i.code}`)).toEqual(['evil:unknownKey', 'port:range', 'mode:enum', 'name:tooLong'])
    expect(r.issue).toBe(r.issues[0])
    // The English message is made from the code and its parameters, in one place.
    for (const i of r.issues) expect(i.message).toBe(issueText(i.code, i.params))
    expect(r.issues[1]!.params).toEqual({ min: 0, max: 65535 })
  })

  it('stops collecting at MAX_ISSUES, so a huge bad input costs no more', () => {
    const r = array(int({ min: 0, max: 1 }), { max: 10_000 }).parse(new Array(5_000).fill(7))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toHaveLength(MAX_ISSUES)
  })

  it('reads limits and values back from a schema, optional or not', () => {
    expect(limitsOf(start.shape.port)).toEqual({ min: 0, max: 65535 })
    expect(limitsOf(start.shape.name)).toEqual({ min: 0, max: 4 })
    expect(valuesOf(start.shape.mode)).toEqual(['serial', 'async'])
    expect(() => limitsOf(boolean())).toThrow(TypeError)
  })

  it('types records and unions: a flat record of plain values, nothing nested, nothing infinite', () => {
    const flat = record(string({ min: 1, max: 8 }), union([string({ max: 10 }), number(), boolean(), nullValue()]), { maxKeys: 3 })
    expect(flat.parse({ a: 1.5, b: 'x', c: null })).toEqual({ ok: true, value: { a: 1.5, b: 'x', c: null } })
    for (const [bad, code] of [
      [{ a: { nested: 1 } }, 'type'],
      [{ a: Infinity }, 'notFinite'],
      [{ a: 1, b: 2, c: 3, d: 4 }, 'tooMany'],
      [{ '': 1 }, 'tooShort'],
      [new Map(), 'notPlain'],
    ] as const) {
      const r = flat.parse(bad)
      expect(r.ok, JSON.stringify(bad)).toBe(false)
      if (!r.ok) expect(r.issue.code, JSON.stringify(bad)).toBe(code)
    }
  })

  it('refines a schema with a check of its own, worded in both languages, keeping its limits', () => {
    const even = refine(int({ min: 0, max: 10 }), (n) => (n % 2 ? { en: 'must be even', zh: '必须是偶数' } : null))
    expect(even.parse(4)).toEqual({ ok: true, value: 4 })
    const r = even.parse(3)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issue).toMatchObject({ code: 'custom', message: 'must be even', params: { zh: '必须是偶数' } })
    expect(limitsOf(even)).toEqual({ min: 0, max: 10 })
  })

  it('checks a handler delay against MAX_DELAY_MS itself, not a number written into a pattern', () => {
    expect(handlerProblem(`delay:${MAX_DELAY_MS}`)).toBeNull()
    expect(handlerProblem(`delay:${MAX_DELAY_MS + 1}`)?.en).toContain(String(MAX_DELAY_MS))
    expect(handlerProblem('upper')).toBeNull()
    expect(handlerProblem('shout')).not.toBeNull()
  })
})
