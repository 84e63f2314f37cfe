/**
 * The two themes' page backgrounds, said once for the doors that paint before the page's CSS runs:
 * Electron's window (backgroundColor) and the served index.html. renderer/styles.css has the same
 * values as `--bg` (tests/unit/theme.test.ts keeps them equal).
 */
export type ThemeName = 'light' | 'dark'
export const THEME_BACKGROUND: Record<ThemeName, string> = { light: '#f4f5f7', dark: '#121418' }

export const isThemeName = (v: unknown): v is ThemeName => v === 'light' || v === 'dark'

/**
 * index.html with the learner's saved theme and language on its <html> element, so the first paint
 * is already theirs (no flash of the default theme before the engine's state arrives). Only the two
 * known themes and languages are written: nothing from the state reaches the page unchecked.
 */
export function htmlWithLearnerLook(html: string, look: { theme?: unknown; lang?: unknown }): string {
  const attrs: string[] = []
  if (isThemeName(look.theme)) attrs.push(`data-theme="${look.theme}"`)
  if (look.lang === 'zh' || look.lang === 'en') attrs.push(`lang="${look.lang === 'zh' ? 'zh-CN' : 'en'}"`)
  if (attrs.length === 0) return html
  return html.replace(/<html\b[^>]*>/i, `<html ${attrs.join(' ')}>`)
}
