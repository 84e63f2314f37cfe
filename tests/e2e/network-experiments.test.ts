import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

async function openTab(page: Page, tab: 'server' | 'sticky' | 'compare') {
  await page.getByTestId(`net-tab-${tab}`).click()
  await expect(page.getByTestId(`net-tab-${tab}`).getAttribute('aria-selected')).resolves.toBe('true')
}

/** Scrolls the main area so that `target`'s card starts near the top (for a screenshot of the results). */
async function scrollToTop(page: Page, target: Locator) {
  await target.evaluate((el) => {
    const card = el.closest('section') ?? el
    const main = document.getElementById('main')!
    main.scrollTop += card.getBoundingClientRect().top - main.getBoundingClientRect().top - 16
  })
}

/**
 * Presses a button from the keyboard (focus, Enter) instead of clicking at its place on the page.
 * The buttons below the server card move while the card fills in on its own (the socket table's
 * rows, the spares line): a click aimed at where Connect was could land beside it, and nothing
 * happened (seen once at load 10: no client, no connection, no notice). Focus has no place to miss.
 */
const press = (button: Locator) => button.press('Enter')

async function stopAllServers(page: Page) {
  await openTab(page, 'server')
  await stopAll(page)
}

describe.skipIf(!hasChromium)('Network experiments in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('moves between the tabs with the arrow keys and remembers the tab', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await page.getByTestId('net-tab-server').focus()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('net-tab-sticky').getAttribute('aria-selected')).resolves.toBe('true')
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('net-tab-sticky')
    await page.getByTestId('sticky-empty').waitFor()
    await page.keyboard.press('End')
    await page.getByTestId('compare-empty').waitFor()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('net-tab-server').getAttribute('aria-selected')).resolves.toBe('true')
    // Away to another section and back: the tab chosen last is still open.
    await page.keyboard.press('ArrowLeft')
    await page.locator('[data-nav="lessons"]').click()
    await page.locator('[data-nav="network"]').click()
    await expect(page.getByTestId('net-tab-compare').getAttribute('aria-selected')).resolves.toBe('true')
    await page.context().close()
  })

  it('runs the sticky-packet experiment: TCP merges sends, framing recovers them, UDP keeps one datagram per message', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'sticky')
    await expect(page.getByTestId('sticky-message').count()).resolves.toBe(3)
    await page.getByTestId('sticky-read-delay').fill('200')
    await page.getByTestId('sticky-run').click()
    await page.getByTestId('sticky-result').waitFor()
    // The reader slept while three back-to-back sends arrived: one recv() holds several of them.
    await page.locator('[data-testid="sticky-recv"][data-kind="merged"]').first().waitFor()
    await expect(page.getByTestId('sticky-send').count()).resolves.toBe(3)
    expect(await page.getByTestId('sticky-recv').count()).toBeLessThan(3)
    await page.getByTestId('sticky-no-framing').waitFor()

    // Same messages with a 4-byte length prefix, and the UDP half beside it.
    await page.getByTestId('sticky-frame').selectOption('len32le')
    await page.getByTestId('sticky-run-udp').click()
    await page.getByTestId('sticky-recovered').nth(2).waitFor()
    await expect(page.getByTestId('sticky-recovered-text').allTextContents()).resolves.toEqual(['hello', 'world', 'sticky'])
    await expect(page.getByTestId('sticky-matched').textContent()).resolves.toBe('3 of 3 identical to what was sent')
    await expect(page.getByTestId('sticky-datagram').count()).resolves.toBe(3)
    await expect(page.getByTestId('sticky-udp-summary').textContent()).resolves.toBe('3 sendto() → 3 recvfrom()')
    await scrollToTop(page, page.getByTestId('sticky-result'))
    await screenshot(page, 'network-sticky-en')
    // Both runs were saved to the history; opening one and running it again fills the form with its settings.
    await page.getByTestId('sticky-frame').selectOption('line')
    await page.getByTestId('sticky-read-delay').fill('0')
    await page.locator('[data-nav="history"]').click()
    await page.getByTestId('history-row').filter({ hasText: /3 × send → \d+ × recv \(no framing\)/ }).first().waitFor()
    await page.getByTestId('history-row').filter({ hasText: '(length prefix, little-endian, UDP)' }).first().getByTestId('history-open').click()
    // "Open" shows the run's own saved result; "Run again" fills the form with its settings.
    await page.getByTestId('history-again').click()
    await expect(page.getByTestId('net-tab-sticky').getAttribute('aria-selected')).resolves.toBe('true')
    await expect(page.getByTestId('sticky-frame').inputValue()).resolves.toBe('len32le')
    await expect(page.getByTestId('sticky-read-delay').inputValue()).resolves.toBe('200')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('compares serial and concurrent servers: a row per mode and one chart', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'compare')
    await page.getByTestId('compare-clients').fill('4')
    await page.getByTestId('compare-messages').fill('4')
    await page.getByTestId('compare-delay').fill('25')
    await page.getByTestId('compare-run').click()
    // Four servers, one after the other (the forking one alone takes a while): the progress bar shows.
    await expect(page.getByTestId('compare-run-progress-bar').getAttribute('aria-valuenow')).resolves.toMatch(/^\d+$/)
    await page.getByTestId('compare-table').waitFor({ timeout: 45_000 })
    for (const mode of ['serial', 'threading', 'forking', 'async']) {
      const row = page.getByTestId(`compare-row-${mode}`)
      await row.waitFor()
      await expect(row.locator('td').nth(2).textContent()).resolves.toMatch(/\/s$/)
      await page.getByTestId(`compare-timeline-${mode}`).waitFor()
    }
    await expect(page.getByTestId('compare-chart').getByTestId('compare-bar').count()).resolves.toBe(4)
    // Every exchange of every client is drawn: 4 clients × 4 messages per mode.
    await expect(page.getByTestId('compare-timeline-serial').locator('rect.bar').count()).resolves.toBe(16)
    await page.getByTestId('compare-metric-meanWaitMs').click()
    await expect(page.getByTestId('compare-metric-meanWaitMs').getAttribute('aria-pressed')).resolves.toBe('true')
    await scrollToTop(page, page.getByTestId('compare-table'))
    await screenshot(page, 'network-compare-en')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('serves persistent clients on a thread, in a child process, and queues them in serial mode', async ({ onTestFailed }) => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    // What the page showed when a step failed, for the report (not a docs screenshot).
    onTestFailed(async () => {
      await page.screenshot({ path: path.join(tmpdir(), 'network-experiments-failure.png') })
    })
    await openTab(page, 'server')
    await page.getByTestId('client-kind-tcp').click()
    await page.getByTestId('tcpc-empty').waitFor()
    for (const [mode, pattern] of [
      ['threading', /^thread TID \d+$/],
      ['forking', /^process PID \d+$/],
    ] as const) {
      await page.getByTestId(`server-mode-${mode}`).check()
      await page.getByTestId('server-port').fill('0')
      await page.getByTestId('server-start').click()
      await page.getByTestId('server-mode').filter({ hasText: mode === 'threading' ? 'Threading' : 'Forking' }).waitFor()
      await press(page.getByTestId('tcpc-open'))
      await page.getByTestId('tcpc-item').waitFor()
      await expect(page.getByTestId('served-by').first().innerText()).resolves.toMatch(pattern)
      await page.getByTestId('tcpc-payload').fill('hi there')
      await press(page.getByTestId('tcpc-send'))
      await page.getByTestId('tcpc-text').filter({ hasText: 'HI THERE' }).first().waitFor()
      if (mode === 'forking') {
        // The child serving the connection is one click away in the process tree.
        await press(page.getByTestId('served-by').first())
        await expect(page.locator('[data-nav="processes"]').getAttribute('aria-current')).resolves.toBe('page')
        await page.locator('[data-nav="network"]').click()
        await page.getByTestId('tcpc-item').waitFor()
      }
      await press(page.getByTestId('tcpc-close'))
      await page.getByTestId('tcpc-empty').waitFor()
      await press(page.getByTestId('server-stop'))
      await page.getByTestId('server-empty').waitFor()
    }

    // Serial: the second client waits in the visible queue until the first one leaves.
    await page.getByTestId('server-mode-serial').check()
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await press(page.getByTestId('tcpc-open'))
    await page.getByTestId('tcpc-item').first().waitFor()
    await press(page.getByTestId('tcpc-open'))
    await page.getByTestId('tcpc-item').nth(1).waitFor()
    await page.getByTestId('queue-item').first().waitFor()
    await expect(page.getByTestId('queue-item').first().textContent()).resolves.toMatch(/waiting since/)
    await page.getByTestId('tcpc-payload').first().fill('first')
    await press(page.getByTestId('tcpc-send').first())
    await page.getByTestId('tcpc-text').filter({ hasText: 'FIRST' }).first().waitFor()
    await scrollToTop(page, page.locator('#server-title'))
    await screenshot(page, 'network-server-en')
    await press(page.getByTestId('tcpc-close').first())
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-item"]').length === 0)
    await press(page.getByTestId('tcpc-close').first())
    await stopAllServers(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('asks before listening on all interfaces, and echoes UDP datagrams in GBK', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'server')
    await page.getByTestId('server-host').fill('0.0.0.0')
    await expect(page.getByTestId('server-start').isDisabled()).resolves.toBe(true)
    await page.getByText('Listening on all interfaces needs the checkbox above').waitFor()
    await page.getByTestId('server-all-interfaces').check()
    await expect(page.getByTestId('server-start').isEnabled()).resolves.toBe(true)
    await page.getByTestId('server-all-interfaces').uncheck()
    await expect(page.getByTestId('server-host').inputValue()).resolves.toBe('127.0.0.1')
    // The page reads the address as the engine does: `0.0` and `[0::]` are every interface too.
    for (const spelling of ['0.0', '[0::]']) {
      await page.getByTestId('server-host').fill(spelling)
      await expect(page.getByTestId('server-start').isDisabled()).resolves.toBe(true)
    }
    await page.getByTestId('server-host').fill('127.0.0.1')

    await page.getByTestId('server-proto-udp').click()
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await page.getByTestId('udp-stats').waitFor()
    await page.getByTestId('client-kind-udp').click()
    await page.getByTestId('udp-empty').waitFor()
    await page.getByTestId('udp-encoding').selectOption('gbk')
    await page.getByTestId('udp-payload').fill('hi 你好')
    await page.getByTestId('udp-repeat').fill('2')
    await page.getByTestId('udp-send').click()
    await page.getByTestId('udp-reply').nth(1).waitFor()
    await expect(page.getByTestId('udp-reply-text').allTextContents()).resolves.toEqual(['HI 你好', 'HI 你好'])
    // GBK: 2 ASCII letters, a space and 2 bytes per Chinese character.
    await expect(page.getByTestId('udp-run').first().textContent()).resolves.toMatch(/2 datagrams of 7 bytes sent, 2 replies/)
    // The server's own count follows from its events, which arrive a moment after the replies.
    await page.getByTestId('udp-stats').filter({ hasText: /^2 datagrams received, 14 bytes/ }).waitFor()
    await stopAllServers(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('keeps the event log to a few DOM rows while thousands of events arrive, and filters them', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'server')
    // The engine keeps the log of the earlier tests (it lasts): start this one from an empty log.
    await page.getByTestId('log-clear').click()
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await page.getByTestId('client-kind-tcp').click()
    await page.getByTestId('tcpc-open').click()
    await page.getByTestId('tcpc-item').waitFor()
    await page.getByTestId('tcpc-payload').fill('x')
    await page.getByTestId('tcpc-nagle').isVisible()
    await page.getByTestId('tcpc-repeat').fill('3000')
    await page.getByTestId('tcpc-send').click()
    // Each send() is a client 'sent' event, besides the server's recv/send events (under such a burst
    // the transport may skip some and says so in the status bar): thousands in all.
    await page.waitForFunction(() => {
      const m = document.querySelector('[data-testid="log-count"]')?.textContent?.match(/of (\d+)/)
      return m !== null && m !== undefined && Number(m[1]) > 1_500
    })
    expect(await page.getByTestId('log-row').count()).toBeLessThan(80)
    await page.getByTestId('log-filter').fill('listening')
    await page.getByTestId('log-row').first().waitFor()
    await expect(page.getByTestId('log-row').count()).resolves.toBe(1)
    await page.getByTestId('log-filter').fill('')
    const download = page.waitForEvent('download')
    await page.getByTestId('log-csv').click()
    expect((await download).suggestedFilename()).toMatch(/^lab-events-.*\.csv$/)
    await page.getByTestId('tcpc-close').click()
    await stopAllServers(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows every tab in Chinese (and the sticky run in the dark theme)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark' })
    await openTab(page, 'sticky')
    await page.getByTestId('sticky-frame').selectOption('line')
    await page.getByTestId('sticky-run-udp').click()
    await page.getByTestId('sticky-recovered').nth(2).waitFor()
    await expect(page.getByTestId('sticky-matched').textContent()).resolves.toBe('3 条中有 3 条与发送的完全一致')
    await scrollToTop(page, page.getByTestId('sticky-result'))
    await screenshot(page, 'network-sticky-zh')

    await page.getByTestId('theme-light').click()
    await openTab(page, 'compare')
    await page.getByTestId('compare-clients').fill('3')
    await page.getByTestId('compare-messages').fill('3')
    await page.getByTestId('compare-run').click()
    await page.getByTestId('compare-row-async').waitFor({ timeout: 45_000 })
    await expect(page.getByTestId('compare-row-serial').textContent()).resolves.toMatch(/串行/)
    await scrollToTop(page, page.getByTestId('compare-table'))
    await screenshot(page, 'network-compare-zh')

    await openTab(page, 'server')
    await page.getByTestId('server-mode-threading').check()
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await page.getByTestId('client-kind-tcp').click()
    await page.getByTestId('tcpc-open').click()
    await expect(page.getByTestId('served-by').first().innerText()).resolves.toMatch(/^线程 TID \d+$/)
    await page.getByTestId('tcpc-payload').fill('你好 hello')
    await page.getByTestId('tcpc-send').click()
    await page.getByTestId('tcpc-text').filter({ hasText: '你好 HELLO' }).first().waitFor()
    await scrollToTop(page, page.locator('#server-title'))
    await screenshot(page, 'network-server-zh')
    await page.getByTestId('tcpc-close').click()
    await stopAllServers(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
