import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { hasChromium, launchChromium, openLab, pageProblems, screenshot, startBrowserMode } from '../helpers/browser'
import type { LabProcess } from '../helpers/cli'

/**
 * The engine goes away under an open page: the page says so (banner, status bar, server cards
 * stop saying "listening"), and when the lab comes back on the same address and data folder
 * (same token) the page reconnects by itself and takes the engine's state again.
 */
describe.skipIf(!hasChromium)('the page when the engine goes away and comes back', () => {
  let browser: Browser
  let lab: LabProcess
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await lab?.stop()
    await browser?.close()
  })

  it('shows the loss everywhere it matters and reconnects when the lab restarts', async () => {
    const first = await startBrowserMode()
    lab = first.lab
    const page = await openLab(browser, first.url)
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await expect.poll(() => page.getByTestId('server-addr').first().textContent()).toMatch(/listening on 127\.0\.0\.1:\d+/)

    await lab.stop()
    await page.getByTestId('engine-offline').waitFor()
    await page.locator('[data-testid="engine-state"][data-state="reconnecting"]').waitFor()
    await expect.poll(() => page.getByTestId('server-addr').first().textContent()).toMatch(/unknown — the engine is disconnected/)
    await screenshot(page, 'engine-offline')

    lab = (await startBrowserMode({ dataDir: first.dataDir, port: first.port })).lab
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor({ timeout: 30_000 })
    await page.getByTestId('engine-reconnected').waitFor()
    expect(await page.getByTestId('engine-offline').count()).toBe(0)
    // The new engine runs no server: the page took its list again instead of showing a stale card.
    await page.getByTestId('server-empty').waitFor()
    expect(pageProblems(page).filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p))).toEqual([])
  })
})
