import dgram from 'node:dgram'
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * The UDP server's send from the server panel (issue 14), clicked in Chromium: two real UDP
 * clients of the test's own write to a lab server, the panel lists them as recent peers (with their
 * counters), and a datagram sent to one reaches that one only, marked "from the panel".
 */

const sockets: dgram.Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

async function client(): Promise<{ port: number; got: string[]; send: (text: string, to: number) => void; next: (n: number) => Promise<void> }> {
  const socket = dgram.createSocket('udp4')
  sockets.push(socket)
  const got: string[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (m) => {
    got.push(m.toString('utf8'))
    for (const w of waiters.splice(0)) w()
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const next = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (got.length >= n ? resolve() : waiters.push(check))
      check()
    })
  return { port: socket.address().port, got, send: (text, to) => socket.send(text, to, '127.0.0.1'), next }
}

/** Starts a UDP server on a free port from the panel; its port. */
async function startUdpServer(page: Page): Promise<number> {
  await page.getByTestId('server-proto-udp').click()
  await page.getByTestId('server-port').fill('0')
  await page.getByTestId('server-start').click()
  const item = page.getByTestId('server-item').last()
  await item.waitFor()
  return Number(/:(\d+)/.exec((await item.getByTestId('server-addr').textContent()) ?? '')![1])
}

describe.skipIf(!hasChromium)('UDP server send from the panel in Chromium (issue 14)', () => {
  const session = useBrowserSession()

  it('sends to the one chosen recent peer only, then to all, marked as the panel’s (en, 1024×700)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    const port = await startUdpServer(page)
    await page.getByTestId('usend-none').waitFor()
    await expect(page.getByTestId('usend-send').isDisabled()).resolves.toBe(true)
    const a = await client()
    const b = await client()
    a.send('hi a', port)
    await a.next(1)
    b.send('hi b', port)
    await b.next(1)
    await page.getByTestId('peer-row').nth(1).waitFor()
    // Newest first, with the engine's counters on each row.
    await expect(page.getByTestId('peer-open').allTextContents()).resolves.toEqual([`127.0.0.1:${b.port}`, `127.0.0.1:${a.port}`].map((t) => expect.stringContaining(t)))
    await page.getByTestId('peer-row').nth(1).getByTestId('cc-in').filter({ hasText: /^4 B\s*1 datagram$/ }).waitFor()

    await page.getByTestId('usend-to').selectOption(`127.0.0.1:${a.port}`)
    await page.getByTestId('usend-payload').fill('only for A')
    await page.getByTestId('usend-send').click()
    await a.next(2)
    expect(a.got[1]).toBe('only for A')
    await expect(page.getByTestId('usend-result').textContent()).resolves.toContain(`Sent 10 bytes to 127.0.0.1:${a.port}.`)
    // B's next datagram is the one sent to all after it: "only for A" never reached B.
    await page.getByTestId('usend-to').selectOption('all')
    await page.getByTestId('usend-payload').fill('to all')
    await page.getByTestId('usend-send').click()
    await a.next(3)
    await b.next(2)
    expect(b.got).toEqual(['HI B', 'to all'])
    expect(a.got[2]).toBe('to all')
    // A's row counts the panel's two datagrams besides the handler's reply.
    await page.getByTestId('peer-row').nth(1).getByTestId('cc-out').filter({ hasText: /^20 B\s*3 sends$/ }).waitFor()

    // The conversation with A shows the panel's datagram as the panel's, not the handler's reply.
    await page.getByTestId('peer-open').nth(1).click()
    const conv = page.getByTestId('conversation')
    await conv.locator('[data-testid="conv-row"][data-by="panel"]').nth(1).waitFor()
    await expect(conv.locator('[data-testid="conv-row"][data-by="panel"]').getByTestId('conv-body').allTextContents()).resolves.toEqual(expect.arrayContaining(['only for A', 'to all']))
    await page.getByTestId('event-log').getByText(`sent 10 bytes to 127.0.0.1:${a.port} (from the server panel)`).first().waitFor()
    await page.getByTestId('usend').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-udp-server-send-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows the send form, the peers and a refusal in Chinese, in the dark theme', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    const port = await startUdpServer(page)
    await expect(page.getByTestId('usend-none').textContent()).resolves.toMatch(/还没有谁给这个服务器发过数据报/)
    const a = await client()
    a.send('你好', port)
    await a.next(1)
    await page.getByTestId('peer-row').first().getByTestId('cc-in').filter({ hasText: /^6 字节\s*1 个数据报$/ }).waitFor()
    await expect(page.getByTestId('usend-to').locator('option').allTextContents()).resolves.toEqual(['所有最近的对端（1 个）', `127.0.0.1:${a.port} · 1 个数据报`])
    await page.getByTestId('usend-encoding').selectOption('gbk')
    await page.getByTestId('usend-payload').fill('你好')
    await page.getByTestId('usend-send').click()
    await a.next(2)
    await expect(page.getByTestId('usend-result').textContent()).resolves.toContain(`已向 127.0.0.1:${a.port} 发送 4 字节。`)
    // A payload too big for one datagram: refused with its code, in Chinese.
    await page.getByTestId('usend-hex').check()
    await page.getByTestId('usend-payload').fill('ff'.repeat(65_508))
    await page.getByTestId('usend-send').click()
    await expect(page.getByTestId('usend-error').getAttribute('data-code')).resolves.toBe('ERR_DATAGRAM_TOO_LARGE')
    await page.getByTestId('usend-payload').fill('c4e3')
    await page.getByTestId('usend').scrollIntoViewIfNeeded()
    await screenshot(page, 'network-udp-server-send-zh-dark')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
