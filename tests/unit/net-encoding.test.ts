import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LabError } from '../../main/lab/errors'
import { decodeText, encodeText, parseHex, payloadBytes, StreamTextDecoder } from '../../main/lab/net/encoding'
import { makeRequest, percentile } from '../../main/lab/net/load-client'

describe('client payloads', () => {
  it('parses hex with spaces, colons and newlines between bytes', () => {
    expect(parseHex('48 65:6c\n6C 6f').toString()).toBe('Hello')
    expect(parseHex('').length).toBe(0)
  })

  it('names the bad character and its position, or the odd digit count', () => {
    expect(() => parseHex('4g')).toThrow(/"g" at position 2/)
    expect(() => parseHex('0x41')).toThrow(/"x" at position 2/)
    expect(() => parseHex('414')).toThrow(/3 digits is an odd number/)
    try {
      parseHex('zz')
    } catch (err) {
      expect(err).toBeInstanceOf(LabError)
      expect((err as LabError).code).toBe('ERR_INVALID_INPUT')
    }
  })

  it('round-trips any bytes through hex', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => parseHex(Buffer.from(bytes).toString('hex')).equals(Buffer.from(bytes))))
  })

  it('encodes 你好 as c4e3bac3 in GBK and e4bda0e5a5bd in UTF-8', () => {
    expect(encodeText('你好', 'gbk').toString('hex')).toBe('c4e3bac3')
    expect(encodeText('你好', 'utf8').toString('hex')).toBe('e4bda0e5a5bd')
    expect(decodeText(Buffer.from('c4e3bac3', 'hex'), 'gbk')).toBe('你好')
  })

  it('refuses text GBK cannot hold instead of sending question marks', () => {
    expect(() => encodeText('a😀', 'gbk')).toThrow(/cannot be written in GBK/)
  })

  it('caps the payload size', () => {
    expect(() => payloadBytes('abcd', { encoding: 'utf8', maxBytes: 3 })).toThrow(/at most 3/)
    expect(payloadBytes('ab', { encoding: 'utf8', maxBytes: 3 }).length).toBe(2)
  })

  for (const encoding of ['utf8', 'gbk'] as const) {
    it(`completes a ${encoding} character cut between two reads`, () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom('a', '你', '好', '中', '文', 'z', ' ') }), fc.integer({ min: 0, max: 40 }), (text, cut) => {
          const bytes = encodeText(text, encoding)
          const at = Math.min(cut, bytes.length)
          const d = new StreamTextDecoder(encoding)
          return d.write(bytes.subarray(0, at)) + d.write(bytes.subarray(at)) + d.end() === text
        }),
      )
    })
  }
})

describe('load client helpers', () => {
  it('percentile uses the nearest rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 99)).toBe(99)
    expect(percentile(sorted, 100)).toBe(100)
    expect(percentile([], 50)).toBe(0)
    expect(percentile([7], 99)).toBe(7)
  })

  it('makes requests of exactly the asked size that differ per client and message, in lower case', () => {
    expect(makeRequest(3, 7, 64)).toHaveLength(64)
    expect(makeRequest(3, 7, 2)).toHaveLength(2)
    expect(makeRequest(1, 0, 32).equals(makeRequest(2, 0, 32))).toBe(false)
    expect(makeRequest(1, 0, 32).equals(makeRequest(1, 1, 32))).toBe(false)
    expect(makeRequest(5, 9, 64).toString().slice(6)).toMatch(/^[a-z]+$/)
  })
})
