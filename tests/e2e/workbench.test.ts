import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

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

async function stopAll(page: Page): Promise<void> {
  for (const b of await page.getByTestId('tcpc-close').all()) await b.click()
  while ((await page.getByTestId('server-stop').count()) > 0) {
    const before = await page.getByTestId('server-stop').count()
    await page.getByTestId('server-stop').first().click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="server-stop"]').length < n, before)
  }
}

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
    expect(csvText.split('\r\n')[0]).toBe('seq,time,localTime,source,conn,direction,event,description,bytes,text,hex')
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
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
