import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { catalogs, englishFallbacks, leafKeys, translate } from '../../renderer/i18n'

const dir = 'renderer/i18n/messages'
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

/** Issue 15: the message files are collected by file (no shared list to append to), and each stays typed. */
describe('message catalogues', () => {
  it('collects every file of renderer/i18n/messages/, each one a defineCatalog (so a missing 简体中文 key fails tsc)', () => {
    expect(catalogs).toHaveLength(files.length)
    const untyped = files.filter((f) => !/^export default defineCatalog\(/m.test(readFileSync(join(dir, f), 'utf8')))
    expect(untyped).toEqual([])
  })

  it('defines no key in two parts, so the order they are merged in changes no word', () => {
    const owner = new Map<string, number>()
    const twice: string[] = []
    catalogs.forEach((c, i) => {
      for (const key of new Set([...leafKeys(c.en), ...leafKeys(c.zh)])) {
        if (owner.has(key)) twice.push(key)
        owner.set(key, i)
      }
    })
    expect(twice).toEqual([])
  })

  it('keeps each English fallback a Chinese screen was given (the e2e of every Chinese screen expects none)', async () => {
    englishFallbacks.clear()
    translate('zh', 'net.client.bytes', { n: 5 })
    translate('en', 'no.such.key')
    translate('zh', 'no.such.key')
    expect([...englishFallbacks]).toEqual([])
    // A catalogue with a key only English has: the one way catalogue words reach a Chinese screen in English.
    vi.resetModules()
    vi.doMock('../../renderer/i18n/messages/core.ts', async (importOriginal) => {
      const core = ((await importOriginal()) as { default: { en: object; zh: object } }).default
      return { default: { en: { ...core.en, onlyEnglish: 'only English' }, zh: core.zh } }
    })
    try {
      const i18n = await import('../../renderer/i18n')
      expect(i18n.translate('zh', 'onlyEnglish')).toBe('only English')
      expect([...i18n.englishFallbacks]).toEqual(['onlyEnglish'])
    } finally {
      vi.doUnmock('../../renderer/i18n/messages/core.ts')
      vi.resetModules()
    }
  })
})
