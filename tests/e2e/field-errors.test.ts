import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { COMPARE_MAX_SERIAL_SPAN_MS } from '../../shared/budgets'
import { callLab, hasChromium, openLab, pageProblems, screenshot, stopAll, useBrowserSession, EVERY_LOOK } from '../helpers/browser'
import { coverOf } from '../helpers/field-cover'
import { englishWords } from '../helpers/english-words'

/**
 * The field an engine error names is highlighted in the form that sent it (issue 12): aria-invalid,
 * a visible invalid style (in both themes), aria-describedby pointing at the line that says why, and
 * the focus; editing the field clears it. Two forms, in English and in Chinese, each error a real one
 * from the engine (a port really in use; a comparison whose serial row would pass its budget). Every
 * step waits for what the page shows, never for a duration.
 */

/** What the page says about one input: its ARIA state, the text it points at, whether it has focus, its border. */
function fieldState(page: Page, testid: string) {
  return page.evaluate((id) => {
    const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!
    const describedBy = el.getAttribute('aria-describedby') ?? ''
    const text = describedBy
      .split(/\s+/)
      .map((d) => document.getElementById(d)?.textContent?.trim() ?? '')
      .join(' ')
      .trim()
    const danger = getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()
    // The theme's danger colour as the browser writes a computed colour, to compare with the border.
    const probe = document.createElement('span')
    probe.style.color = danger
    document.body.append(probe)
    const dangerRgb = getComputedStyle(probe).color
    probe.remove()
    return {
      invalid: el.getAttribute('aria-invalid'),
      text,
      focused: document.activeElement === el,
      borderIsDanger: getComputedStyle(el).borderTopColor === dangerRgb,
    }
  }, testid)
}

/** A notice's visible words: code (the error code, the field's name) and the folded engine message left out. */
function noticeProse(notice: Locator): Promise<string> {
  return notice.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement
    for (const c of copy.querySelectorAll('code, .mono, details:not([open]) > :not(summary)')) c.remove()
    return (copy.textContent ?? '').replace(/\s+/g, ' ')
  })
}

const words = {
  en: { inUse: /is already in use/, limit: /ms the serial row of a comparison may take — at most 120,000, this asks for 200,000/, changeField: /Change the highlighted value and try again/ },
  zh: { inUse: /已被占用/, limit: /对比实验中串行一行可用的毫秒数——最多 120,000，这次要求 200,000/, changeField: /修改高亮的值后再试/ },
} as const

describe.skipIf(!hasChromium)('Fields an engine error names, in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  for (const [lang, theme] of [
    ['en', 'light'],
    ['zh', 'dark'],
  ] as const) {
    it(`${lang} (${theme}): a port in use highlights Port, focuses it, and editing clears it`, async () => {
      // A port that really is taken: a server the test starts through the engine.
      const taken = { value: (await callLab(session.url, 'net.tcpServer.start', { port: 0 })) as { id: string; port: number } }
      const page = await openLab(session.browser, session.url, { lang, theme })
      await expect(fieldState(page, 'server-port')).resolves.toMatchObject({ invalid: 'false', focused: false, borderIsDanger: false })
      await page.getByTestId('server-port').fill(String(taken.value.port))
      await page.getByTestId('server-start').click()
      await page.getByTestId('field-error').waitFor()
      const state = await fieldState(page, 'server-port')
      expect(state).toMatchObject({ invalid: 'true', focused: true, borderIsDanger: true })
      expect(state.text).toMatch(words[lang].inUse)
      expect(state.text).toContain(String(taken.value.port))
      // The notice may now say "the highlighted option", because one is.
      const notice = page.getByTestId('notice').last()
      await expect(notice.textContent()).resolves.toMatch(/ERR_PORT_IN_USE/)
      if (lang === 'zh') {
        // The detail line is Chinese or absent: the field after a Chinese label; the headline already says
        // the address, so the engine's English is not offered at all.
        await expect(notice.getByTestId('notice-detail').count()).resolves.toBe(0)
        await expect(notice.getByTestId('notice-field').textContent()).resolves.toMatch(/^涉及的输入项： ?port$/)
        await expect(notice.getByTestId('notice-original').count()).resolves.toBe(0)
        await expect(noticeProse(notice).then(englishWords)).resolves.toEqual([])
      } else {
        await expect(notice.getByTestId('notice-detail').textContent()).resolves.toMatch(/is already in use/)
      }
      await screenshot(page, `field-error-port-${lang}-${theme}`)
      // The learner edits the field: the highlight and the line go.
      await page.keyboard.type('1')
      await page.getByTestId('field-error').waitFor({ state: 'detached' })
      await expect(fieldState(page, 'server-port')).resolves.toMatchObject({ invalid: 'false', text: '', borderIsDanger: false })
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
      await callLab(session.url, 'net.server.stop', { id: taken.value.id })
    }, 60_000)

    it(`${lang} (${theme}): a comparison over its serial budget highlights Clients and names the budget`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme })
      await page.getByTestId('net-tab-compare').click()
      // 10 clients × 100 messages × 200 ms = 200 s of serial work, over the 120 s budget.
      expect(10 * 100 * 200).toBeGreaterThan(COMPARE_MAX_SERIAL_SPAN_MS)
      await page.getByTestId('compare-clients').fill('10')
      await page.getByTestId('compare-messages').fill('100')
      await page.getByTestId('compare-delay').fill('200')
      await page.getByTestId('compare-run').click()
      await page.getByTestId('field-error').waitFor()
      const state = await fieldState(page, 'compare-clients')
      expect(state).toMatchObject({ invalid: 'true', focused: true, borderIsDanger: true })
      expect(state.text).toMatch(words[lang].limit)
      // The notice names the budget too, with the hint for a highlighted field.
      const notice = page.getByTestId('notice').last()
      await expect(notice.textContent()).resolves.toMatch(words[lang].limit)
      await expect(notice.textContent()).resolves.toMatch(/ERR_LIMIT/)
      await expect(notice.textContent()).resolves.toMatch(words[lang].changeField)
      if (lang === 'zh') await expect(noticeProse(notice).then(englishWords)).resolves.toEqual([])
      await screenshot(page, `field-error-compare-${lang}-${theme}`)
      await page.getByTestId('compare-clients').fill('1')
      await page.getByTestId('field-error').waitFor({ state: 'detached' })
      await expect(fieldState(page, 'compare-clients')).resolves.toMatchObject({ invalid: 'false', text: '' })
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 60_000)
  }
})

/**
 * h2: the notice about a highlighted field never covers it (use-notice-placement.ts). The notices
 * stand bottom right, 380 px wide; at 1024×700 a field at the right of a form, scrolled down to the
 * bottom of the window as a learner who scrolled to the form sees it, lay under them. For four forms
 * (the server panel's Start, a persistent TCP client's Send, the UDP sender, the comparison's Run), each with a
 * real refusal from the engine, the field must stay inside the window, meet no notice and be the
 * element on top at its centre: where it was highlighted, and after scrolling it to the window's
 * bottom edge and to its top. Both languages in both themes.
 */
describe.skipIf(!hasChromium)('the notice leaves the highlighted field in sight at 1024×700 (h2)', () => {
  const session = useBrowserSession()

  /** The field's cover once the page has settled (the notices move on the next frame after a scroll). */
  async function clearOf(page: Page, id: string) {
    const end = Date.now() + 10_000
    let cover = await coverOf(page, id)
    while (cover.covering.length > 0 && Date.now() < end) {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
      cover = await coverOf(page, id)
    }
    return cover
  }

  /**
   * Presses `submit`, waits for the engine's refusal `code` about `field`, checks the field where the
   * error left it, scrolled to the bottom edge of the window and to the top, and dismisses the notice (the
   * stack then stands bottom right again).
   */
  async function refusedInSight(page: Page, submit: string, field: string, code: RegExp, shot: string) {
    await page.getByTestId(submit).click()
    await page.getByTestId('notice').waitFor()
    await expect(page.getByTestId('notice').textContent()).resolves.toMatch(code)
    await expect(fieldState(page, field)).resolves.toMatchObject({ invalid: 'true', focused: true })
    await expect(clearOf(page, field)).resolves.toMatchObject({ inWindow: true, covering: [], onTop: true })
    await page.getByTestId(field).evaluate((el) => el.scrollIntoView({ block: 'end' }))
    await expect(clearOf(page, field)).resolves.toMatchObject({ inWindow: true, covering: [], onTop: true })
    await screenshot(page, shot)
    // And at the top edge, where a stack moved to the top right would now cover it: it follows the scroll.
    await page.getByTestId(field).evaluate((el) => {
      el.scrollIntoView({ block: 'start' })
      document.getElementById('main')!.scrollBy(0, -8) // a few pixels below the edge (its top may be at -0.25)
    })
    await expect(clearOf(page, field)).resolves.toMatchObject({ inWindow: true, covering: [], onTop: true })
    await page.getByTestId('notice-dismiss').click()
    await page.getByTestId('notice').waitFor({ state: 'detached' })
    await expect(page.getByTestId('notices').getAttribute('data-corner')).resolves.toBe('bottom-right')
  }

  for (const [lang, theme] of EVERY_LOOK) {
    it(`server Start, TCP client Send, UDP Send and comparison Run (${lang}, ${theme})`, async () => {
      const taken = (await callLab(session.url, 'net.tcpServer.start', { port: 0 })) as { id: string; port: number }
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'small' })
      await page.locator('[data-nav="network"]').click()

      // The server panel: a port really in use.
      await page.getByTestId('server-port').fill(String(taken.port))
      await refusedInSight(page, 'server-start', 'server-port', /ERR_PORT_IN_USE/, `field-error-clear-server-${lang}-${theme}`)

      // A persistent TCP client (to the server the test started): 10,000 sends a minute apart pass the send budget.
      await page.getByTestId('client-kind-tcp').click()
      await page.getByTestId('tcpc-host').fill('127.0.0.1')
      await page.getByTestId('tcpc-port').fill(String(taken.port))
      await page.getByTestId('tcpc-open').click()
      await page.getByTestId('tcpc-item').waitFor()
      // The server panel above lists the connection, and its kernel socket table the two ends (polled):
      // the page above the card stops growing once they are there.
      await page.getByTestId('conn-row').first().waitFor()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="socket-row"]').length >= 3)
      await page.getByTestId('tcpc-repeat').fill('10000')
      await page.getByTestId('tcpc-gap').fill('60000')
      await refusedInSight(page, 'tcpc-send', 'tcpc-gap', /ERR_LIMIT/, `field-error-clear-tcpc-${lang}-${theme}`)
      // The client, and the server the test started (the page lists it).
      await stopAll(page)

      // The UDP sender, at the end of the page: a host that is no address nor name.
      await page.getByTestId('client-kind-udp').click()
      await page.getByTestId('udp-host').fill('no such host')
      await refusedInSight(page, 'udp-send', 'udp-host', /ERR_INVALID_INPUT/, `field-error-clear-udp-${lang}-${theme}`)

      // The comparison: its serial row over its budget.
      await page.getByTestId('net-tab-compare').click()
      await page.getByTestId('compare-clients').fill('10')
      await page.getByTestId('compare-messages').fill('100')
      await page.getByTestId('compare-delay').fill('200')
      await refusedInSight(page, 'compare-run', 'compare-clients', /ERR_LIMIT/, `field-error-clear-compare-${lang}-${theme}`)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 90_000)
  }
})

/**
 * The highlighted field stays in sight while the page fills in above it (use-field-errors.ts, keepInView): parts of
 * the Network page arrive after an error can (the kernel's socket table is polled, the connection
 * list grows), and content growing above the field pushed it out of the window (h2, last session).
 * Here the page grows by a block 900 px tall at the top of what the window shows, after the engine
 * refused the UDP sender's host: the field must be back in the window. Once the learner takes over
 * (a key here; a wheel, a touch or a click alike), the page is theirs: a second block no longer brings the field back.
 */
describe.skipIf(!hasChromium)('the highlighted field stays in sight while the page fills in', () => {
  const session = useBrowserSession()

  /** Grows the page by `px` at the top of the window's view, above `id` (inside the element seen there, before the field's branch). */
  const growAbove = (page: Page, id: string, px: number) =>
    page.getByTestId(id).evaluate((field, h) => {
      const main = document.getElementById('main')!
      const top = Math.max(main.getBoundingClientRect().top, 0)
      let at = document.elementFromPoint(main.getBoundingClientRect().left + 40, top + 4)!
      const block = document.createElement('div')
      block.className = 'test-grown'
      block.style.height = `${h}px`
      // Inside the element at the top of the view, before the part of it that holds the field.
      if (at.contains(field)) {
        let branch: Element = field
        while (branch.parentElement && branch.parentElement !== at) branch = branch.parentElement
        at.insertBefore(block, branch)
      } else {
        while (at.parentElement && at.parentElement !== main && !at.parentElement.contains(field)) at = at.parentElement
        at.append(block)
      }
    }, px)
  const twoFrames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))

  for (const [lang, theme] of [
    ['en', 'light'],
    ['zh', 'dark'],
  ] as const) {
    it(`the UDP sender's host, refused, then 900 px more page above it (${lang}, ${theme})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme, screen: 'small' })
      await page.locator('[data-nav="network"]').click()
      await page.getByTestId('client-kind-udp').click()
      await page.getByTestId('udp-host').fill('no such host')
      await page.getByTestId('udp-send').click()
      await page.getByTestId('notice').waitFor()
      await expect(fieldState(page, 'udp-host')).resolves.toMatchObject({ invalid: 'true', focused: true })
      await expect(coverOf(page, 'udp-host')).resolves.toMatchObject({ inWindow: true })

      await growAbove(page, 'udp-host', 900)
      await page.waitForFunction(() => {
        const r = document.querySelector('[data-testid="udp-host"]')!.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= window.innerHeight
      })
      await expect(coverOf(page, 'udp-host')).resolves.toMatchObject({ inWindow: true })
      await screenshot(page, `field-kept-in-view-${lang}-${theme}`)

      // The learner takes over (a key, as a wheel, a touch or a click would): from then on the page does not move under them.
      await page.keyboard.press('Shift')
      const before = await page.evaluate(() => document.getElementById('main')!.scrollTop)
      await growAbove(page, 'udp-host', 900)
      await twoFrames(page)
      await twoFrames(page)
      const after = await page.evaluate(() => document.getElementById('main')!.scrollTop)
      expect(after).toBe(before)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 60_000)
  }
})
