import dgram from 'node:dgram'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, useBrowserSession } from '../helpers/browser'

async function openRelay(page: Page) {
  await page.locator('[data-nav="network"]').click()
  await page.getByTestId('net-tab-relay').click()
  await expect(page.getByTestId('net-tab-relay').getAttribute('aria-selected')).resolves.toBe('true')
}

/** A UDP port nothing listens on: bound, taken, closed. */
async function closedUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe.skipIf(!hasChromium)('A UDP relay whose server port is closed, in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('says the server’s port is not listening (refused by its OS, counted) in both languages, not as an error, and the relay keeps running', async () => {
    const deadPort = await closedUdpPort()
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openRelay(page)
    await page.getByTestId('relay-proto').selectOption('udp')
    await page.getByTestId('relay-target-port').fill(String(deadPort))
    await page.getByTestId('relay-start').click()
    await page.locator('[data-testid="relay-item"][data-state="listening"]').waitFor()
    await expect(page.getByTestId('relay-unreachable').count()).resolves.toBe(0)

    await page.getByTestId('relay-probe-udp').click()
    const note = page.getByTestId('relay-unreachable')
    await note.waitFor()
    expect(Number(await note.getAttribute('data-refused'))).toBeGreaterThanOrEqual(1)
    await expect(note.textContent()).resolves.toMatch(new RegExp(`Nothing listens on the server’s UDP port 127\\.0\\.0\\.1:${deadPort}: its OS refused`))
    await expect(note.textContent()).resolves.toMatch(/The relay keeps running/)
    await page.getByTestId('relay-probe-udp-result').waitFor()
    // Nothing came back and the relay dropped nothing: the probe's wait ran out, and it says which are neither.
    const result = page.getByTestId('relay-probe-udp-result')
    await expect(result.getAttribute('data-missing')).resolves.toBe('20')
    await expect(result.getAttribute('data-accounted')).resolves.toBe('false')
    await expect(result.getAttribute('data-still-missing')).resolves.toBe(Array.from({ length: 20 }, (_, i) => i + 1).join(' '))
    await expect(result.textContent()).resolves.toMatch(/Dropped by the relay: none\. The wait \(1000 ms after the last one\) ran out with these neither back nor dropped: 1, 2, 3/)
    await expect(page.locator('[data-testid="relay-item"][data-state="listening"]').count()).resolves.toBe(1)
    // Not an error: no notice on the page.
    await expect(page.getByTestId('notice').count()).resolves.toBe(0)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()

    // The same relay in Chinese: the count comes back with the relay's state.
    const zh = await openLab(session.browser, session.url, { lang: 'zh' })
    await openRelay(zh)
    const zhNote = zh.getByTestId('relay-unreachable')
    await zhNote.waitFor()
    await expect(zhNote.textContent()).resolves.toMatch(new RegExp(`服务器的 UDP 端口 127\\.0\\.0\\.1:${deadPort} 上没有程序在监听`))
    await zh.getByTestId('relay-stop').first().click()
    await zh.locator('[data-testid="relay-item"][data-state="closed"]').waitFor()
    expect(pageProblems(zh)).toEqual([])
    await zh.context().close()
  })
})
