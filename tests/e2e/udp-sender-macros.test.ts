import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabProcess } from '../helpers/cli'
import { hasChromium, launchChromium, openLab, pageProblems, screenshot, startBrowserMode } from '../helpers/browser'

/** Waits for a condition, polling (never a fixed sleep). */
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * h2: the UDP sender's "macros" box, as the server panel's send and the saved messages have it.
 * `net.udp.send` takes `macros` and `counter`; with the box on each datagram of a repeated send is
 * expanded anew and the counter goes on from where the engine says the last send left it; a
 * `{{NAME}}` that is no macro is named as sent as typed. The set-up the lab remembers for the
 * next session carries the box, and a restore shows it as remembered. The server is a UDP socket of
 * the test's own on 127.0.0.1, so every datagram's bytes are what arrived. At 1024×700, en/light and zh/dark.
 */
describe.skipIf(!hasChromium)('the UDP sender’s macros (h2)', () => {
  let browser: Browser
  let lab: LabProcess | null = null
  const server = dgram.createSocket('udp4')
  const got: string[] = []
  let port = 0

  beforeAll(async () => {
    browser = await launchChromium()
    server.on('message', (m) => got.push(m.toString('utf8')))
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()))
    port = server.address().port
  })
  afterAll(async () => {
    await lab?.stop()
    await browser?.close()
    await new Promise<void>((r) => server.close(() => r()))
  })

  const words = {
    en: { unknown: 'Not macros, sent as typed: {{COUNT}}', box: 'Expand {{…}} macros', next: (n: number) => `next {{COUNTER}}: ${n}` },
    zh: { unknown: '这些不是宏，会原样发送：{{COUNT}}', box: '展开 {{…}} 宏', next: (n: number) => `下一个 {{COUNTER}}：${n}` },
  } as const

  const PAYLOAD = 'n={{COUNTER}} {{COUNT}}'
  const box = (page: Page) => page.getByTestId('udp-macros')
  /** Sends and waits for `n` more datagrams at the server; resolves what they carried. */
  async function sendAndCollect(page: Page, n: number): Promise<string[]> {
    const before = got.length
    await page.getByTestId('udp-send').click()
    await until(() => got.length >= before + n, `${n} datagrams`)
    // The run's summary is shown once the engine answered (the next counter with it).
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid="udp-run"]').length >= k, 1)
    return got.slice(before)
  }

  for (const [lang, theme] of [
    ['en', 'light'],
    ['zh', 'dark'],
  ] as const) {
    it(`a macro payload arrives expanded with the box on, as typed with it off; a restore shows the box as remembered (${lang}, ${theme})`, async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-udp-macros-'))
      try {
        const first = await startBrowserMode({ dataDir })
        lab = first.lab
        const page = await openLab(browser, first.url, { lang, theme, screen: 'small' })
        await page.locator('[data-nav="network"]').click()
        await page.getByTestId('client-kind-udp').click()
        await page.getByTestId('udp-host').fill('127.0.0.1')
        await page.getByTestId('udp-port').fill(String(port))
        await page.getByTestId('udp-payload').fill(PAYLOAD)
        await page.getByTestId('udp-repeat').fill('3')
        await page.getByTestId('udp-wait').fill('0')
        // Off (the default): sent as typed, no warning, no counter.
        await expect(box(page).isChecked()).resolves.toBe(false)
        await expect(page.getByTestId('udp-unknown-macros').count()).resolves.toBe(0)
        await expect(sendAndCollect(page, 3)).resolves.toEqual([PAYLOAD, PAYLOAD, PAYLOAD])
        // On: the label and the unknown one named in the learner's language, the counter from 1.
        await expect(page.locator('label', { has: box(page) }).textContent()).resolves.toBe(words[lang].box)
        await box(page).check()
        await expect(page.getByTestId('udp-unknown-macros').textContent()).resolves.toBe(words[lang].unknown)
        await expect(page.getByTestId('udp-counter').textContent()).resolves.toBe(words[lang].next(1))
        await expect(sendAndCollect(page, 3)).resolves.toEqual(['n=1 {{COUNT}}', 'n=2 {{COUNT}}', 'n=3 {{COUNT}}'])
        // The counter goes on where the engine says the last send left it.
        await page.getByTestId('udp-counter').filter({ hasText: words[lang].next(4) }).waitFor()
        await page.getByTestId('udp-repeat').fill('1')
        await expect(sendAndCollect(page, 1)).resolves.toEqual(['n=4 {{COUNT}}'])
        await page.getByTestId('udp-counter').filter({ hasText: words[lang].next(5) }).waitFor()
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow).toBeLessThanOrEqual(0)
        await page.getByTestId('udp-macros').scrollIntoViewIfNeeded()
        await screenshot(page, `udp-sender-macros-${lang}-${theme}`)
        expect(pageProblems(page)).toEqual([])
        await page.context().close()
        await lab.stop()

        // The next session: the remembered set-up (its last send, box on) fills the form with the box ticked, sending nothing.
        const next = await startBrowserMode({ dataDir })
        lab = next.lab
        const again = await openLab(browser, next.url, { lang, theme, screen: 'small' })
        await again.locator('[data-nav="network"]').click()
        await again.getByTestId('restore-go').click()
        await again.getByTestId('restore-udp-done').waitFor()
        await again.getByTestId('client-kind-udp').click()
        await again.getByTestId('udp-restored').waitFor()
        await expect(again.getByTestId('udp-payload').inputValue()).resolves.toBe(PAYLOAD)
        await expect(box(again).isChecked()).resolves.toBe(true)
        await expect(again.getByTestId('udp-unknown-macros').textContent()).resolves.toBe(words[lang].unknown)
        // The counter is where a run left it, not part of the set-up: it starts again.
        await expect(again.getByTestId('udp-counter').textContent()).resolves.toBe(words[lang].next(1))
        const sentBefore = got.length
        await expect(sendAndCollect(again, 1)).resolves.toEqual(['n=1 {{COUNT}}'])
        expect(got.length).toBe(sentBefore + 1)
        await again.getByTestId('udp-restored').scrollIntoViewIfNeeded()
        await screenshot(again, `udp-sender-macros-restored-${lang}-${theme}`)
        expect(pageProblems(again)).toEqual([])
        await again.context().close()
        await lab.stop()
        lab = null
      } finally {
        rmSync(dataDir, { recursive: true, force: true })
      }
    }, 90_000)
  }
})
