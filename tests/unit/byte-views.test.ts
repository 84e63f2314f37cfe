import { describe, expect, it } from 'vitest'
import { oddForUtf16, showBytes } from '../../renderer/format/byte-views'

describe('per-row byte views (issue 14)', () => {
  const gbk = Buffer.from('c4e3bac3', 'hex') // 你好 in GBK
  it('shows GBK bytes as 你好 only when read as GBK', () => {
    expect(showBytes(gbk.toString('hex'), 'gbk')).toBe('你好')
    expect(showBytes(gbk.toString('hex'), 'utf8')).not.toContain('你好')
    expect(showBytes(gbk.toString('hex'), 'text', 'gbk')).toBe('你好')
    expect(showBytes(gbk.toString('hex'), 'hex')).toBe('c4 e3 ba c3')
  })
  it('reads UTF-8 and UTF-16LE, and marks control characters', () => {
    expect(showBytes(Buffer.from('hi 你好\n').toString('hex'), 'utf8')).toBe('hi 你好⏎')
    expect(showBytes(Buffer.from('你好', 'utf16le').toString('hex'), 'utf16le')).toBe('你好')
    expect(oddForUtf16('616263')).toBe(true)
    expect(oddForUtf16('61626364')).toBe(false)
  })
})
