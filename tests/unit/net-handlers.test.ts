import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyHandler, applyHandlerInto, type HandlerName } from '../../main/lab/net/handlers'

/**
 * The blocking loop makes each reply in its read buffer (`applyHandlerInto`, issue 9): it must give
 * the very bytes `applyHandler` gives (the course's `data.upper()`: ASCII letters only), in place or
 * into another buffer, for the first `n` bytes only.
 */
describe('applyHandlerInto', () => {
  const names: HandlerName[] = ['upper', 'echo', 'reverse']
  it.each(names)('%s: the same reply as applyHandler, in place and into another buffer', (name) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const src = Buffer.from(bytes)
        const n = src.length === 0 ? 0 : cut % (src.length + 1)
        const want = applyHandler(name, Buffer.from(src.subarray(0, n)))
        const other = Buffer.alloc(src.length + 4, 0xee)
        expect(applyHandlerInto(name, src, n, other)).toBe(n)
        expect(other.subarray(0, n)).toEqual(want)
        expect(other.subarray(n).every((b) => b === 0xee)).toBe(true)
        const inPlace = Buffer.from(src)
        applyHandlerInto(name, inPlace, n, inPlace)
        expect(inPlace.subarray(0, n)).toEqual(want)
        // Bytes past n are left alone.
        expect(inPlace.subarray(n)).toEqual(src.subarray(n))
      }),
    )
  })
  it('upper changes ASCII letters only, like bytes.upper(): GBK and UTF-8 bytes pass through', () => {
    const src = Buffer.concat([Buffer.from('abz AZ {`}'), Buffer.from('你好', 'utf8'), Buffer.from([0xc4, 0xe3, 0xe0, 0xff])])
    const out = Buffer.alloc(src.length)
    applyHandlerInto('upper', src, src.length, out)
    expect(out).toEqual(Buffer.concat([Buffer.from('ABZ AZ {`}'), Buffer.from('你好', 'utf8'), Buffer.from([0xc4, 0xe3, 0xe0, 0xff])]))
  })
})
