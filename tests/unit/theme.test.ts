import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { THEME_BACKGROUND, htmlWithLearnerLook } from '../../shared/theme'

describe('the saved theme before the page runs (issue 16)', () => {
  it('THEME_BACKGROUND is each theme’s --bg in renderer/styles.css (the Electron window and the page agree)', () => {
    const css = readFileSync(new URL('../../renderer/styles.css', import.meta.url), 'utf8')
    const light = /:root\s*\{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1]
    const dark = /:root\[data-theme='dark'\]\s*\{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1]
    expect({ light, dark }).toEqual(THEME_BACKGROUND)
  })

  it('writes a known theme and language on <html>, and nothing it does not know', () => {
    const html = '<!doctype html>\n<html lang="en">\n<head></head><body></body></html>'
    expect(htmlWithLearnerLook(html, { theme: 'dark', lang: 'zh' })).toContain('<html data-theme="dark" lang="zh-CN">')
    expect(htmlWithLearnerLook(html, { theme: 'light' })).toContain('<html data-theme="light">')
    expect(htmlWithLearnerLook(html, { theme: '"><script>', lang: 'fr' })).toBe(html)
    expect(htmlWithLearnerLook(html, {})).toBe(html)
  })
})
