import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MULTICAST_INTERFACE } from '../../shared/contract'
import { hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession, EVERY_LOOK } from '../helpers/browser'
import { coverOf } from '../helpers/field-cover'

/**
 * h3, issue 14: the server panel's multicast interface for a UDP server joining a group. It shows
 * once a group is typed, starts at the contract's loopback default, asks for the same consent as
 * listening on every interface before joining on any other (the field marked, Start disabled, the
 * reason said), and an interface the engine refuses is highlighted and cleared by editing. Nothing
 * leaves loopback: the only server started joins on 127.0.0.1. At 1024×700, both languages in both themes;
 * the refused field is not covered by the notice about it (h2: it was, in English).
 */

const GROUP = '239.1.2.4'
const words = {
  en: { hint: /joins the group on\. 127\.0\.0\.1 is loopback/, consent: /Joining the group on 192\.0\.2\.7 receives datagrams from the network: tick “Accept connections from other machines \(0\.0\.0\.0\)”/, member: `member of ${GROUP} on 127.0.0.1` },
  zh: { hint: /在哪个网卡（它的 IPv4 地址）上加入组。127\.0\.0\.1 是回环网卡/, consent: /在 192\.0\.2\.7 上加入组会收到来自网络的数据报：请先勾选上面的“接受其他机器的连接（0\.0\.0\.0）”/, member: `${GROUP} 的成员，网卡 127.0.0.1` },
} as const

const ariaOf = (page: Page, id: string) => page.getByTestId(id).evaluate((el) => ({ invalid: el.getAttribute('aria-invalid'), describedBy: el.getAttribute('aria-describedby') ?? '' }))

describe.skipIf(!hasChromium)('the UDP server’s multicast interface in the server panel (h3, issue 14)', () => {
  const session = useBrowserSession()

  for (const [lang, theme] of EVERY_LOOK) {
    it(`loopback by default, consent for another, a refused one highlighted (${lang}, ${theme})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'small' })
      await page.locator('[data-nav="network"]').click()
      await page.getByTestId('server-proto-udp').click()
      await page.getByTestId('server-port').fill('0')
      // No group, no interface field.
      await expect(page.getByTestId('udp-group-iface').count()).resolves.toBe(0)
      await page.getByTestId('udp-group').fill(GROUP)
      const iface = page.getByTestId('udp-group-iface')
      await expect(iface.inputValue()).resolves.toBe(DEFAULT_MULTICAST_INTERFACE)
      await expect(page.getByTestId('udp-group-iface-hint').textContent()).resolves.toMatch(words[lang].hint)
      // Another interface (TEST-NET-1, never reached): the same consent as 0.0.0.0, asked before anything is sent to the engine.
      await iface.fill('192.0.2.7')
      await expect(page.getByTestId('udp-group-iface-consent').textContent()).resolves.toMatch(words[lang].consent)
      await expect(ariaOf(page, 'udp-group-iface')).resolves.toMatchObject({ invalid: 'true', describedBy: 'udp-group-iface-hint' })
      await expect(page.getByTestId('server-start').isDisabled()).resolves.toBe(true)
      await screenshot(page, `udp-server-iface-consent-${lang}-${theme}`)
      // An interface the engine refuses (loopback's range, but no interface of this machine has it): highlighted, named.
      await iface.fill('127.0.0.9')
      await expect(page.getByTestId('udp-group-iface-consent').count()).resolves.toBe(0)
      await page.getByTestId('server-start').click()
      await page.getByTestId('field-error').waitFor()
      await expect(ariaOf(page, 'udp-group-iface')).resolves.toMatchObject({ invalid: 'true' })
      await expect(page.getByTestId('notice').last().textContent()).resolves.toMatch(/ERR_ADDRESS_NOT_AVAILABLE/)
      await expect(iface.evaluate((el) => document.activeElement === el)).resolves.toBe(true)
      // The refused field stays in sight beside the notice about it (h2: at 1024×700 the notice covered it).
      await expect(coverOf(page, 'udp-group-iface')).resolves.toEqual({ notices: 1, inWindow: true, covering: [], onTop: true })
      await screenshot(page, `udp-server-iface-refused-${lang}-${theme}`)
      // Editing it clears the highlight; loopback joins.
      await iface.fill(DEFAULT_MULTICAST_INTERFACE)
      await page.getByTestId('field-error').waitFor({ state: 'detached' })
      await page.getByTestId('server-start').click()
      const item = page.getByTestId('server-item').last()
      await item.getByTestId('server-multicast').waitFor()
      await expect(item.getByTestId('server-multicast').textContent()).resolves.toBe(words[lang].member)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      for (const n of await page.getByTestId('notice-dismiss').all()) await n.click()
      await stopAll(page)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 60_000)
  }
})
