import dgram from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabProcess } from '../helpers/cli'
import { LAST_SESSION_FILE, LAST_SESSION_FORMAT, LAST_SESSION_VERSION } from '../../shared/contract'
import { callLab, hasChromium, launchChromium, openLab, pageProblems, screenshot, startBrowserMode } from '../helpers/browser'

/** Waits for a condition in the page, polling (never a fixed sleep). */
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Issue 14: the last servers and clients, restored on request after a restart of the lab. */
describe.skipIf(!hasChromium)('Restore last session after a restart', () => {
  let browser: Browser
  let lab: LabProcess | null = null
  let dataDir: string
  const squatter = dgram.createSocket('udp4')

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lab-restore-'))
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await lab?.stop()
    await new Promise<void>((r) => squatter.close(() => r()))
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('offers "2 servers, 1 client", restores what it can, names the port taken meanwhile; in Chinese too, dismissed by keyboard', async () => {
    const first = await startBrowserMode({ dataDir })
    lab = first.lab
    const tcp = (await callLab(first.url, 'net.tcpServer.start', { port: 0, mode: 'serial', handler: 'upper', frame: 'line' })) as { port: number }
    const udp = (await callLab(first.url, 'net.udpServer.start', { port: 0, handler: 'echo' })) as { port: number }
    await callLab(first.url, 'net.tcpClient.open', { host: '127.0.0.1', port: tcp.port, frame: 'line' })
    // Nothing is offered to the run that started them.
    const page0 = await openLab(browser, first.url, { lang: 'en' })
    await page0.locator('[data-nav="network"]').click()
    await page0.getByTestId('server-start').waitFor()
    await expect(page0.getByTestId('restore-offer').count()).resolves.toBe(0)
    await page0.context().close()
    await lab.stop()

    // Another program took the UDP server's port while the lab was down.
    await new Promise<void>((r) => squatter.bind(udp.port, '127.0.0.1', () => r()))
    const second = await startBrowserMode({ dataDir })
    lab = second.lab
    const page = await openLab(browser, second.url, { lang: 'en' })
    await page.locator('[data-nav="network"]').click()
    const offer = page.getByTestId('restore-offer')
    await offer.waitFor()
    await expect(offer.textContent()).resolves.toBe('Restore last session: 2 servers, 1 client')
    await expect(page.getByTestId('restore-items').textContent()).resolves.toContain(`TCP 127.0.0.1:${tcp.port} · Serial`)
    await screenshot(page, 'network-restore-offer-en')
    await page.getByTestId('restore-go').click()
    const result = page.getByTestId('restore-result')
    await result.waitFor()
    await expect(result.textContent()).resolves.toContain('Restored: 2 started, 1 could not start.')
    const failed = page.getByTestId('restore-failed')
    await expect(failed.count()).resolves.toBe(1)
    await expect(failed.textContent()).resolves.toMatch(new RegExp(`UDP 127\\.0\\.0\\.1:${udp.port}.*ERR_PORT_IN_USE`))
    // The TCP server runs again on its port, with its mode, and the client is connected to it.
    await until(async () => (await page.getByTestId('server-addr').allTextContents()).some((t) => t.includes(`:${tcp.port}`)), 'the restored server in the panel')
    await page.getByTestId('client-kind-tcp').click()
    await until(async () => (await page.getByTestId('tcpc-item').count()) === 1, 'the restored client card')
    await expect(page.getByTestId('restore-offer').count()).resolves.toBe(0)
    await result.scrollIntoViewIfNeeded()
    await screenshot(page, 'network-restore-result-en')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
    await lab.stop()

    // Chinese, dark, 1024×700: what the second run had running (1 server, 1 client) is offered; "Not now" by keyboard.
    const third = await startBrowserMode({ dataDir })
    lab = third.lab
    const zh = await openLab(browser, third.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await zh.locator('[data-nav="network"]').click()
    await zh.getByTestId('restore-offer').waitFor()
    await expect(zh.getByTestId('restore-offer').textContent()).resolves.toBe('恢复上次的会话：1 个服务器，1 个客户端')
    await expect(zh.getByTestId('restore-items').textContent()).resolves.toContain('· 串行')
    const overflow = await zh.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await screenshot(zh, 'network-restore-offer-zh-dark')
    await zh.getByTestId('restore-dismiss').focus()
    await zh.keyboard.press('Enter')
    await until(async () => (await zh.getByTestId('restore-session').count()) === 0, 'the offer to go')
    // Dismissed in the engine: a reload does not offer it again.
    await zh.reload()
    await zh.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await zh.locator('[data-nav="network"]').click()
    await zh.getByTestId('server-start').waitFor()
    await expect(zh.getByTestId('restore-offer').count()).resolves.toBe(0)
    expect(pageProblems(zh)).toEqual([])
    await zh.context().close()
  })

  /** The UDP sender's form as the learner sees it. */
  const udpForm = (page: Page) =>
    page.evaluate(() => {
      const v = (id: string) => (document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | HTMLSelectElement).value
      return { host: v('udp-host'), port: v('udp-port'), payload: v('udp-payload'), encoding: v('udp-encoding'), repeat: v('udp-repeat'), gap: v('udp-gap'), wait: v('udp-wait') }
    })

  it('h3: the UDP sender’s set-up comes back on request (target, payload, encoding, repeat …) without sending; in Chinese too; a damaged one is reported', async () => {
    const udpDir = mkdtempSync(path.join(tmpdir(), 'lab-restore-udp-'))
    // The target is a UDP socket of the test's own, so every datagram the lab sends it is counted.
    const target = dgram.createSocket('udp4')
    const got: string[] = []
    target.on('message', (m) => got.push(m.toString('hex')))
    await new Promise<void>((r) => target.bind(0, '127.0.0.1', () => r()))
    const port = target.address().port
    const marker = dgram.createSocket('udp4')
    /** Nothing reached the target since `n` datagrams: the next one it gets is the test's own marker. */
    const nothingSentSince = async (n: number) => {
      marker.send('marker', port, '127.0.0.1')
      await until(() => got.length > n, 'the marker')
      expect(got.slice(n)).toEqual([Buffer.from('marker').toString('hex')])
    }
    try {
      const first = await startBrowserMode({ dataDir: udpDir })
      lab = first.lab
      const page0 = await openLab(browser, first.url, { lang: 'en', screen: 'small' })
      await page0.locator('[data-nav="network"]').click()
      await page0.getByTestId('client-kind-udp').click()
      await page0.getByTestId('udp-host').fill('127.0.0.1')
      await page0.getByTestId('udp-port').fill(String(port))
      await page0.getByTestId('udp-payload').fill('你好')
      await page0.getByTestId('udp-encoding').selectOption('gbk')
      await page0.getByTestId('udp-repeat').fill('2')
      await page0.getByTestId('udp-wait').fill('0')
      await page0.getByTestId('udp-send').click()
      await page0.getByTestId('udp-run').waitFor()
      await until(() => got.length === 2, 'the two datagrams')
      // GBK's bytes for 你好, twice.
      expect(got).toEqual(['c4e3bac3', 'c4e3bac3'])
      await page0.context().close()
      await lab.stop()

      for (const [lang, theme, offerText, itemText, doneText] of [
        ['en', 'light', 'Restore last session: 1 UDP set-up', `UDP sender → 127.0.0.1:${port}: “你好” · GBK`, /has 1 set-up from the last session again, filled in but not sent/],
        ['zh', 'dark', '恢复上次的会话：1 个 UDP 发送设置', `UDP 发送 → 127.0.0.1:${port}：“你好” · GBK`, /已填好，但没有发送/],
      ] as const) {
        const run = await startBrowserMode({ dataDir: udpDir })
        lab = run.lab
        const page = await openLab(browser, run.url, { lang, theme, screen: 'small' })
        await page.locator('[data-nav="network"]').click()
        await page.getByTestId('restore-offer').waitFor()
        await expect(page.getByTestId('restore-offer').textContent()).resolves.toBe(offerText)
        await expect(page.getByTestId('restore-udp-item').textContent()).resolves.toBe(itemText)
        await screenshot(page, `network-restore-udp-offer-${lang}-${theme}`)
        await page.getByTestId('restore-go').click()
        await expect(page.getByTestId('restore-udp-done').textContent()).resolves.toMatch(doneText)
        await page.getByTestId('client-kind-udp').click()
        await page.getByTestId('udp-restored').waitFor()
        await expect(udpForm(page)).resolves.toEqual({ host: '127.0.0.1', port: String(port), payload: '你好', encoding: 'gbk', repeat: '2', gap: '0', wait: '0' })
        await expect(page.getByTestId('udp-restored-use').getAttribute('aria-pressed')).resolves.toBe('true')
        // Restoring sent nothing; the learner's send does.
        await nothingSentSince(got.length)
        const before = got.length
        await page.getByTestId('udp-send').click()
        await until(() => got.length === before + 2, 'the restored set-up sent')
        expect(got.slice(before)).toEqual(['c4e3bac3', 'c4e3bac3'])
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow).toBeLessThanOrEqual(0)
        await page.getByTestId('udp-restored').scrollIntoViewIfNeeded()
        await screenshot(page, `network-restore-udp-form-${lang}-${theme}`)
        expect(pageProblems(page)).toEqual([])
        await page.context().close()
        await lab.stop()
      }

      // A set-up the contract refuses (a port out of range): reported, nothing offered, the lab works.
      writeFileSync(path.join(udpDir, LAST_SESSION_FILE), JSON.stringify({ format: LAST_SESSION_FORMAT, version: LAST_SESSION_VERSION, servers: [], clients: [], udpSenders: [{ input: { host: '127.0.0.1', port: 70000, payload: 'x' } }] }))
      const damaged = await startBrowserMode({ dataDir: udpDir })
      lab = damaged.lab
      const zh = await openLab(browser, damaged.url, { lang: 'zh', theme: 'dark', screen: 'small' })
      await zh.locator('[data-nav="network"]').click()
      await zh.getByTestId('restore-damaged').waitFor()
      await expect(zh.getByTestId('restore-damaged').textContent()).resolves.toMatch(/记录上次会话的文件无法读取.*ERR_INVALID_INPUT/)
      await expect(zh.getByTestId('restore-offer').count()).resolves.toBe(0)
      // The engine's English (which item, why) is there for a bug report, folded away on a Chinese screen.
      await expect(zh.getByTestId('restore-damaged').textContent()).resolves.not.toMatch(/port must be/)
      await zh.getByTestId('restore-damaged-original').locator('summary').click()
      await expect(zh.getByTestId('restore-damaged-original').textContent()).resolves.toMatch(/udpSenders\[0\] port/)
      await screenshot(zh, 'network-restore-udp-damaged-zh-dark')
      expect(pageProblems(zh)).toEqual([])
      await zh.context().close()
    } finally {
      await new Promise<void>((r) => target.close(() => r()))
      await new Promise<void>((r) => marker.close(() => r()))
      rmSync(udpDir, { recursive: true, force: true })
    }
  }, 120_000)
})
