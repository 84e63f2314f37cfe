import dgram from 'node:dgram'
import { readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/** Waits for a condition in the page, polling (never a fixed sleep). */
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function startServer(page: Page, mode: 'async' | 'serial' = 'async'): Promise<number> {
  await page.getByTestId(`server-mode-${mode}`).check()
  await page.getByTestId('server-port').fill('0')
  await page.getByTestId('server-start').click()
  const addr = (await page.getByTestId('server-addr').first().textContent())!
  return Number(addr.match(/:(\d+)/)![1])
}

/** Opens a persistent TCP client to `port`; resolves its card and its local port. */
async function openClient(page: Page, port: number, n: number): Promise<{ card: Locator; local: number }> {
  await page.getByTestId('client-kind-tcp').click()
  await page.getByTestId('tcpc-port').fill(String(port))
  await page.getByTestId('tcpc-open').click()
  const card = page.getByTestId('tcpc-item').nth(n)
  await card.locator('.addr').filter({ hasText: /127\.0\.0\.1:\d+ →/ }).waitFor()
  const local = Number((await card.locator('.addr').textContent())!.match(/127\.0\.0\.1:(\d+) →/)![1])
  return { card, local }
}

/** The texts a client card shows as received, oldest first. */
const receivedBy = async (card: Locator) => (await card.locator('tr.dir-received [data-testid="tcpc-text"]').allTextContents()).reverse()

/** Chooses the option of the send form's target list that names this client's port. */
async function chooseTarget(page: Page, local: number): Promise<string> {
  const option = page.getByTestId('ssend-to').locator('option').filter({ hasText: `:${local}` })
  const value = (await option.getAttribute('value'))!
  await page.getByTestId('ssend-to').selectOption(value)
  return value
}

describe.skipIf(!hasChromium)('The workbench\'s sending half in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('the server panel sends to one of two connected clients and only that one receives it; then to all; serial mode shows why a waiting one cannot', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await page.locator('[data-nav="network"]').click()
    const port = await startServer(page)
    await page.getByTestId('ssend-none').waitFor()
    const a = await openClient(page, port, 0)
    const b = await openClient(page, port, 1)
    await until(async () => (await page.getByTestId('ssend-to').locator('option').count()) === 3, 'both connections in the target list')

    await chooseTarget(page, a.local)
    await page.getByTestId('ssend-payload').fill('only for A')
    await page.getByTestId('ssend-send').click()
    await expect(page.getByTestId('ssend-result').textContent()).resolves.toMatch(/Sent 10 bytes to #\d+\./)
    await until(async () => (await receivedBy(a.card)).join('') === 'only for A', 'A to show the message')

    await page.getByTestId('ssend-to').selectOption('all')
    await page.getByTestId('ssend-payload').fill('to all')
    await page.getByTestId('ssend-send').click()
    await until(async () => (await receivedBy(b.card)).length > 0 && (await receivedBy(a.card)).join('').endsWith('to all'), 'both to show the message to all')
    // B's first and only bytes are the message to all: the one for A never reached it.
    expect((await receivedBy(b.card)).join('')).toBe('to all')
    await page.getByTestId('ssend').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-server-send-en')
    expect(pageProblems(page)).toEqual([])

    // Serial: the second client waits in the queue; choosing it shows the engine's coded reason and hint.
    // Every card gone before the next ones open: the serial half's clients are found by their place in the list.
    await stopAll(page)
    await page.getByTestId('server-empty').waitFor()
    const serial = await startServer(page, 'serial')
    await openClient(page, serial, 0)
    const waiting = await openClient(page, serial, 1)
    await page.getByTestId('serial-queue').waitFor()
    await chooseTarget(page, waiting.local)
    await page.getByTestId('ssend-send').click()
    const error = page.getByTestId('ssend-error')
    await error.waitFor()
    await expect(error.getAttribute('data-code')).resolves.toBe('ERR_SERVER_BUSY')
    await expect(error.textContent()).resolves.toMatch(/waits in its queue \(position 1\)/)
    await expect(page.getByTestId('ssend-hint').textContent()).resolves.toMatch(/serves one connection at a time/)
    expect(await receivedBy(waiting.card)).toEqual([])
    await error.scrollIntoViewIfNeeded()
    await screenshot(page, 'network-server-send-serial-en')
    await stopAll(page)
    await page.context().close()
  })

  it('in Chinese, dark, 1024×700, by keyboard: the served connection takes a GBK message; the one-shot client\'s reply timeout is a setting', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await page.locator('[data-nav="network"]').click()
    const port = await startServer(page, 'serial')
    const a = await openClient(page, port, 0)
    const select = page.getByTestId('ssend-to')
    await until(async () => (await select.locator('option').count()) === 2, 'the connection in the list')
    await select.focus()
    await page.keyboard.press('ArrowDown')
    await expect(select.inputValue()).resolves.not.toBe('all')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('你好')
    await page.getByTestId('ssend-encoding').selectOption('gbk')
    await page.getByTestId('ssend-payload').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('ssend-result').textContent()).resolves.toMatch(/已向 #\d+ 发送 4 字节/)
    // The client decodes UTF-8, so the GBK bytes c4e3bac3 arrive as they are: the hex shows them.
    await until(async () => (await a.card.locator('tr.dir-received [data-testid="tcpc-hexcell"]').allTextContents()).join(' ').includes('c4 e3 ba c3'), 'the GBK bytes')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.getByTestId('ssend').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-server-send-zh-dark')

    // A server that accepts and never answers: the reply timeout typed here is the one the engine waits.
    const silent = net.createServer((s) => s.resume())
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise((r) => silent.close(r)))
    await page.getByTestId('client-kind-once').click()
    await page.getByTestId('client-port').fill(String((silent.address() as net.AddressInfo).port))
    await page.getByTestId('client-reply-timeout').fill('300')
    await page.getByTestId('client-connect-timeout').fill('60000')
    await page.getByTestId('client-message').fill('hi')
    await page.getByTestId('client-send').click()
    const notice = page.getByTestId('notice')
    await notice.waitFor()
    await expect(notice.textContent()).resolves.toMatch(/ERR_NO_REPLY/)
    // The Chinese headline carries the server and the reply timeout the learner chose (the engine's English detail is folded away).
    await expect(notice.textContent()).resolves.toMatch(/接受了连接，但在 300 毫秒内没有回复/)
    await page.getByTestId('notice-dismiss').click()
    await page.getByTestId('client-kind-tcp').click()
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('a saved payload with {{COUNTER}} sent three times arrives as 1, 2, 3; saved messages export, import (checked) and outlive a reload', async () => {
    // The test's own UDP server, echoing, and a TCP one that collects lines.
    const udp = dgram.createSocket('udp4')
    const datagrams: string[] = []
    udp.on('message', (m, r) => {
      datagrams.push(m.toString())
      udp.send(m, r.port, r.address)
    })
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())))
    let tcpText = ''
    const accepted = new Set<net.Socket>()
    const tcp = net.createServer((s) => accepted.add(s.on('data', (c: Buffer) => (tcpText += c.toString())).on('error', () => {})))
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()))
    // The lab's persistent client stays open: its connection is cut here, so the server can close.
    cleanups.push(() => new Promise((r) => (accepted.forEach((s) => s.destroy()), tcp.close(r))))

    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await page.locator('[data-nav="network"]').click()
    await page.getByTestId('client-kind-saved').click()
    await page.getByTestId('saved-empty').waitFor()

    const create = async (fields: { name: string; group: string; proto: 'tcp' | 'udp'; port: number; payload: string; repeat?: number; frame?: string }) => {
      await page.getByTestId('saved-new').click()
      await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('saved-name')
      await page.getByTestId('saved-name').fill(fields.name)
      await page.getByTestId('saved-group').fill(fields.group)
      await page.getByTestId(`saved-proto-${fields.proto}`).click()
      await page.getByTestId('saved-port').fill(String(fields.port))
      await page.getByTestId('saved-payload').fill(fields.payload)
      if (fields.frame) await page.getByTestId('saved-frame').selectOption(fields.frame)
      await page.getByTestId('saved-repeat').fill(String(fields.repeat ?? 1))
      await page.getByTestId('saved-save').click()
      await page.locator(`[data-testid="saved-item"][data-name="${fields.name}"]`).waitFor()
    }
    await create({ name: 'count', group: 'demo', proto: 'udp', port: udp.address().port, payload: 'n={{COUNTER}}' })
    const item = page.locator('[data-testid="saved-item"][data-name="count"]')
    for (let i = 1; i <= 3; i++) {
      await item.getByTestId('saved-send').click()
      await until(async () => datagrams.length === i, `datagram ${i}`)
      await until(async () => (await item.getByTestId('saved-counter').textContent())!.includes(String(i + 1)), `the counter to show ${i + 1}`)
    }
    expect(datagrams).toEqual(['n=1', 'n=2', 'n=3'])
    await expect(item.getByTestId('saved-outcome').textContent()).resolves.toMatch(/Sent 1 datagram; 1 reply came back\. first: n=3/)

    // The engine keeps where the counter goes on: after a reload it continues at 4; reset starts it at 1 again.
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await page.locator('[data-nav="network"]').click()
    await page.getByTestId('client-kind-saved').click()
    await until(async () => (await item.getByTestId('saved-counter').count()) === 1 && (await item.getByTestId('saved-counter').textContent())!.includes('4'), 'the counter at 4 after a reload')
    await item.getByTestId('saved-send').click()
    await until(async () => datagrams.length === 4, 'datagram 4')
    await item.getByTestId('saved-reset').click()
    await until(async () => (await item.getByTestId('saved-counter').textContent())!.includes(': 1'), 'the counter reset to 1')
    await item.getByTestId('saved-send').click()
    await until(async () => datagrams.length === 5, 'datagram 5')
    expect(datagrams).toEqual(['n=1', 'n=2', 'n=3', 'n=4', 'n=1'])

    // A TCP one, repeated 3 times in one send through a persistent client, line-framed.
    await create({ name: 'lines', group: 'tcp', proto: 'tcp', port: (tcp.address() as net.AddressInfo).port, payload: 't={{COUNTER}} {{DATE}}', repeat: 3, frame: 'line' })
    await page.locator('[data-testid="saved-item"][data-name="lines"]').getByTestId('saved-send').click()
    await until(() => tcpText.split('\n').length === 4, 'three lines')
    expect(tcpText.split('\n').slice(0, 3).map((l) => l.replace(/ \d{4}-\d{2}-\d{2}$/, ''))).toEqual(['t=1', 't=2', 't=3'])
    await expect(page.locator('[data-testid="saved-item"][data-name="lines"] [data-testid="saved-outcome"]').textContent()).resolves.toMatch(/Sent 3 times through c-\d+: its replies are under TCP clients/)
    await expect(page.getByTestId('saved-group-name').allTextContents()).resolves.toEqual(['demo', 'tcp'])
    await screenshot(page, 'network-saved-en')

    // Export, delete all, import the file back.
    const download = page.waitForEvent('download')
    await page.getByTestId('saved-export').click()
    const file = path.join(os.tmpdir(), `saved-${process.pid}.json`)
    await (await download).saveAs(file)
    cleanups.push(() => import('node:fs').then((fs) => fs.rmSync(file, { force: true })))
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; messages: { name: string; payload: string }[] }
    expect(exported.format).toBe('socket-process-lab/saved-messages')
    expect(exported.messages.map((m) => m.name)).toEqual(['count', 'lines'])
    for (let n = 2; n > 0; n--) {
      await page.getByTestId('saved-remove').first().click()
      await until(async () => (await page.getByTestId('saved-item').count()) === n - 1, 'the delete')
    }
    await page.getByTestId('saved-empty').waitFor()
    await page.getByTestId('saved-import-file').setInputFiles(file)
    await expect(page.getByTestId('saved-imported').textContent()).resolves.toMatch(/Imported 2 messages/)
    await expect(page.getByTestId('saved-item').count()).resolves.toBe(2)

    // A damaged file is refused before anything is saved, naming the field.
    const bad = path.join(os.tmpdir(), `saved-bad-${process.pid}.json`)
    writeFileSync(bad, JSON.stringify({ ...exported, messages: [{ ...exported.messages[0], port: 70000 }] }))
    cleanups.push(() => import('node:fs').then((fs) => fs.rmSync(bad, { force: true })))
    await page.getByTestId('saved-import-file').setInputFiles(bad)
    await expect(page.getByTestId('saved-import-error').textContent()).resolves.toMatch(/messages\[0\]\.port/)
    await expect(page.getByTestId('saved-item').count()).resolves.toBe(2)

    // Kept by the engine in the data folder: a reload lists them again.
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await page.locator('[data-nav="network"]').click()
    await page.getByTestId('client-kind-saved').click()
    await until(async () => (await page.getByTestId('saved-item').count()) === 2, 'the saved messages after a reload')
    await expect(page.getByTestId('saved-file').textContent()).resolves.toMatch(/saved-messages\.jsonl/)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()

    // Chinese, dark, small screen: the editor reached by keyboard, Escape closes it.
    const zh = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await zh.locator('[data-nav="network"]').click()
    await zh.getByTestId('client-kind-saved').click()
    await until(async () => (await zh.getByTestId('saved-item').count()) === 2, 'the list')
    await zh.getByTestId('saved-new').focus()
    await zh.keyboard.press('Enter')
    await zh.getByTestId('saved-editor').waitFor()
    await zh.keyboard.type('{{COUNT}}')
    await zh.getByTestId('saved-payload').fill('x={{COUNT}}')
    await expect(zh.getByTestId('saved-unknown-macros').textContent()).resolves.toMatch(/不是宏/)
    const overflow = await zh.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await zh.getByTestId('saved-editor').scrollIntoViewIfNeeded()
    await screenshot(zh, 'network-saved-zh-dark')
    await zh.getByTestId('saved-payload').press('Escape')
    await expect(zh.getByTestId('saved-editor').count()).resolves.toBe(0)
    await expect(zh.getByTestId('saved-group-name').allTextContents()).resolves.toEqual(['demo', 'tcp'])
    expect(pageProblems(zh)).toEqual([])
    await zh.context().close()
  })
})
