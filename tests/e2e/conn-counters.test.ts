import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * The engine's traffic counters as columns of the server panel's connection table (issue 14):
 * bytes and reads/sends in and out, the rate, the last activity, and a reset per row, at 1024×700
 * in both languages, with the keyboard. The row's reads, sends and reset come only from the
 * engine's counters (the server's own info has bytes only), so a table not wired to them fails.
 */

async function startTcpServer(page: Page): Promise<void> {
  await page.getByTestId('server-port').fill('0')
  await page.getByTestId('server-start').click()
  await page.getByTestId('server-item').last().waitFor()
}

async function openTcpClient(page: Page, index: number): Promise<void> {
  await page.getByTestId('client-kind-tcp').click()
  await page.getByTestId('tcpc-open').click()
  await page.getByTestId('tcpc-item').nth(index).waitFor()
}

const row = (page: Page, n: number): Locator => page.getByTestId('conn-row').nth(n)
const cell = (r: Locator, id: string) => r.getByTestId(id)

describe.skipIf(!hasChromium)('connection-table counters in Chromium (issue 14)', () => {
  const session = useBrowserSession()

  it('counts each connection on its own row, resets one row from the keyboard, and leaves the server total', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await startTcpServer(page)
    await openTcpClient(page, 0)
    await openTcpClient(page, 1)
    await row(page, 1).waitFor()
    const card = page.getByTestId('tcpc-item').first()
    await card.getByTestId('tcpc-payload').fill('hello')
    await card.getByTestId('tcpc-send').click()
    await card.getByTestId('tcpc-line').nth(1).waitFor()

    // Connection #1: 5 bytes in one read, 5 bytes (HELLO) in one send, and when.
    const first = row(page, 0)
    await cell(first, 'cc-in').filter({ hasText: /^5 B\s*1 read$/ }).waitFor()
    await expect(cell(first, 'cc-out').textContent()).resolves.toMatch(/^5 B\s*1 send$/)
    await expect(cell(first, 'cc-last').textContent()).resolves.toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}\s*\d+\.\d s ago$/)
    await expect(cell(first, 'cc-rate').textContent()).resolves.toMatch(/↓ \d+ B\/s\s*↑ \d+ B\/s/)
    // Connection #2 sent nothing: its own row says so, not the server's totals.
    await expect(cell(row(page, 1), 'cc-in').textContent()).resolves.toMatch(/^0 B\s*0 reads$/)
    await expect(cell(row(page, 1), 'cc-last').textContent()).resolves.toBe('no traffic')

    // Reset #1 with the keyboard: focus its button, press Enter.
    const reset = cell(first, 'cc-reset')
    await expect(reset.getAttribute('aria-label')).resolves.toBe('Reset the counters of connection #1')
    await reset.focus()
    await page.keyboard.press('Enter')
    await cell(first, 'cc-in').filter({ hasText: /^0 B\s*0 reads$/ }).waitFor()
    await expect(cell(first, 'cc-last').textContent()).resolves.toBe('no traffic')
    // The server's own total is its own.
    await expect(page.getByTestId('server-counters').getByTestId('counter-in').textContent()).resolves.toMatch(/^In 5 B/)

    // Counting goes on after the reset.
    await card.getByTestId('tcpc-payload').fill('abc')
    await card.getByTestId('tcpc-send').click()
    await cell(first, 'cc-in').filter({ hasText: /^3 B\s*1 read$/ }).waitFor()

    // It fits at 1024×700: no scrolling sideways.
    const wrap = page.getByTestId('conn-table').locator('xpath=..')
    await expect(wrap.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).resolves.toBe(true)
    await page.getByTestId('conn-table').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-conn-counters-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows the columns in Chinese, in the dark theme', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await startTcpServer(page)
    await openTcpClient(page, 0)
    const card = page.getByTestId('tcpc-item').first()
    await card.getByTestId('tcpc-payload').fill('你好')
    await card.getByTestId('tcpc-send').click()
    await cell(row(page, 0), 'cc-in').filter({ hasText: /^6 字节\s*1 次读取$/ }).waitFor()
    await expect(cell(row(page, 0), 'cc-out').textContent()).resolves.toMatch(/^6 字节\s*1 次发送$/)
    await expect(cell(row(page, 0), 'cc-last').textContent()).resolves.toMatch(/\d+\.\d 秒前$/)
    await expect(page.getByTestId('conn-table').locator('th').allTextContents()).resolves.toEqual(expect.arrayContaining(['收', '发', '速率', '最近活动']))
    await expect(cell(row(page, 0), 'cc-reset').getAttribute('aria-label')).resolves.toBe('把连接 #1 的计数清零')
    const wrap = page.getByTestId('conn-table').locator('xpath=..')
    await expect(wrap.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).resolves.toBe(true)
    await page.getByTestId('conn-table').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-conn-counters-zh-dark')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
