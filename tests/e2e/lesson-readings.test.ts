import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabProcess } from '../helpers/cli'
import { englishWords } from '../helpers/english-words'
import { callLab, hasChromium, launchChromium, openLab, pageProblems, screenshot, startBrowserMode } from '../helpers/browser'

async function openLesson(page: Page, id: string) {
  await page.locator('[data-nav="lessons"]').click()
  await page.locator(`[data-lesson="${id}"]`).click()
  await page.locator(`[data-lesson-page="${id}"]`).waitFor()
}

async function predict(page: Page, choice: string) {
  if ((await page.getByTestId('predict-lock').count()) === 0) await page.locator('.prediction .btn.ghost').click()
  await page.locator(`input[data-choice="${choice}"]`).check()
  await page.getByTestId('predict-lock').click()
}

/** The text of an element without its code (identifiers, commands), for the "no English" check. */
const prose = (el: Locator) =>
  el.evaluate((node) => {
    const copy = node.cloneNode(true) as HTMLElement
    for (const c of copy.querySelectorAll('code, .mono, button, input, select')) c.remove()
    return copy.textContent ?? ''
  })

describe.skipIf(!hasChromium)('Lessons read the learner’s own run, and a try-it’s error is its result (Chromium)', () => {
  let browser: Browser
  let lab: LabProcess
  let url: string

  beforeAll(async () => {
    ;({ lab, url } = await startBrowserMode())
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await lab?.stop()
  })

  for (const lang of ['en', 'zh'] as const) {
    it(`lesson 2 in ${lang}: the second server’s “port in use” is the try-it’s outcome, said with what it means, and the way back stays`, async () => {
      const page = await openLab(browser, url, { lang })
      await openLesson(page, 'operating-system')
      await predict(page, 'refuse')
      // The first try-it: a server on 8081 (or, if another program holds 8081, already the error).
      await page.getByTestId('try-it').nth(0).click()
      await page.locator('[data-nav="network"][aria-current="page"]').waitFor()
      await expect.poll(async () => ((await callLab(url, 'net.server.list', {})) as unknown[]).length + (await page.getByTestId('try-outcome-error').count()), { timeout: 20_000 }).toBeGreaterThan(0)
      await page.getByTestId('back-to-lesson').click()
      await page.locator('[data-lesson-page="operating-system"]').waitFor()
      await page.getByTestId('prediction-run').waitFor()
      // The second: the OS refuses it; the error is shown where the try-it ran, with the way back.
      await page.getByTestId('try-it').nth(1).click()
      const failed = page.getByTestId('try-outcome-error')
      await failed.waitFor({ timeout: 20_000 })
      await expect(failed.textContent()).resolves.toContain('ERR_PORT_IN_USE')
      await expect(failed.textContent()).resolves.toContain('SO_REUSEADDR')
      expect(englishWords(lang === 'zh' ? await prose(failed) : ''), 'the bar in Chinese').toEqual([])
      await screenshot(page, `lesson-error-outcome-bar-${lang}`)
      await page.getByTestId('back-to-lesson').click()
      const card = page.locator('[data-testid="prediction-run"][data-outcome="error"]')
      await card.waitFor()
      const reading = page.getByTestId('prediction-reading')
      await expect(reading.textContent()).resolves.toContain(lang === 'zh' ? '端口被占用' : 'Port in use: another server is bound to 127.0.0.1:8081')
      await expect(page.getByTestId('prediction-verdict').textContent()).resolves.toContain(lang === 'zh' ? '你的预测是对的' : 'Your prediction was right.')
      if (lang === 'zh') {
        expect(englishWords(await prose(card))).toEqual([])
        expect(englishWords(await prose(reading))).toEqual([])
      }
      await page.getByTestId('prediction').evaluate((el) => el.scrollIntoView({ block: 'start' }))
      await screenshot(page, `lesson-error-outcome-${lang}`)
      expect(pageProblems(page)).toEqual([])
      for (const s of (await callLab(url, 'net.server.list', {})) as { id: string }[]) await callLab(url, 'net.server.stop', { id: s.id })
      await page.context().close()
    }, 90_000)
  }

  it('lesson 4 in Chinese: the I/O try-it’s result card and History row hold no English, and the reading names the pool and the switches', async () => {
    const page = await openLab(browser, url, { lang: 'zh' })
    await openLesson(page, 'multiprogramming')
    await predict(page, 'io')
    const before = ((await callLab(url, 'history.list', { kind: 'proc.compare', limit: 100 })) as unknown[]).length
    await page.locator('[data-try="processes/run"]').first().click()
    await expect.poll(async () => ((await callLab(url, 'history.list', { kind: 'proc.compare', limit: 100 })) as unknown[]).length, { timeout: 120_000, interval: 250 }).toBeGreaterThan(before)
    // The experiment's own result card, in Chinese.
    const results = page.getByTestId('results-table')
    await results.waitFor()
    expect(englishWords(await prose(results)), 'the results table').toEqual([])
    await page.getByTestId('back-to-lesson').click()
    const card = page.getByTestId('prediction-run')
    await card.waitFor()
    const reading = page.getByTestId('prediction-reading')
    await expect(reading.textContent()).resolves.toMatch(/4 个等待 I\/O 的任务：串行 [\d,]+ ms，单核并发 [\d,]+ ms/)
    await expect(reading.textContent()).resolves.toContain('为每个任务开了一个子进程')
    expect(englishWords(await prose(card))).toEqual([])
    expect(englishWords(await prose(reading))).toEqual([])
    await page.getByTestId('prediction').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'lesson-reading-zh')
    await page.locator('[data-nav="history"]').click()
    const row = page.getByTestId('history-row').first()
    await row.waitFor()
    // The row's words (its kind, title, measures), not its buttons' accessible names.
    expect(englishWords(await prose(row))).toEqual([])
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  }, 180_000)

  it('lesson 9 in Chinese: a sticky run’s card names the kernel’s figures in Chinese, and no History row holds English', async () => {
    const page = await openLab(browser, url, { lang: 'zh' })
    await openLesson(page, 'sticky-packets')
    await predict(page, 'one')
    const before = ((await callLab(url, 'history.list', { kind: 'net.sticky', limit: 100 })) as unknown[]).length
    await page.locator('[data-try="network/sticky"]').first().click()
    await expect.poll(async () => ((await callLab(url, 'history.list', { kind: 'net.sticky', limit: 100 })) as unknown[]).length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(before)
    await page.getByTestId('back-to-lesson').click()
    const card = page.getByTestId('prediction-run')
    await card.waitFor()
    await expect(card.textContent()).resolves.toContain('在内核里等着的字节')
    expect(englishWords(await prose(card))).toEqual([])
    expect(englishWords(await prose(page.getByTestId('prediction-reading')))).toEqual([])
    await page.getByTestId('prediction').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'lesson-reading-sticky-zh')
    await page.locator('[data-nav="history"]').click()
    await page.getByTestId('history-row').first().waitFor()
    for (const row of await page.getByTestId('history-row').all()) expect(englishWords(await prose(row))).toEqual([])
    await screenshot(page, 'history-rows-zh')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  }, 120_000)
})
