import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

async function openRelay(page: Page) {
  await page.locator('[data-nav="network"]').click()
  await page.getByTestId('net-tab-relay').click()
  await expect(page.getByTestId('net-tab-relay').getAttribute('aria-selected')).resolves.toBe('true')
}

/** Scrolls the main area so that the element's card is near the top. */
async function scrollTo(page: Page, testId: string) {
  await page.getByTestId(testId).evaluate((el) => {
    const card = el.closest('section') ?? el
    const main = document.getElementById('main')!
    main.scrollTop += card.getBoundingClientRect().top - main.getBoundingClientRect().top - 16
  })
}

describe.skipIf(!hasChromium)('The network-conditions relay in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('the lossy-UDP preset loses and reorders datagrams while TCP through the same relay delivers every byte in order; its log outlives a reload', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openRelay(page)
    await page.getByTestId('relay-empty').waitFor()
    await expect(page.getByTestId('relay-honest').textContent()).resolves.toMatch(/cannot make TCP lose a segment/)
    await expect(page.getByTestId('relay-honest').textContent()).resolves.toMatch(/tc qdisc add dev lo root netem/)
    await page.getByTestId('relay-preset-lossyUdp').click()
    await expect(page.getByTestId('relay-up-lossPct').inputValue()).resolves.toBe('15')
    await page.getByTestId('relay-start-targets').click()
    await page.waitForFunction(() => (document.querySelector('[data-testid="relay-target-port"]') as HTMLInputElement | null)?.value !== '')
    await page.getByTestId('relay-start').click()
    await page.locator('[data-testid="relay-item"][data-state="listening"]').waitFor()

    await page.getByTestId('relay-probe-udp').click()
    const udp = page.getByTestId('relay-probe-udp-result')
    await udp.waitFor()
    // The probe stopped on its condition: every datagram came back or the relay reported dropping it, none still on its way.
    await expect(udp.getAttribute('data-accounted')).resolves.toBe('true')
    await expect(udp.getAttribute('data-still-missing')).resolves.toBe('')
    // So what is missing is what the relay dropped (the seed's 3, 6, 13), and its log lists those drops.
    await expect(udp.getAttribute('data-dropped')).resolves.toBe('3 6 13')
    await expect(udp.getAttribute('data-missing')).resolves.toBe('3')
    expect(Number(await udp.getAttribute('data-late'))).toBeGreaterThanOrEqual(1)
    await expect(udp.textContent()).resolves.toMatch(/17 of 20 came back; missing 3, 6, 13/)
    await expect(udp.textContent()).resolves.toMatch(/Dropped by the relay: 3, 6, 13\. The probe stopped once every datagram was back or dropped/)
    // The rows come with the engine's event batches, which may follow the probe's answer: wait for them.
    await page.locator('[data-testid="relay-event-row"][data-action="dropped"]').nth(2).waitFor()
    await expect(page.locator('[data-testid="relay-event-row"][data-action="dropped"]').count()).resolves.toBe(3)
    await page.locator('[data-testid="relay-event-row"]:not([data-held="0"])').nth(1).waitFor()
    expect(await page.locator('[data-testid="relay-event-row"]:not([data-held="0"])').count()).toBe(2)
    await page.getByTestId('relay-udp-lanes').waitFor()

    await page.getByTestId('relay-probe-tcp').click()
    const tcp = page.getByTestId('relay-probe-tcp-result')
    await tcp.waitFor()
    await expect(tcp.getAttribute('data-identical')).resolves.toBe('true')
    await expect(tcp.getAttribute('data-received')).resolves.toBe('20')
    await expect(tcp.textContent()).resolves.toMatch(/every byte, in order/)
    await page.getByTestId('relay-tcp-lanes').waitFor()
    await scrollTo(page, 'relay-connect-hint')
    await screenshot(page, 'relay-en')

    // The engine kept the relay's events: a reload shows the same drops.
    const rows = await page.getByTestId('relay-event-row').count()
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await openRelay(page)
    await page.getByTestId('relay-item').first().waitFor()
    // The rows come with the engine's log, read after the relay list: wait for them, then count.
    await page.getByTestId('relay-event-row').nth(rows - 1).waitFor()
    await expect(page.getByTestId('relay-event-row').count()).resolves.toBe(rows)
    await expect(page.locator('[data-testid="relay-event-row"][data-action="dropped"]').count()).resolves.toBe(3)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()

    // The same relay in Chinese, dark, on a 1024×700 screen, reached by keyboard.
    const zh = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await zh.locator('[data-nav="network"]').click()
    await zh.getByTestId('net-tab-server').focus()
    await zh.keyboard.press('ArrowRight')
    await zh.keyboard.press('ArrowRight')
    await expect(zh.getByTestId('net-tab-relay').getAttribute('aria-selected')).resolves.toBe('true')
    // The relay's random stream goes on (datagrams 21-40 now): other ones are lost, as many on average.
    await zh.getByTestId('relay-probe-udp').click()
    await zh.getByTestId('relay-probe-udp-result').waitFor()
    await expect(zh.getByTestId('relay-probe-udp-result').textContent()).resolves.toMatch(/UDP：20 个中回来 \d+ 个；缺少/)
    await expect(zh.getByTestId('relay-probe-udp-result').getAttribute('data-accounted')).resolves.toBe('true')
    await expect(zh.getByTestId('relay-probe-udp-result').textContent()).resolves.toMatch(/每个数据报都已回来或被中继丢弃，探测随即结束/)
    const overflow = await zh.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await scrollTo(zh, 'relay-connect-hint')
    await screenshot(zh, 'relay-zh')
    await zh.getByTestId('relay-stop').first().click()
    await zh.locator('[data-testid="relay-item"][data-state="closed"]').waitFor()
    expect(pageProblems(zh)).toEqual([])
    await zh.context().close()
  })
})
