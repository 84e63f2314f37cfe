import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { callLab, hasChromium, openLab, pageProblems, useBrowserSession } from '../helpers/browser'

/**
 * With no theme saved the lab shows the system's (prefers-color-scheme; in Electron nativeTheme
 * drives it) and follows it when it changes; once the learner picks one, that one stays and is kept.
 */
describe.skipIf(!hasChromium)('the theme follows the system until the learner chooses one', () => {
  const session = useBrowserSession()
  const shown = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme)
  const saved = async () => ((await callLab(session.url, 'learner.get', {})) as { state: { theme?: string | null } }).state.theme

  it('no saved theme: the system\'s, live; a choice wins over the system and lasts', async () => {
    // A fresh data folder: nothing saved yet.
    expect(await saved() ?? null).toBeNull()
    const page = await openLab(session.browser, session.url, { keepLearner: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect.poll(() => shown(page)).toBe('dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await expect.poll(() => shown(page)).toBe('light')
    // Following the system is not a choice: nothing was saved.
    expect(await saved() ?? null).toBeNull()

    // The learner picks the theme the system has now (light): a choice all the same, saved, and it stays when the system turns dark.
    await page.getByTestId('theme-light').click()
    await expect.poll(saved).toBe('light')
    await page.emulateMedia({ colorScheme: 'dark' })
    // Two frames: the media query's change event is dispatched in the rendering step.
    const systemDark = await page.evaluate(
      () => new Promise<boolean>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(matchMedia('(prefers-color-scheme: dark)').matches)))),
    )
    expect(systemDark).toBe(true)
    expect(await shown(page)).toBe('light')
    expect(await saved()).toBe('light')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
