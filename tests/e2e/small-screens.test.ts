import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, useBrowserSession } from '../helpers/browser'

describe.skipIf(!hasChromium)('Small screens in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('keeps each tab list on one line at 200 % zoom: it scrolls sideways, shows a cue, and End brings the last tab into view', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'zoom200' })
    for (const [nav, first, last] of [
      ['processes', 'proc-tab-run', 'proc-tab-simulator'],
      ['network', 'net-tab-server', 'net-tab-compare'],
    ] as const) {
      await page.locator(`[data-nav="${nav}"]`).click()
      const list = page.locator('[role="tablist"]')
      const shape = await list.evaluate((el) => {
        const tabs = [...el.querySelectorAll('[role="tab"]')].map((t) => t.getBoundingClientRect())
        return { tops: new Set(tabs.map((r) => Math.round(r.top))).size, scrolls: el.scrollWidth > el.clientWidth }
      })
      // All tabs on one row; at 640 CSS px the row is wider than the list, so it must scroll.
      expect(shape).toEqual({ tops: 1, scrolls: true })
      await expect(page.locator('.tablist-wrap.more-after').count()).resolves.toBe(1)
      await page.getByTestId(first).focus()
      await page.keyboard.press('End')
      await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe(last)
      await page.waitForFunction((id) => {
        const tab = document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect()
        const box = document.querySelector('[role="tablist"]')!.getBoundingClientRect()
        return tab.left >= box.left - 1 && tab.right <= box.right + 1
      }, last)
      await page.locator('.tablist-wrap.more-before').waitFor()
      await page.keyboard.press('Home')
      await expect(page.getByTestId(first).getAttribute('aria-selected')).resolves.toBe('true')
      await expect(page.getByTestId(first).getAttribute('tabindex')).resolves.toBe('0')
      await expect(page.getByTestId(last).getAttribute('tabindex')).resolves.toBe('-1')
    }
    await page.context().close()
  })
})
