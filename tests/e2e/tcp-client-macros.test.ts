import net from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * h2: the persistent TCP client card's "macros" box, as the UDP sender and the server panel's send
 * have it (the same SendMacrosBox). `net.tcpClient.send` takes `macros` and `counter`; with the box on
 * each write of a repeated send is expanded anew and the counter goes on from the engine's
 * `nextCounter`; a `{{NAME}}` that is no macro is named as sent as typed. The server is a TCP socket
 * of the test's own on 127.0.0.1, so the bytes checked are what arrived. At 1024×700 (en/light, zh/dark) and
 * 200 % zoom (zh/light), where the payload field keeps room to be read.
 */
describe.skipIf(!hasChromium)('the persistent TCP client’s macros (h2)', () => {
  const session = useBrowserSession()
  const server = net.createServer()
  const peers = new Set<net.Socket>()
  /** Everything the client wrote, in order (TCP is a stream: writes of a repeat may arrive as one read). */
  let got = ''
  let port = 0

  beforeAll(async () => {
    server.on('connection', (s) => {
      peers.add(s)
      s.on('data', (d) => (got += d.toString('utf8')))
      s.on('close', () => peers.delete(s))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    port = (server.address() as net.AddressInfo).port
  })
  afterAll(async () => {
    for (const s of peers) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  })

  const words = {
    en: { unknown: 'Not macros, sent as typed: {{COUNT}}', box: 'Expand {{…}} macros', next: (n: number) => `next {{COUNTER}}: ${n}` },
    zh: { unknown: '这些不是宏，会原样发送：{{COUNT}}', box: '展开 {{…}} 宏', next: (n: number) => `下一个 {{COUNTER}}：${n}` },
  } as const

  const PAYLOAD = 'n={{COUNTER}} {{COUNT}};'

  /** Sends, waits until `expected` (what the server should get) has arrived in full; resolves what did. */
  async function sendAndCollect(page: Page, expected: string): Promise<string> {
    const before = got.length
    const card = page.getByTestId('tcpc-item').first()
    const sends = await card.getByTestId('tcpc-line').count()
    await card.getByTestId('tcpc-send').click()
    // The engine answered when the card is no longer sending; the bytes then reach our socket.
    await page.waitForFunction(() => !document.querySelector('[data-testid="tcpc-send"]')?.hasAttribute('disabled'))
    await card.getByTestId('tcpc-line').nth(sends).waitFor()
    const end = Date.now() + 20_000
    while (got.length < before + expected.length) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expected.length} bytes, got ${JSON.stringify(got.slice(before))}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    return got.slice(before)
  }

  for (const [lang, theme, screen] of [
    ['en', 'light', 'small'],
    ['zh', 'dark', 'small'],
    ['zh', 'light', 'zoom200'],
  ] as const) {
    it(`a macro payload arrives expanded with the box on, as typed with it off (${lang}, ${theme}, ${screen})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme, screen })
      await page.locator('[data-nav="network"]').click()
      await page.getByTestId('client-kind-tcp').click()
      await page.getByTestId('tcpc-host').fill('127.0.0.1')
      await page.getByTestId('tcpc-port').fill(String(port))
      await page.getByTestId('tcpc-open').click()
      const card = page.getByTestId('tcpc-item').first()
      await card.waitFor()
      const box = card.getByTestId('tcpc-macros')
      await card.getByTestId('tcpc-payload').fill(PAYLOAD)
      await card.getByTestId('tcpc-repeat').fill('3')
      // Off (the default): sent as typed, no warning, no counter.
      await expect(box.isChecked()).resolves.toBe(false)
      await expect(card.getByTestId('tcpc-unknown-macros').count()).resolves.toBe(0)
      await expect(card.getByTestId('tcpc-counter').count()).resolves.toBe(0)
      await expect(sendAndCollect(page, PAYLOAD.repeat(3))).resolves.toBe(PAYLOAD.repeat(3))
      // On: the label and the unknown one named in the learner's language, the counter from 1.
      await expect(card.locator('label', { has: page.getByTestId('tcpc-macros') }).textContent()).resolves.toBe(words[lang].box)
      await box.check()
      await expect(card.getByTestId('tcpc-unknown-macros').textContent()).resolves.toBe(words[lang].unknown)
      await expect(card.getByTestId('tcpc-counter').textContent()).resolves.toBe(words[lang].next(1))
      const three = 'n=1 {{COUNT}};n=2 {{COUNT}};n=3 {{COUNT}};'
      await expect(sendAndCollect(page, three)).resolves.toBe(three)
      // The counter goes on where the engine says the last send left it.
      await card.getByTestId('tcpc-counter').filter({ hasText: words[lang].next(4) }).waitFor()
      await card.getByTestId('tcpc-repeat').fill('1')
      await expect(sendAndCollect(page, 'n=4 {{COUNT}};')).resolves.toBe('n=4 {{COUNT}};')
      await card.getByTestId('tcpc-counter').filter({ hasText: words[lang].next(5) }).waitFor()
      // The warning takes its own line below the send row, and nothing overflows the window.
      const rows = await card.evaluate((el) => {
        const top = (id: string) => el.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect()
        return { warnTop: top('tcpc-unknown-macros').top, sendBottom: top('tcpc-send').bottom, payloadBottom: top('tcpc-payload').bottom }
      })
      expect(rows.warnTop).toBeGreaterThanOrEqual(Math.max(rows.sendBottom, rows.payloadBottom))
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      // The payload keeps room to be read (14 em): the row wraps the box and its pill before it shrinks further.
      const payloadEm = await card.getByTestId('tcpc-payload').evaluate((el) => {
        const field = el.closest('label')!
        return field.getBoundingClientRect().width / parseFloat(getComputedStyle(field).fontSize)
      })
      expect(payloadEm).toBeGreaterThanOrEqual(13.9)
      await card.scrollIntoViewIfNeeded()
      await screenshot(page, `tcp-client-macros-${lang}-${theme}-${screen}`)
      // Off again: as typed once more.
      await box.uncheck()
      await expect(card.getByTestId('tcpc-unknown-macros').count()).resolves.toBe(0)
      await expect(sendAndCollect(page, PAYLOAD)).resolves.toBe(PAYLOAD)
      expect(pageProblems(page)).toEqual([])
      await stopAll(page)
      await page.context().close()
    }, 90_000)
  }
})
