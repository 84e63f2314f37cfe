import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, useBrowserSession } from '../helpers/browser'

describe.skipIf(!hasChromium)('Small screens in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('keeps each tab list on one line at 200 % zoom: it scrolls sideways, shows a cue, and End brings the last tab into view', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'zoom200' })
    for (const nav of ['processes', 'network'] as const) {
      await page.locator(`[data-nav="${nav}"]`).click()
      const list = page.locator('[role="tablist"]')
      // The first and last tab as the view has them now (other parts add tabs).
      const ids = await list.locator('[role="tab"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')!))
      const first = ids[0]!
      const last = ids[ids.length - 1]!
      const shape = await list.evaluate((el) => {
        const tabs = [...el.querySelectorAll('[role="tab"]')].map((t) => t.getBoundingClientRect())
        return { tops: new Set(tabs.map((r) => Math.round(r.top))).size, scrolls: el.scrollWidth > el.clientWidth }
      })
      // All tabs on one row; the four process tabs are wider than 640 CSS px, so that list must scroll.
      expect(shape.tops).toBe(1)
      if (nav === 'processes') expect(shape.scrolls).toBe(true)
      await expect(page.locator('.tablist-wrap.more-after').count()).resolves.toBe(shape.scrolls ? 1 : 0)
      await page.getByTestId(first).focus()
      await page.keyboard.press('End')
      await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe(last)
      await page.waitForFunction((id) => {
        const tab = document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect()
        const box = document.querySelector('[role="tablist"]')!.getBoundingClientRect()
        return tab.left >= box.left - 1 && tab.right <= box.right + 1
      }, last)
      if (shape.scrolls) await page.locator('.tablist-wrap.more-before').waitFor()
      await page.keyboard.press('Home')
      await expect(page.getByTestId(first).getAttribute('aria-selected')).resolves.toBe('true')
      await expect(page.getByTestId(first).getAttribute('tabindex')).resolves.toBe('0')
      await expect(page.getByTestId(last).getAttribute('tabindex')).resolves.toBe('-1')
    }
    await page.context().close()
  })

  it('the status bar wraps between its parts and no line starts with a "·", at 200 % zoom and 1024×700, en/light and zh/dark', async () => {
    // Per line of parts (by top): whether each part's "·" is drawn where it stands (the hit test at its centre
    // finds it, so a clipped one is not), whether the part's text starts and ends inside the bar's visible box.
    const lines = (page: Page) =>
      page.locator('.status-bar').evaluate((bar) => {
        const box = bar.querySelector('.status-parts')!.getBoundingClientRect()
        const byTop = new Map<number, { text: string; left: number; sepShown: boolean; inside: boolean }[]>()
        for (const part of bar.querySelectorAll('.status-part')) {
          const sep = part.querySelector('.status-sep')!.getBoundingClientRect()
          const text = part.lastElementChild!.getBoundingClientRect()
          const top = Math.round(part.getBoundingClientRect().top)
          const hit = document.elementFromPoint(sep.left + sep.width / 2, sep.top + sep.height / 2)
          const row = byTop.get(top) ?? []
          row.push({ text: part.textContent!, left: text.left, sepShown: hit === part.firstElementChild, inside: text.left >= box.left - 0.5 && text.right <= box.right + 0.5 })
          byTop.set(top, row)
        }
        return [...byTop.values()].map((row) => row.sort((a, b) => a.left - b.left))
      })
    for (const { lang, theme } of [{ lang: 'en', theme: 'light' }, { lang: 'zh', theme: 'dark' }] as const) {
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'zoom200' })
      await page.getByTestId('engine-info').waitFor()
      // Read aloud as one line: separated parts, no "·" before the first.
      await expect(page.locator('.status-bar').ariaSnapshot()).resolves.toMatch(/^- status: [^·\s].* · /)
      let wrapped = false
      // 200 % zoom of windows 1280 down to 896 px wide (640 to 448 CSS px), then the small laptop.
      for (const viewport of [{ width: 640, height: 400 }, { width: 576, height: 400 }, { width: 512, height: 400 }, { width: 448, height: 400 }, { width: 1024, height: 700 }]) {
        await page.setViewportSize(viewport)
        const rows = await lines(page)
        if (viewport.width === 1024) expect(rows, `${lang} ${viewport.width}`).toHaveLength(1)
        wrapped ||= rows.length > 1
        for (const row of rows) {
          const where = `${lang} ${viewport.width}: ${row.map((p) => p.text).join(' | ')}`
          // The line's first part shows no separator; each part after it is set off by its own.
          expect(row.map((p) => p.sepShown), where).toEqual(row.map((_, i) => i > 0))
          expect(row.every((p) => p.inside), where).toBe(true)
        }
      }
      expect(wrapped, lang).toBe(true)
      await page.context().close()
    }
  })

  it('at 1024×700 the sidebar starts as icons with names for screen readers and on hover; the toggle is remembered', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    const nav = page.getByTestId('nav')
    await expect(nav.evaluate((el) => Math.round(el.getBoundingClientRect().width))).resolves.toBeLessThan(80)
    // Each icon button is still named (visually hidden text) and titled for the mouse.
    await expect(page.getByRole('button', { name: 'Processes' }).getAttribute('title')).resolves.toBe('Processes')
    await expect(page.getByTestId('nav-toggle').getAttribute('aria-expanded')).resolves.toBe('false')
    await page.getByTestId('theme-toggle').click()
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark')
    await page.getByTestId('lang-toggle').click()
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN')
    await page.getByTestId('nav-toggle').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="nav"]')!.getBoundingClientRect().width > 200)
    await page.getByTestId('lang-select').selectOption('en')
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await expect(page.getByTestId('nav-toggle').getAttribute('aria-expanded')).resolves.toBe('true')
    await expect(page.getByTestId('theme-dark').getAttribute('aria-pressed')).resolves.toBe('true')
    await page.context().close()
  })

  it('the welcome card shows in full on the first visit and as a one-line banner after it', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small', welcome: true })
    await page.getByTestId('welcome').waitFor()
    await expect(page.getByTestId('welcome-banner').count()).resolves.toBe(0)
    await page.reload()
    const banner = page.getByTestId('welcome-banner')
    await banner.waitFor()
    await expect(page.getByTestId('welcome').count()).resolves.toBe(0)
    // One line: no taller than two lines of text and its buttons.
    await expect(banner.evaluate((el) => el.getBoundingClientRect().height)).resolves.toBeLessThan(48)
    await page.getByTestId('welcome-expand').click()
    await page.getByTestId('welcome').waitFor()
    await page.getByTestId('welcome-close').click()
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await expect(page.getByTestId('welcome-banner').count()).resolves.toBe(0)
    await expect(page.getByTestId('welcome').count()).resolves.toBe(0)
    await page.context().close()
  })

  it('at 1024×700 the timelines keep a readable width and a wide table scrolls in its card with a cue', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await page.locator('[data-nav="processes"]').click()
    await page.getByTestId('run-spec').fill('cpu:40ms*2')
    await page.getByTestId('run-compare').click()
    await page.getByTestId('results-row-parallel').waitFor({ timeout: 60_000 })
    const widths = await page.locator('[data-testid="gantt"]').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width))
    expect(widths).toHaveLength(3)
    for (const w of widths) expect(w).toBeGreaterThanOrEqual(400)
    // At 200 % zoom the process tree is wider than its card: it scrolls there, says so, and takes focus.
    await page.setViewportSize({ width: 640, height: 400 })
    await page.getByTestId('proc-tab-tree').click()
    const wrap = page.locator('.table-wrap').filter({ has: page.getByTestId('tree-table') })
    await wrap.and(page.locator('.scrolls')).waitFor()
    await expect(wrap.getAttribute('tabindex')).resolves.toBe('0')
    await expect(wrap.evaluate((el) => getComputedStyle(el, '::before').content)).resolves.toMatch(/Scroll sideways/)
    await expect(page.evaluate(() => document.getElementById('main')!.scrollWidth <= document.getElementById('main')!.clientWidth)).resolves.toBe(true)
    await page.context().close()
  })
})
