import dgram from 'node:dgram'
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession } from '../helpers/browser'

/**
 * h3, issue 14: the server panel's send forms tie a refusal to the field it is about. That input is
 * aria-invalid and points at the error box, and editing it clears the error (as a highlighted field
 * does, tests/e2e/field-errors.test.ts), so the box never speaks about a payload the learner has
 * since changed; editing another field leaves it. Real refusals from the engine, at 1024×700, in
 * English (light) and Chinese (dark). Every step waits for what the page shows.
 */

const sockets: dgram.Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

/** A UDP client of the test's own that has said something to `port` and got its reply (so it is a recent peer). */
async function udpPeer(port: number): Promise<void> {
  const socket = dgram.createSocket('udp4')
  sockets.push(socket)
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const replied = new Promise<void>((resolve) => socket.once('message', () => resolve()))
  socket.send('hi', port, '127.0.0.1')
  await replied
}

/** Starts a server from the panel (the only one: the page's earlier ones are stopped first); its port and its panel item. */
async function startServer(page: Page, proto: 'tcp' | 'udp'): Promise<{ port: number; item: Locator }> {
  await stopAll(page)
  await page.getByTestId(`server-proto-${proto}`).click()
  await page.getByTestId('server-port').fill('0')
  await page.getByTestId('server-start').click()
  const item = page.getByTestId('server-item').last()
  await item.waitFor()
  return { port: Number(/:(\d+)/.exec((await item.getByTestId('server-addr').textContent()) ?? '')![1]), item }
}

/** The payload input's ARIA state and the text its aria-describedby points at. */
function payloadState(item: Locator, testid: string) {
  return item.getByTestId(testid).evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    return { invalid: el.getAttribute('aria-invalid'), described: ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? '').join(' ') }
  })
}

/** What the box says (the notices' words, i18n/error-text): the hex error in the learner's language; GBK in English with the engine's detail, in Chinese its headline. */
const words = {
  en: { odd: /Not hex: 3 digits is an odd number/, gbk: /could not be encoded.*"😀" cannot be written in GBK/s },
  zh: { odd: /不是十六进制：3 位数字是奇数/, gbk: /文本无法编码或解码/ },
} as const

describe.skipIf(!hasChromium)('the server panel’s send forms clear an error when its field is edited (h3, issue 14)', () => {
  const session = useBrowserSession()

  for (const [lang, theme] of [
    ['en', 'light'],
    ['zh', 'dark'],
  ] as const) {
    it(`UDP server send: an unreadable hex payload is marked, and editing the payload clears it (${lang}, ${theme})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'small' })
      await page.locator('[data-nav="network"]').click()
      const { port, item } = await startServer(page, 'udp')
      await udpPeer(port)
      await item.getByTestId('usend-to').locator('option').nth(1).waitFor({ state: 'attached' })
      await expect(payloadState(item, 'usend-payload')).resolves.toEqual({ invalid: 'false', described: '' })
      await item.getByTestId('usend-hex').check()
      await item.getByTestId('usend-payload').fill('abc')
      await item.getByTestId('usend-send').click()
      const error = item.getByTestId('usend-error')
      await error.waitFor()
      await expect(error.getAttribute('data-code')).resolves.toBe('ERR_INVALID_INPUT')
      const marked = await payloadState(item, 'usend-payload')
      expect(marked.invalid).toBe('true')
      expect(marked.described).toMatch(words[lang].odd)
      // No template placeholder left unfilled ("输入无效：{detail}" was shown before).
      expect(marked.described).not.toMatch(/\{\w+\}/)
      // Another field of the form is not what the error is about: it stays.
      await item.getByTestId('usend-macros').check()
      await expect(error.isVisible()).resolves.toBe(true)
      await item.getByTestId('usend').scrollIntoViewIfNeeded()
      await screenshot(page, `send-form-error-udp-${lang}-${theme}`)
      await item.getByTestId('usend-payload').press('End')
      await page.keyboard.type('d')
      await error.waitFor({ state: 'detached' })
      await expect(payloadState(item, 'usend-payload')).resolves.toEqual({ invalid: 'false', described: '' })
      // The edited payload sends.
      await item.getByTestId('usend-send').click()
      await item.getByTestId('usend-result').waitFor()
      await stopAll(page)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 60_000)

    it(`TCP server send: text GBK cannot hold is marked, and editing the payload clears it (${lang}, ${theme})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'small' })
      await page.locator('[data-nav="network"]').click()
      const { port, item } = await startServer(page, 'tcp')
      await page.getByTestId('client-kind-tcp').click()
      await page.getByTestId('tcpc-port').fill(String(port))
      await page.getByTestId('tcpc-open').click()
      await item.getByTestId('ssend-to').locator('option').nth(1).waitFor({ state: 'attached' })
      await item.getByTestId('ssend-encoding').selectOption('gbk')
      await item.getByTestId('ssend-payload').fill('你好 😀')
      await item.getByTestId('ssend-send').click()
      const error = item.getByTestId('ssend-error')
      await error.waitFor()
      await expect(error.getAttribute('data-code')).resolves.toBe('ERR_ENCODING')
      const marked = await payloadState(item, 'ssend-payload')
      expect(marked.invalid).toBe('true')
      expect(marked.described).toMatch(words[lang].gbk)
      expect(marked.described).not.toMatch(/\{\w+\}/)
      await item.getByTestId('ssend-frame').selectOption({ index: 1 })
      await expect(error.isVisible()).resolves.toBe(true)
      await item.getByTestId('ssend').scrollIntoViewIfNeeded()
      await screenshot(page, `send-form-error-tcp-${lang}-${theme}`)
      await item.getByTestId('ssend-payload').fill('你好')
      await error.waitFor({ state: 'detached' })
      await expect(payloadState(item, 'ssend-payload')).resolves.toEqual({ invalid: 'false', described: '' })
      await item.getByTestId('ssend-send').click()
      await item.getByTestId('ssend-result').waitFor()
      await stopAll(page)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 60_000)
  }
})
