import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { COMPARE_MAX_SERIAL_SPAN_MS } from '../../shared/budgets'
import { callLab, hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'
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
