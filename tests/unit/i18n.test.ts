import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { catalogs, leafKeys, lookup, translate } from '../../renderer/i18n'
import { ERROR_CODES } from '../../shared/errors'

describe('translations', () => {
  it('has every key in both 简体中文 and English, in every catalog', () => {
    for (const catalog of catalogs) {
      const en = leafKeys(catalog.en).sort()
      const zh = leafKeys(catalog.zh).sort()
      expect(zh.filter((k) => !en.includes(k)), 'keys only in zh').toEqual([])
      expect(en.filter((k) => !zh.includes(k)), 'keys only in en').toEqual([])
    }
  })

  it('has no empty strings and keeps the same {placeholders} in both languages', () => {
    for (const catalog of catalogs) {
      for (const key of leafKeys(catalog.en)) {
        const en = translate('en', key)
        const zh = translate('zh', key)
        expect(en.trim(), key).not.toBe('')
        expect(zh.trim(), key).not.toBe('')
        const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
        expect(names(zh), key).toEqual(names(en))
      }
    }
  })

  it('translates every error code and its hint', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      for (const lang of ['en', 'zh'] as const) {
        expect(translate(lang, `errors.${code}`), `${lang} ${code}`).not.toBe(`errors.${code}`)
        expect(translate(lang, `hints.${code}`), `${lang} hint ${code}`).not.toBe(`hints.${code}`)
      }
    }
  })

  it('fills placeholders and falls back to the key when a key is unknown', () => {
    expect(translate('en', 'net.client.bytes', { n: 5 })).toBe('5 bytes')
    expect(translate('zh', 'net.client.bytes', { n: 5 })).toBe('5 字节')
    expect(translate('zh', 'no.such.key')).toBe('no.such.key')
  })
})

describe('no English fallback on a Chinese screen', () => {
  // Every key the renderer names literally (t('a.b'), translate(lang, 'a.b')) must exist in 简体中文 itself,
  // so `translate`'s English fallback never fills a Chinese screen for a key written in the code (issue 15).
  it('finds every literal key of the renderer in the Chinese catalogue', () => {
    const files = readdirSync('renderer', { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|vue)$/.test(f))
      .map((f) => join('renderer', f))
    const keys = new Map<string, string>()
    for (const file of files) {
      const source = readFileSync(file, 'utf8')
      for (const m of source.matchAll(/(?:\bt|\btranslate\([^,()]+,)\(?\s*'([a-z][\w]*(?:\.[\w]+)+)'/g)) keys.set(m[1]!, file)
    }
    expect(keys.size).toBeGreaterThan(200)
    const missing = [...keys].filter(([key]) => lookup('zh', key) === undefined).map(([key, file]) => `${key} (${file})`)
    expect(missing).toEqual([])
  })
})
