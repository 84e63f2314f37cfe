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

async function openClient(page: Page, port: number, n = 0): Promise<Locator> {
  await page.getByTestId('client-kind-tcp').click()
  await page.getByTestId('tcpc-port').fill(String(port))
  await page.getByTestId('tcpc-open').click()
  const card = page.getByTestId('tcpc-item').nth(n)
  await card.locator('.addr').filter({ hasText: /127\.0\.0\.1:\d+ →/ }).waitFor()
  return card
}

/** The texts a client card shows as received, oldest first. */
const receivedBy = async (card: Locator) => (await card.locator('tr.dir-received [data-testid="tcpc-text"]').allTextContents()).reverse()

const localPortOf = async (card: Locator) => Number((await card.locator('.addr').textContent())!.match(/127\.0\.0\.1:(\d+) →/)![1])

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
    // The macros box (the one SendMacrosBox of every send form): {{COUNTER}} expands, and the counter goes on from send to send.
    await page.getByTestId('ssend-macros').check()
    for (const n of [1, 2]) {
      await page.getByTestId('ssend-payload').fill('n={{COUNTER}}')
      await page.getByTestId('ssend-send').click()
      await until(async () => (await out.count()) === 3 + n, `the panel's macro send #${n} in the conversation`)
      await expect(out.nth(2 + n).getByTestId('conv-body').textContent()).resolves.toBe(`n=${n}`)
    }
    await expect(page.getByTestId('ssend-counter').textContent()).resolves.toMatch(/3/)
    await page.getByTestId('ssend-payload').fill('{{NOPE}}')
    await expect(page.getByTestId('ssend-unknown-macros').textContent()).resolves.toMatch(/NOPE/)
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  // Threading on Linux: the connection's own thread blocks in recv(); the panel's message is written between its replies (owned-send.ts).
  it.skipIf(process.platform !== 'linux')('threading: the panel sends to one of two thread-served clients, only that one receives it, and its handler still answers (English)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await page.locator('[data-nav="network"]').click()
    await page.getByTestId('log-clear').click()
    const port = await startServer(page, 'threading')
    const a = await openClient(page, port, 0)
    const b = await openClient(page, port, 1)
    await until(async () => (await page.getByTestId('ssend-to').locator('option').count()) === 3, 'both connections in the target list')
    await expect(page.getByTestId('ssend-thread-note').textContent()).resolves.toMatch(/request\.sendall\(\).*at most 8192 bytes/)
    expect(await page.getByTestId('ssend-owned-note').count()).toBe(0)
    const option = page.getByTestId('ssend-to').locator('option').filter({ hasText: `:${await localPortOf(a)}` })
    await page.getByTestId('ssend-to').selectOption((await option.getAttribute('value'))!)
    await page.getByTestId('ssend-payload').fill('only for A')
    await page.getByTestId('ssend-send').click()
    await expect(page.getByTestId('ssend-result').textContent()).resolves.toMatch(/Sent 10 bytes to #\d+\./)
    await until(async () => (await receivedBy(a)).join('') === 'only for A', 'A to show the message')
    // The handler's thread still serves A afterwards; B got nothing from the panel.
    await a.getByTestId('tcpc-payload').fill('after')
    await a.getByTestId('tcpc-send').click()
    await until(async () => (await receivedBy(a)).join('') === 'only for AAFTER', 'A\'s handler to answer')
    await b.getByTestId('tcpc-payload').fill('b')
    await b.getByTestId('tcpc-send').click()
    await until(async () => (await receivedBy(b)).join('') === 'B', 'B\'s handler to answer')
    expect((await receivedBy(b)).join('')).toBe('B')
    const panelRows = page.getByTestId('event-log').locator('[data-testid="log-row"][data-by="panel"]')
    await until(async () => (await panelRows.count()) === 1, 'the panel\'s send in the log')
    await expect(panelRows.textContent()).resolves.toMatch(/sent 10 bytes \(from the server panel\)only for A/)
    await page.getByTestId('ssend').scrollIntoViewIfNeeded()
    await screenshot(page, 'server-send-threading-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('forking: the panel is refused with the reason (only the child sends, as in ForkingTCPServer), in Chinese', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', screen: 'small' })
    await page.locator('[data-nav="network"]').click()
    const port = await startServer(page, 'forking')
    const a = await openClient(page, port, 0)
    await until(async () => (await page.getByTestId('ssend-to').locator('option').count()) === 2, 'the connection in the target list')
    await expect(page.getByTestId('ssend-owned-note').textContent()).resolves.toMatch(/ForkingTCPServer/)
    await page.getByTestId('ssend-to').selectOption({ index: 1 })
    await page.getByTestId('ssend-send').click()
    const error = page.getByTestId('ssend-error')
    await error.waitFor()
    await expect(error.getAttribute('data-code')).resolves.toBe('ERR_OWNED_BY_HANDLER')
    await expect(error.textContent()).resolves.toMatch(/由它自己的子进程服务（forking 模式）/)
    await expect(page.getByTestId('ssend-hint').textContent()).resolves.toMatch(/ForkingTCPServer.*fork\(\)/)
    expect(await receivedBy(a)).toEqual([])
    await error.scrollIntoViewIfNeeded()
    await screenshot(page, 'server-send-forking-zh')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
