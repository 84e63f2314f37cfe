import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

describe.skipIf(!hasChromium)('Network view in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('starts the TCP server from the UI, sends "hello" and shows "HELLO"', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await expect(page.getByTestId('server-empty').isVisible()).resolves.toBe(true)
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    const addr = await page.getByTestId('server-addr').textContent()
    expect(addr).toMatch(/listening on 127\.0\.0\.1:\d+/)
    await page.getByTestId('client-message').fill('hello')
    await page.getByTestId('client-send').click()
    await expect(page.getByTestId('reply').first().textContent()).resolves.toBe('HELLO')
    await page.getByTestId('event-log').getByText('received 5 bytes').first().waitFor()
    await page.getByText(/closed \(client finished\)/).first().waitFor()
    // Show the exchange itself: the reply card, with the event log beside it.
    await page.getByTestId('exchange').first().scrollIntoViewIfNeeded()
    await screenshot(page, 'network-en')
    expect(pageProblems(page)).toEqual([])
    await page.getByTestId('server-stop').click()
    await page.getByTestId('server-empty').waitFor()
    await page.context().close()
  })

  it('shows a port-in-use error with its code and a hint, in Chinese, and keeps working', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark' })
    await page.getByTestId('server-port').fill('0')
    await page.getByTestId('server-start').click()
    const addr = (await page.getByTestId('server-addr').textContent())!
    const port = addr.match(/:(\d+)/)![1]!
    await page.getByTestId('server-port').fill(port)
    await page.getByTestId('server-start').click()
    const notice = page.getByTestId('notice')
    await notice.waitFor()
    await expect(notice.textContent()).resolves.toMatch(/ERR_PORT_IN_USE/)
    await expect(notice.textContent()).resolves.toMatch(/已被占用/)
    await page.getByTestId('client-message').fill('hello 你好')
    await page.getByTestId('client-send').click()
    await expect(page.getByTestId('reply').first().textContent()).resolves.toBe('HELLO 你好')
    // Show the exchange itself: the reply card, with the event log beside it.
    await page.getByTestId('exchange').first().scrollIntoViewIfNeeded()
    await screenshot(page, 'network-zh-dark')
    await page.getByTestId('server-stop').click()
    await page.context().close()
  })

  it('switches language and theme from the keyboard, and remembers the language', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await page.getByTestId('lang-select').focus()
    await page.getByTestId('lang-select').selectOption('zh')
    await expect(page.locator('h1').first().textContent()).resolves.toBe('网络实验')
    await page.getByTestId('theme-dark').focus()
    await page.keyboard.press('Enter')
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark')
    await page.reload()
    await page.locator('h1').filter({ hasText: '网络实验' }).waitFor()
    await page.context().close()
  })
})
