import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * The workbench's viewing half (issue 14): the event log the engine keeps (it survives a reload),
 * its filters and exports, the conversation per connection with per-row decoding, and the counters.
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

async function sendFromClient(page: Page, index: number, text: string): Promise<void> {
  const card = page.getByTestId('tcpc-item').nth(index)
  await card.getByTestId('tcpc-payload').fill(text)
  await card.getByTestId('tcpc-send').click()
}

/** The log's rows as their text, newest first (only the rows on screen: the list is virtual). */
const logRows = (page: Page) => page.getByTestId('log-row').allTextContents()

describe.skipIf(!hasChromium)('the workbench in Chromium: log, conversation, counters (issue 14)', () => {
  const session = useBrowserSession()

  it('keeps the event log across a reload, filters it by direction, server, connection and text, and exports CSV (BOM) and JSON', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await page.getByTestId('log-clear').click()
    await page.getByTestId('log-empty').waitFor()
    await startTcpServer(page)
    await openTcpClient(page, 0)
    await sendFromClient(page, 0, 'hello 你好')
    await page.getByTestId('event-log').getByText('received 12 bytes').first().waitFor()
    await page.getByTestId('event-log').getByText('hello 你好').first().waitFor()
    // One send, one reply in the card: each event reached the page once (one connection to the engine).
    await page.getByTestId('tcpc-line').nth(1).waitFor()
    await expect(page.getByTestId('tcpc-line').count()).resolves.toBe(2)
    const before = await logRows(page)

    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    // Read back from the engine, not remembered by the page: the same rows, in the same order.
    await page.getByTestId('event-log').getByText('hello 你好').first().waitFor()
    await expect(logRows(page)).resolves.toEqual(before)
    await expect(page.getByTestId('log-hint').textContent()).resolves.toMatch(/still here after a reload/)
    // Milliseconds, in the learner's locale (24-hour).
    const time = (await page.getByTestId('log-time').first().textContent())!
    expect(time).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/)

    // Direction: only what was sent (the client's send and the server's reply).
    await page.getByTestId('log-direction').selectOption('out')
    const sent = await logRows(page)
    expect(sent.length).toBeGreaterThan(0)
    for (const r of sent) expect(r).toMatch(/^send/)
    // A server, then one of its connections.
    await page.getByTestId('log-direction').selectOption('')
    const serverId = (await page.getByTestId('log-source').locator('option').allTextContents()).find((o) => o.startsWith('server'))!.replace('server ', '')
    await page.getByTestId('log-source').selectOption(serverId)
    for (const r of await logRows(page)) expect(r).toContain(serverId)
    await page.getByTestId('log-conn').selectOption('#1')
    const conn = await logRows(page)
    expect(conn.some((r) => r.includes('#1 received 12 bytes'))).toBe(true)
    expect(conn.some((r) => r.includes('listening'))).toBe(false)
    // Text, on top: nothing matches, and the empty state says how to get everything back.
    await page.getByTestId('log-filter').fill('no such text')
    await page.getByTestId('log-clear-filters').click()
    await expect(page.getByTestId('log-conn').inputValue()).resolves.toBe('')
    await page.getByTestId('log-filter').fill('你好')
    await page.getByTestId('log-row').first().waitFor()
    for (const r of await logRows(page)) expect(r).toContain('你好')

    const csvDownload = page.waitForEvent('download')
    await page.getByTestId('log-csv').click()
    const csv = await csvDownload
    expect(csv.suggestedFilename()).toMatch(/^lab-events-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/)
    const csvBytes = readFileSync((await csv.path())!)
    // The UTF-8 byte-order mark first: Excel on Windows reads the Chinese right only with it.
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const csvText = csvBytes.subarray(3).toString('utf8')
    expect(csvText.split('\r\n')[0]).toBe('seq,time,localTime,source,conn,direction,event,by,description,bytes,text,hex')
    expect(csvText).toContain('hello 你好')

    const jsonDownload = page.waitForEvent('download')
    await page.getByTestId('log-json').click()
    const json = await jsonDownload
    expect(json.suggestedFilename()).toMatch(/^lab-events-.*\.json$/)
    const data = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { dropped: number; filter: { text: string }; events: { hex?: string }[] }
    expect(data.filter.text).toBe('你好')
    expect(data.dropped).toBe(0)
    expect(data.events.length).toBe((await logRows(page)).length)
    expect(data.events.every((e) => Buffer.from(e.hex ?? '', 'hex').toString('utf8').includes('你好'))).toBe(true)
    await page.getByTestId('log-filter').fill('')
    await page.getByTestId('event-log').scrollIntoViewIfNeeded()
    await screenshot(page, 'workbench-log-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows a GBK datagram as 你好 after its row is switched to GBK (the bytes are kept, the view decodes)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await page.getByTestId('server-proto-udp').click()
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    await page.getByTestId('udp-stats').waitFor()
    await page.getByTestId('client-kind-udp').click()
    await page.getByTestId('udp-encoding').selectOption('gbk')
    await page.getByTestId('udp-payload').fill('你好')
    await page.getByTestId('udp-send').click()
    await page.getByTestId('udp-reply').first().waitFor()
    await page.getByTestId('conv-open-peer').first().click()
    const conv = page.getByTestId('conversation')
    await conv.waitFor()
    // Focus goes to the conversation, so a keyboard learner is where it opened.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('conv-title')
    const row = conv.getByTestId('conv-row').first()
    await expect(row.getAttribute('data-dir')).resolves.toBe('in')
    // Read as UTF-8 (the server's text), GBK's four bytes are not 你好.
    await expect(row.getByTestId('conv-body').textContent()).resolves.not.toContain('你好')
    await row.getByTestId('conv-row-view').selectOption('gbk')
    await expect(row.getByTestId('conv-body').textContent()).resolves.toBe('你好')
    await row.getByTestId('conv-row-view').selectOption('hex')
    await expect(row.getByTestId('conv-body').textContent()).resolves.toBe('c4 e3 ba c3')
    await row.getByTestId('conv-row-view').selectOption('gbk')
    // The server's reply carries its bytes too: the same GBK bytes (upper() leaves them), read as GBK, marked as the handler's.
    const reply = conv.locator('[data-testid="conv-row"][data-dir="out"]').first()
    await reply.waitFor()
    await expect(reply.getAttribute('data-by')).resolves.toBe('handler')
    await reply.getByTestId('conv-row-view').selectOption('gbk')
    await expect(reply.getByTestId('conv-body').textContent()).resolves.toBe('你好')
    await expect(reply.getByTestId('conv-size-only').count()).resolves.toBe(0)
    await expect(conv.getByTestId('conv-counters').getByTestId('counter-in').textContent()).resolves.toMatch(/4 B · 1 datagram/)
    await conv.scrollIntoViewIfNeeded()
    await screenshot(page, 'workbench-conversation-gbk-en')
    // Escape closes it, and focus returns to the address that opened it.
    await page.keyboard.press('Escape')
    await conv.waitFor({ state: 'detached' })
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('conv-open-peer')
    // The event log reads the same kept bytes: as UTF-8 (the server's text) by default, as GBK on request.
    const logged = page.locator('[data-testid="log-row"].ev-datagram').first()
    await logged.scrollIntoViewIfNeeded()
    await expect(logged.locator('.log-data').textContent()).resolves.not.toContain('你好')
    await page.getByTestId('log-bytes-as').selectOption('gbk')
    await expect(logged.locator('.log-data').textContent()).resolves.toContain('你好')
    await page.getByTestId('log-bytes-as').selectOption('hex')
    await expect(logged.locator('.log-data').textContent()).resolves.toContain('c4 e3 ba c3')
    await screenshot(page, 'workbench-log-gbk-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows a TCP connection from both ends as a conversation, switches and copies rows, and counts and resets', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(session.url).origin })
    await startTcpServer(page)
    await openTcpClient(page, 0)
    await openTcpClient(page, 1)
    await sendFromClient(page, 1, 'hello 你好')
    await page.getByTestId('tcpc-item').nth(1).getByTestId('tcpc-line').nth(1).waitFor()

    // The client's side: what it sent, then what came back.
    await page.getByTestId('tcpc-item').nth(1).getByTestId('conv-open-client').click()
    const conv = page.getByTestId('conversation')
    await conv.getByTestId('conv-row').nth(1).waitFor()
    await expect(conv.getByTestId('conv-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dir')))).resolves.toEqual(['out', 'in'])
    await expect(conv.getByTestId('conv-body').allTextContents()).resolves.toEqual(['hello 你好', 'HELLO 你好'])
    await expect(conv.getByTestId('conv-time').first().textContent()).resolves.toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/)
    await conv.getByTestId('conv-row').nth(1).getByTestId('conv-row-view').selectOption('hex')
    await expect(conv.getByTestId('conv-body').nth(1).textContent()).resolves.toBe('48 45 4c 4c 4f 20 e4 bd a0 e5 a5 bd')
    await expect(conv.getByTestId('conv-body').first().textContent()).resolves.toBe('hello 你好')
    await conv.getByTestId('conv-row').first().getByTestId('conv-copy-hex').click()
    await conv.getByTestId('conv-status').filter({ hasText: 'Copied' }).waitFor()
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('68 65 6c 6c 6f 20 e4 bd a0 e5 a5 bd')
    await conv.getByTestId('conv-row').nth(1).getByTestId('conv-copy-text').click()
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'HELLO 你好')
    // "All rows" sets every row's view at once.
    await conv.getByTestId('conv-view-all').selectOption('utf16le')
    await expect(conv.getByTestId('conv-row-view').evaluateAll((s) => s.map((x) => (x as HTMLSelectElement).value))).resolves.toEqual(['utf16le', 'utf16le'])
    await conv.getByTestId('conv-view-all').selectOption('text')
    await expect(conv.getByTestId('conv-counters').getByTestId('counter-out').textContent()).resolves.toMatch(/12 B · 1 send/)

    // The server's side of the same connection: the second connection, not the first (that client sent nothing).
    await page.getByTestId('conv-open-conn').nth(1).click()
    await expect(conv.getByTestId('conv-who').textContent()).resolves.toMatch(/^Connection #2 of server/)
    await conv.locator('[data-testid="conv-row"][data-dir="in"]').first().waitFor()
    await expect(conv.locator('[data-testid="conv-row"][data-dir="in"]').getByTestId('conv-body').allTextContents()).resolves.toEqual(['hello 你好'])
    // The handler's reply, with its bytes (issue 14: not by size only), marked as the handler's.
    const reply = conv.locator('[data-testid="conv-row"][data-dir="out"]').first()
    await expect(reply.getByTestId('conv-body').textContent()).resolves.toBe('HELLO 你好')
    await reply.getByTestId('conv-by-handler').waitFor()
    await expect(conv.getByTestId('conv-state').first().textContent()).resolves.toMatch(/#2 connected from 127\.0\.0\.1:\d+/)
    await page.getByTestId('conv-open-conn').nth(0).click()
    await expect(conv.getByTestId('conv-row').count()).resolves.toBe(0)

    // Counters per server and per connection, and their reset.
    const server = page.getByTestId('server-counters')
    await server.getByTestId('counter-in').filter({ hasText: /^In 12 B · 1 read/ }).waitFor()
    await server.getByTestId('counter-out').filter({ hasText: /^Out 12 B · 1 send/ }).waitFor()
    await expect(server.getByTestId('counter-last').textContent()).resolves.toMatch(/last activity \d{2}:\d{2}:\d{2}\.\d{3} \(\d+\.\d s ago\)/)
    await page.getByTestId('conv-open-conn').nth(1).click()
    await conv.getByTestId('conv-counters').getByTestId('counter-in').filter({ hasText: /^In 12 B/ }).waitFor()
    await conv.getByTestId('counters-reset').click()
    await conv.getByTestId('conv-counters').getByTestId('counter-in').filter({ hasText: /^In 0 B · 0 reads/ }).waitFor()
    await expect(conv.getByTestId('conv-counters').getByTestId('counter-last').textContent()).resolves.toBe('no traffic yet')
    // The server's own total is its own: a connection's reset leaves it.
    await expect(server.getByTestId('counter-in').textContent()).resolves.toMatch(/^In 12 B/)
    await server.getByTestId('counters-reset').click()
    await server.getByTestId('counter-in').filter({ hasText: /^In 0 B/ }).waitFor()
    await conv.scrollIntoViewIfNeeded()
    await screenshot(page, 'workbench-conversation-tcp-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows the log in Chinese, in the dark theme, with its empty state', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await page.getByTestId('log-clear').click()
    await expect(page.getByTestId('log-empty').textContent()).resolves.toMatch(/先启动一个服务器/)
    await startTcpServer(page)
    await openTcpClient(page, 0)
    await sendFromClient(page, 0, '你好')
    await page.getByTestId('event-log').getByText('收到 6 字节').first().waitFor()
    await page.getByTestId('log-direction').selectOption('in')
    await expect(page.getByTestId('log-direction').locator('option:checked').textContent()).resolves.toBe('收到')
    await page.getByTestId('event-log').scrollIntoViewIfNeeded()
    await screenshot(page, 'workbench-log-zh-dark')
    await page.getByTestId('conv-open-client').click()
    const conv = page.getByTestId('conversation')
    await conv.getByTestId('conv-row').nth(1).waitFor()
    await expect(conv.getByTestId('conv-body').allTextContents()).resolves.toEqual(['你好', '你好'])
    await expect(conv.getByTestId('conv-row').first().textContent()).resolves.toMatch(/→ 发往 127\.0\.0\.1:\d+.*6 字节/)
    await conv.getByTestId('conv-counters').getByTestId('counter-out').filter({ hasText: /^发 6 字节 · 1 次发送/ }).waitFor()
    await conv.getByTestId('conv-row').first().getByTestId('conv-row-view').selectOption('hex')
    await expect(conv.getByTestId('conv-row-view').first().locator('option:checked').textContent()).resolves.toBe('十六进制')
    await conv.scrollIntoViewIfNeeded()
    await screenshot(page, 'workbench-conversation-zh-dark')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
