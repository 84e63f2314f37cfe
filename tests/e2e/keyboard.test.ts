import net from 'node:net'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { callLab, hasChromium, openLab, useBrowserSession } from '../helpers/browser'

/**
 * Keyboard only (issue 16, "focus follows the work"): every step below is a key press, never a
 * click or a programmatic focus, and where focus is is asserted after each one.
 */

/** What has focus: its id, else its test id, else its tag. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    return el?.id || el?.dataset.testid || el?.tagName.toLowerCase() || ''
  })

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, opts: { back?: boolean; max?: number } = {}) {
  for (let i = 0; i < (opts.max ?? 250); i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`Tab never reached ${selector} (focus is on ${await focused(page)})`)
}

/** Waits until the element with this id has focus, then checks it is visible inside the scrolling main area. */
async function expectFocusOn(page: Page, id: string, timeout = 30_000) {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout }).catch(async (e: Error) => {
    throw new Error(`focus is on "${await focused(page)}", not "${id}": ${e.message}`)
  })
  // Scrolled into view: the heading's top inside #main's box (reduced motion: no smooth scroll to wait for).
  await page.waitForFunction((want) => {
    const r = document.getElementById(want)!.getBoundingClientRect()
    const box = document.getElementById('main')!.getBoundingClientRect()
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1
  }, id)
}

const liveText = (page: Page) => page.getByTestId('live-status').textContent()

describe.skipIf(!hasChromium)('Keyboard only: from a try-it to the result, focus follows the work', () => {
  const session = useBrowserSession()

  async function openAsLearner() {
    // Predictions made, so the try-it buttons are open; lesson 3 is the one open.
    const at = Date.now()
    await callLab(session.url, 'learner.set', {
      lang: 'en', theme: 'light', welcome: 'closed', lesson: 'serial-concurrent-parallel', practice: {},
      predictions: { 'serial-concurrent-parallel': { choice: 'parallel', at }, 'sticky-packets': { choice: 'one', at } },
    })
    const page = await openLab(session.browser, session.url, { keepLearner: true, screen: 'small' })
    await page.emulateMedia({ reducedMotion: 'reduce' })
    return page
  }

  it('a process experiment: try-it → the experiment → its result; Enter in the spec field runs again and focus follows', async () => {
    const page = await openAsLearner()
    await tabTo(page, '[data-nav="lessons"]')
    await page.keyboard.press('Enter')
    await page.locator('[data-lesson-page="serial-concurrent-parallel"]').waitFor()
    await tabTo(page, '[data-testid="try-it"][data-try="processes/run"]')
    await page.keyboard.press('Enter')
    // The try-it lands on the experiment it opened…
    await expectFocusOn(page, 'run-title')
    // …and when the run it started is done, on its result, which the live region announces once.
    await expectFocusOn(page, 'results-title', 120_000)
    await page.getByTestId('results-row-parallel').waitFor()
    await expect(liveText(page)).resolves.toMatch(/^Results.*: Serial \d+ ms, Concurrent \d+ ms, Parallel \d+ ms$/)

    // Enter in the task field (the form's submit) runs again: focus goes to the result again.
    await tabTo(page, '[data-testid="run-spec"]', { back: true })
    await page.keyboard.press('Control+A')
    await page.keyboard.type('cpu:30ms*2')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.id !== 'run-spec', undefined, { timeout: 60_000 })
    await expectFocusOn(page, 'results-title', 60_000)
    await page.context().close()
  })

  it('a network experiment: lesson 9 try-it → the sticky experiment → its result; Run from its button too', async () => {
    const page = await openAsLearner()
    await tabTo(page, '[data-nav="lessons"]')
    await page.keyboard.press('Enter')
    await tabTo(page, '[data-lesson="sticky-packets"]')
    await page.keyboard.press('Enter')
    // A new lesson's title takes focus.
    await page.waitForFunction(() => document.activeElement?.closest('[data-lesson-page="sticky-packets"]') && document.activeElement.tagName === 'H1')
    await tabTo(page, '[data-testid="try-it"][data-try="network/sticky"]')
    await page.keyboard.press('Enter')
    await expectFocusOn(page, 'sticky-setup')
    await expectFocusOn(page, 'sticky-tcp', 60_000)
    const summary = await page.getByTestId('sticky-summary').textContent()
    await expect(liveText(page)).resolves.toBe(`${(await page.locator('#sticky-tcp').textContent())!.trim()}: ${summary!.trim()}`)

    // The Run button, pressed with Enter: it is disabled while running (focus would drop to <body>), focus lands on the result.
    await tabTo(page, '[data-testid="sticky-run"]', { back: true })
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.id !== 'sticky-run' && document.activeElement?.getAttribute('data-testid') !== 'sticky-run')
    await expectFocusOn(page, 'sticky-tcp', 60_000)
    await page.context().close()
  })

  it('an error notice is announced once; closing it (its button, or Escape) gives focus back to what opened it', async () => {
    // A port that is taken, so starting a server there fails for real (EADDRINUSE).
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      const page = await openAsLearner()
      await tabTo(page, '[data-testid="server-port"]')
      await page.keyboard.press('Control+A')
      await page.keyboard.type(String(port))
      await page.keyboard.press('Enter')
      const alert = page.locator('[role="alert"][data-testid="notice"]')
      await alert.waitFor()
      // One alert, saying it once (the stack around it is not a second live region).
      await expect(alert.count()).resolves.toBe(1)
      await expect(page.locator('.notices[aria-live], .notices [aria-live]').count()).resolves.toBe(0)
      await expect(alert.textContent()).resolves.toContain('ERR_PORT_IN_USE')
      await expect(focused(page)).resolves.toBe('server-port')

      // Its button, reached with Tab and pressed with Enter: focus goes back to the port field.
      await tabTo(page, '[data-testid="notice-dismiss"]')
      await page.keyboard.press('Enter')
      await alert.waitFor({ state: 'detached' })
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'server-port')

      // Again, closed with Escape from inside the notice.
      await page.keyboard.press('Enter')
      await alert.waitFor()
      await tabTo(page, '[data-testid="notice-dismiss"]')
      await page.keyboard.press('Escape')
      await alert.waitFor({ state: 'detached' })
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'server-port')
      await page.context().close()
    } finally {
      taken.close()
    }
  })
})
