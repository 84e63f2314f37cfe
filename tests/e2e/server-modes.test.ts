/**
 * Issue 9 in the page: UDP server modes (who handled each datagram) and, in the serial-vs-concurrent
 * comparison, Python's own socketserver servers as rows beside the lab's.
 */
import net from 'node:net'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'
import { hasPython } from '../helpers/python'
import { UDP_REPLY_WAIT_MS } from '../../shared/contract'

async function openTab(page: Page, tab: 'server' | 'sticky' | 'compare') {
  await page.getByTestId(`net-tab-${tab}`).click()
  await expect(page.getByTestId(`net-tab-${tab}`).getAttribute('aria-selected')).resolves.toBe('true')
}

describe.skipIf(!hasChromium)('Server modes in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  for (const lang of ['en', 'zh'] as const) {
    it(`UDP threading: each datagram is listed with the thread that handled it (${lang}, 1024×700)`, async () => {
      const page = await openLab(session.browser, session.url, { lang, screen: 'small', theme: lang === 'zh' ? 'dark' : 'light' })
      await openTab(page, 'server')
      await page.getByTestId('server-proto-udp').click()
      await page.getByTestId('udp-mode-threading').check()
      await expect(page.getByTestId('udp-mode-hint').textContent()).resolves.toMatch(lang === 'en' ? /ThreadingUDPServer/ : /ThreadingUDPServer/)
      await page.getByTestId('server-handler').selectOption('delay')
      await page.getByTestId('server-delay').fill('300')
      await page.getByTestId('server-port').fill('0')
      await page.getByTestId('server-start').click()
      await page.getByTestId('udp-stats').waitFor()
      await expect(page.getByTestId('server-mode').textContent()).resolves.toBe(lang === 'en' ? 'Threading' : '多线程')
      await page.getByTestId('client-kind-udp').click()
      await page.getByTestId('udp-payload').fill('hi')
      await page.getByTestId('udp-repeat').fill('3')
      // Each datagram's thread must start first (a Worker, tens of ms of CPU; seconds on a busy machine):
      // the sender waits for every reply, not for the default 1 s after its last send.
      await page.getByTestId('udp-wait').fill(String(UDP_REPLY_WAIT_MS.max))
      await page.getByTestId('udp-send').click()
      await page.getByTestId('udp-reply').nth(2).waitFor({ timeout: 60_000 })
      await expect(page.getByTestId('udp-reply-text').allTextContents()).resolves.toEqual(['HI', 'HI', 'HI'])
      await page.getByTestId('udp-datagram-row').nth(2).waitFor()
      const who = await page.getByTestId('udp-served-by').allTextContents()
      expect(who).toHaveLength(3)
      for (const w of who) expect(w).toMatch(/TID \d+/)
      // Which threads they were depends on how fast new ones started (a free one is used again);
      // that datagrams handled at once get different threads is proven in tests/integration/udp-modes.test.ts.
      await page.getByTestId('udp-datagrams').scrollIntoViewIfNeeded()
      await screenshot(page, `network-udp-threading-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.getByTestId('server-stop').click()
      await page.getByTestId('server-empty').waitFor()
      await page.context().close()
    })
  }

  // The warm-spare state (the engine's `spares` event) in the server panel: English with threads, Chinese with processes.
  for (const [lang, mode, ready] of [
    ['en', 'threading', /^2 of 2 spare threads ready$/],
    ['zh', 'forking', /^2 个备用进程中 2 个已就绪$/],
  ] as const) {
    it(`TCP ${mode}: the panel says how many spares are ready, and again after a connection used one (${lang}, 1024×700)`, async () => {
      const page = await openLab(session.browser, session.url, { lang, screen: 'small', theme: lang === 'zh' ? 'dark' : 'light' })
      await openTab(page, 'server')
      await page.getByTestId(`server-mode-${mode}`).check()
      await page.getByTestId('server-spares').fill('2')
      await page.getByTestId('server-port').fill('0')
      await page.getByTestId('server-start').click()
      const state = page.getByTestId('server-spares-state')
      await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 60_000 }).toMatch(ready)
      // A real client takes one spare; once its replacement is ready the panel says 2 of 2 again.
      const port = Number(/:(\d+)/.exec((await page.getByTestId('server-addr').textContent()) ?? '')![1])
      const reply = await new Promise<string>((resolve, reject) => {
        const c = net.connect({ host: '127.0.0.1', port }, () => c.write('hi'))
        c.once('data', (d) => (c.end(), resolve(d.toString())))
        c.once('error', reject)
      })
      expect(reply).toBe('HI')
      await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 60_000 }).toMatch(ready)
      await state.scrollIntoViewIfNeeded()
      await screenshot(page, `network-spares-${mode}-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.getByTestId('server-stop').click()
      await page.getByTestId('server-empty').waitFor()
      await page.context().close()
    })
  }

  for (const lang of ['en', 'zh'] as const) {
    it.skipIf(!hasPython)(`the comparison runs Python's TCPServer, ThreadingTCPServer and ForkingTCPServer beside the lab's modes, with per-client parts (${lang}, 1024×700)`, async () => {
      const page = await openLab(session.browser, session.url, { lang, screen: 'small', theme: lang === 'zh' ? 'dark' : 'light' })
      await openTab(page, 'compare')
      await page.getByTestId('compare-clients').fill('8')
      await page.getByTestId('compare-messages').fill('3')
      await page.getByTestId('compare-delay').fill('20')
      await page.getByTestId('compare-backlog').fill('5')
      await page.getByTestId('compare-mode-async').uncheck()
      await page.getByTestId('compare-python').check()
      await page.getByTestId('compare-run').click()
      await page.getByTestId('compare-row-python-forking').waitFor({ timeout: 90_000 })
      for (const [mode, cls] of [['serial', 'TCPServer'], ['threading', 'ThreadingTCPServer'], ['forking', 'ForkingTCPServer']]) {
        await expect(page.getByTestId(`compare-row-python-${mode}`).textContent()).resolves.toContain(`Python ${cls}`)
        await page.getByTestId(`compare-row-${mode}`).waitFor()
        await page.getByTestId(`compare-parts-row-python-${mode}`).waitFor()
      }
      await expect(page.getByTestId('compare-python-note').textContent()).resolves.toMatch(/Python 3\./)
      // Six rows (three modes, lab and Python) × eight clients, each a bar of parts.
      await expect(page.getByTestId('compare-parts-bar').count()).resolves.toBe(48)
      await expect(page.getByTestId('compare-chart').getByTestId('compare-bar').count()).resolves.toBe(6)
      await page.getByTestId('compare-parts-derived').waitFor()
      await page.getByTestId('compare-parts-chart').scrollIntoViewIfNeeded()
      await screenshot(page, `network-compare-python-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    })
  }
})
