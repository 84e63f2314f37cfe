import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

/**
 * A long run cancelled in the real page: the estimate before it, the progress bar and "about N s
 * left" during it, Cancel (by keyboard), and the part that finished after it. Every step waits for
 * what the page shows, never for a duration.
 */
describe.skipIf(!hasChromium)('Cancelling a long run in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('serial vs concurrent: shows the estimate, the progress, cancels mid-run and shows the modes that finished', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await page.getByTestId('net-tab-compare').click()
    // One client, so every mode takes about as long (150 × 20 ms ≈ 3 s): serial, then threading, then async.
    await page.getByTestId('compare-clients').fill('1')
    await page.getByTestId('compare-messages').fill('150')
    await page.getByTestId('compare-delay').fill('20')
    await page.getByTestId('compare-mode-forking').uncheck()
    await expect(page.getByTestId('compare-run-progress-estimate').textContent()).resolves.toMatch(/about \d+ s/)
    await page.getByTestId('compare-run').focus()
    await page.keyboard.press('Enter')
    // The bar moves past serial's 150 round trips (the first third): threading is running.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="compare-run-progress-bar"]')?.getAttribute('aria-valuenow')) > 35, undefined, { timeout: 60_000 })
    await expect(page.getByTestId('compare-run-progress-left').textContent()).resolves.toMatch(/of 450 round trips · (about \d+ s left|finishing…)/)
    // The same run.progress event names the row running (its `step`): past serial, the 2nd or 3rd of 3.
    await expect(page.getByTestId('compare-progress').textContent()).resolves.toMatch(/(Threading|Async).*\((2|3) of 3\) · \d+ \/ 450 round trips/i)
    // The run took the focus off the disabled Run button and put it on Cancel: Enter cancels.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('compare-run-progress-cancel')
    await screenshot(page, 'network-compare-cancel-running-en')
    await page.keyboard.press('Enter')
    await page.getByTestId('compare-run-progress-cancelled').waitFor({ timeout: 30_000 })
    await expect(page.getByTestId('compare-run-progress-cancelled').textContent()).resolves.toMatch(/Cancelled after [\d.]+ s: \d+ of 450 round trips had finished/)
    // Serial finished: its row is there; threading was cut off and async never ran.
    await page.getByTestId('compare-row-serial').waitFor()
    await expect(page.getByTestId('compare-row-threading').count()).resolves.toBe(0)
    await expect(page.getByTestId('compare-row-async').count()).resolves.toBe(0)
    await screenshot(page, 'network-compare-cancelled-en')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  }, 120_000)
})
