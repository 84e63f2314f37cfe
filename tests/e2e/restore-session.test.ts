import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabProcess } from '../helpers/cli'
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
})
