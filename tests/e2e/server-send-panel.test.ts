import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * h3, issue 14: the server's writes in the conversation and the log carry their bytes (the
 * handler's replies too, not their size only), and a message sent from the server panel is marked
 * as the panel's, never mistaken for the handler's reply — in both languages.
 */

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function startServer(page: Page, mode = 'async'): Promise<number> {
  await page.getByTestId(`server-mode-${mode}`).check()
  await page.getByTestId('server-port').fill('0')
  await page.getByTestId('server-start').click()
  const addr = (await page.getByTestId('server-addr').first().textContent())!
  return Number(addr.match(/:(\d+)/)![1])
}

async function openClient(page: Page, port: number): Promise<Locator> {
  await page.getByTestId('client-kind-tcp').click()
  await page.getByTestId('tcpc-port').fill(String(port))
  await page.getByTestId('tcpc-open').click()
  const card = page.getByTestId('tcpc-item').first()
  await card.locator('.addr').filter({ hasText: /127\.0\.0\.1:\d+ →/ }).waitFor()
  return card
}

/** A client says hi (the handler answers HI), a long line (a reply longer than an event keeps), then the panel writes. */
async function converse(page: Page, lang: 'en' | 'zh'): Promise<Locator> {
  await page.locator('[data-nav="network"]').click()
  await page.getByTestId('log-clear').click()
  const port = await startServer(page)
  const card = await openClient(page, port)
  await card.getByTestId('tcpc-payload').fill('hi')
  await card.getByTestId('tcpc-send').click()
  await card.getByTestId('tcpc-line').nth(1).waitFor()
  await card.getByTestId('tcpc-payload').fill('y'.repeat(300))
  await card.getByTestId('tcpc-send').click()
  await card.getByTestId('tcpc-line').nth(2).waitFor()
  await until(async () => (await page.getByTestId('ssend-to').locator('option').count()) === 2, 'the connection in the send form')
  await page.getByTestId('ssend-to').selectOption({ index: 1 })
  await page.getByTestId('ssend-payload').fill(lang === 'zh' ? '面板发的' : 'from the panel')
  await page.getByTestId('ssend-send').click()
  await page.getByTestId('ssend-result').waitFor()
  await page.getByTestId('conv-open-conn').first().click()
  const conv = page.getByTestId('conversation')
  await conv.locator('[data-testid="conv-row"][data-by="panel"]').waitFor()
  return conv
}

describe.skipIf(!hasChromium)('the server’s writes in the conversation and the log (h3, issue 14)', () => {
  const session = useBrowserSession()

  it('shows the handler’s replies with their bytes, says how many bytes were not kept, and marks the panel’s send (English)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    const conv = await converse(page, 'en')
    const out = conv.locator('[data-testid="conv-row"][data-dir="out"]')
    await expect(out.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-by')))).resolves.toEqual(['handler', 'handler', 'panel'])
    // The handler's reply: its text, not its size only.
    await expect(out.nth(0).getByTestId('conv-body').textContent()).resolves.toBe('HI')
    await expect(out.nth(0).getByTestId('conv-by-handler').textContent()).resolves.toBe('handler’s reply')
    await out.nth(0).getByTestId('conv-row-view').selectOption('hex')
    await expect(out.nth(0).getByTestId('conv-body').textContent()).resolves.toBe('48 49')
    // 300 bytes written, the event keeps 256: the other 44 are said, not hidden.
    await expect(out.nth(1).getByTestId('conv-body').textContent()).resolves.toBe('Y'.repeat(256) + ' …')
    await expect(out.nth(1).textContent()).resolves.toContain('44 bytes more not kept (an event keeps the first 256 of the 300)')
    // The panel's message: marked, with a tooltip that says what it is.
    await expect(out.nth(2).getByTestId('conv-body').textContent()).resolves.toBe('from the panel')
    await expect(out.nth(2).getByTestId('conv-by-panel').textContent()).resolves.toBe('from the panel')
    await expect(out.nth(2).getByTestId('conv-by-panel').getAttribute('title')).resolves.toMatch(/not the handler’s reply/)
    await conv.scrollIntoViewIfNeeded()
    await screenshot(page, 'server-writes-conversation-en')

    // The log: the panel's send is its own row, marked; the handler's replies show their text too.
    const log = page.getByTestId('event-log')
    const panelRow = log.locator('[data-testid="log-row"][data-by="panel"]')
    await expect(panelRow.count()).resolves.toBe(1)
    await expect(panelRow.textContent()).resolves.toMatch(/from the panel.*#1 sent 14 bytes \(from the server panel\)from the panel/)
    const replyRows = log.locator('[data-testid="log-row"].ev-send:not([data-by])')
    await expect(replyRows.count()).resolves.toBe(2)
    await expect(replyRows.last().textContent()).resolves.toMatch(/#1 sent 2 bytes\s*HI$/)
    await page.getByTestId('log-filter').fill('server panel')
    await until(async () => (await log.getByTestId('log-row').count()) === 1, 'the filter to keep the panel’s row only')
    await page.getByTestId('log-filter').fill('')
    await log.scrollIntoViewIfNeeded()
    await screenshot(page, 'server-writes-log-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('says the same in Chinese, in the dark theme', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    const conv = await converse(page, 'zh')
    const out = conv.locator('[data-testid="conv-row"][data-dir="out"]')
    await expect(out.nth(0).getByTestId('conv-by-handler').textContent()).resolves.toBe('处理函数的回复')
    await expect(out.nth(1).textContent()).resolves.toContain('另有 44 字节未保留（每个事件只保留 300 字节中的前 256 字节）')
    await expect(out.nth(2).getByTestId('conv-body').textContent()).resolves.toBe('面板发的')
    await expect(out.nth(2).getByTestId('conv-by-panel').textContent()).resolves.toBe('来自面板')
    await conv.scrollIntoViewIfNeeded()
    await screenshot(page, 'server-writes-conversation-zh-dark')
    const panelRow = page.getByTestId('event-log').locator('[data-testid="log-row"][data-by="panel"]')
    await expect(panelRow.textContent()).resolves.toMatch(/来自面板.*#1 发出 12 字节（来自服务器面板）面板发的/)
    await page.getByTestId('event-log').scrollIntoViewIfNeeded()
    await screenshot(page, 'server-writes-log-zh-dark')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
