import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * UDP broadcast and multicast in Chromium (issue 14): two servers join one group on loopback and
 * one datagram from the UDP sender is answered by both; a broadcast to 127.255.255.255 without the
 * broadcast option is refused by the OS, explained, the option highlighted; with it, answered.
 */

async function startUdpServer(page: Page, opts: { group?: string; host?: string; port?: string; handler?: string }): Promise<void> {
  await page.getByTestId('server-proto-udp').click()
  const before = await page.getByTestId('server-item').count()
  await page.getByTestId('server-host').fill(opts.host ?? '127.0.0.1')
  await page.getByTestId('server-port').fill(opts.port ?? '0')
  await page.getByTestId('udp-group').fill(opts.group ?? '')
  if (opts.handler) await page.getByTestId('server-handler').selectOption(opts.handler)
  await page.getByTestId('server-start').click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="server-item"]').length > n, before)
}

const GROUP = '239.1.2.3'

describe.skipIf(!hasChromium)('UDP broadcast and multicast in Chromium (issue 14)', () => {
  const session = useBrowserSession()

  it('multicast: two servers join 239.1.2.3 on loopback, one datagram from the sender is answered by both (en)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await startUdpServer(page, { group: GROUP })
    const first = page.getByTestId('server-item').last()
    await expect(first.getByTestId('server-multicast').textContent()).resolves.toBe(`member of ${GROUP} on 127.0.0.1`)
    const addr = (await first.getByTestId('server-addr').textContent()) ?? ''
    const port = /:(\d+)/.exec(addr)![1]!
    expect(addr).toContain(GROUP)
    await startUdpServer(page, { group: GROUP, port, handler: 'reverse' })
    await page.getByTestId('client-kind-udp').click()
    // The sender follows the newest UDP server: the group and its port.
    await expect(page.getByTestId('udp-host').inputValue()).resolves.toBe(GROUP)
    await expect(page.getByTestId('udp-port').inputValue()).resolves.toBe(port)
    // A group as host opens the broadcast/multicast options with the interface, loopback by default.
    await expect(page.getByTestId('udp-mcast-if').inputValue()).resolves.toBe('127.0.0.1')
    await expect(page.getByTestId('udp-cast-hint').textContent()).resolves.toContain('only hosts that joined the group receive it')
    // The whole reply wait is waited (any number of members may answer): long enough for both on a busy machine.
    await page.getByTestId('udp-wait').fill('3000')
    await page.getByTestId('udp-payload').fill('abc')
    await page.getByTestId('udp-send').click()
    const run = page.getByTestId('udp-run').first()
    await run.getByTestId('udp-reply').nth(1).waitFor()
    const texts = (await run.getByTestId('udp-reply-text').allTextContents()).sort()
    expect(texts).toEqual(['ABC', 'cba'])
    await expect(run.getByTestId('udp-run-cast').textContent()).resolves.toContain('multicast via 127.0.0.1, TTL 1')
    await run.scrollIntoViewIfNeeded()
    await screenshot(page, 'network-udp-multicast-en')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
  })

  it('broadcast: refused by the OS without the option, explained and highlighted; answered with it (zh)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', screen: 'small' })
    await startUdpServer(page, { host: '127.255.255.255' })
    await page.getByTestId('client-kind-udp').click()
    await expect(page.getByTestId('udp-host').inputValue()).resolves.toBe('127.255.255.255')
    await page.getByTestId('udp-payload').fill('hello')
    await page.getByTestId('udp-send').click()
    const box = page.getByTestId('udp-broadcast')
    await page.locator('[data-testid="udp-broadcast"][aria-invalid="true"]').waitFor()
    // The options opened so the highlighted box is visible, and the error says why in Chinese.
    await expect(box.isVisible()).resolves.toBe(true)
    await expect(page.locator('body').textContent()).resolves.toContain('需要套接字的广播选项')
    await screenshot(page, 'network-udp-broadcast-refused-zh')
    await box.check()
    await page.getByTestId('udp-send').click()
    const run = page.getByTestId('udp-run').first()
    await run.getByTestId('udp-reply').first().waitFor()
    await expect(run.getByTestId('udp-reply-text').first().textContent()).resolves.toBe('HELLO')
    await expect(run.getByTestId('udp-run-cast').textContent()).resolves.toContain('广播')
    await run.scrollIntoViewIfNeeded()
    await screenshot(page, 'network-udp-broadcast-zh')
    await stopAll(page)
    expect(pageProblems(page)).toEqual([])
  })
})
