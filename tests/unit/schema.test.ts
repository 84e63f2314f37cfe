import { describe, expect, it } from 'vitest'
import { array, boolean, host, int, object, oneOf, optional, port, string } from '../../shared/schema'

describe('schema', () => {
  const server = object({ host: optional(host()), port: optional(port()), tags: optional(array(string({ max: 8 }), { max: 2 })) })

  it('accepts a valid object and drops absent optional keys', () => {
    expect(server.parse({ host: '127.0.0.1', port: 8081 })).toEqual({ ok: true, value: { host: '127.0.0.1', port: 8081 } })
    expect(server.parse({})).toEqual({ ok: true, value: {} })
  })

  it('rejects unknown keys, naming them', () => {
    const r = server.parse({ port: 1, evil: true })
    expect(r).toEqual({ ok: false, issue: { path: 'evil', message: 'is not a known option' } })
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
