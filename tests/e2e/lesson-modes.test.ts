import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { englishWords } from '../helpers/english-words'
import { callLab, hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

/**
 * Lessons 7 and 8 read the learner's own server and comparison (issues 9, 11), in both languages,
 * at 1024×700: the try-it's threading server with a real client connected says which thread serves
 * it and how it got that thread; the comparison says where the time above "about 250 ms" went.
 */

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

interface Listed {
  id: string
  port: number
  mode: string
  state: string
}

describe.skipIf(!hasChromium)('Lessons 7 and 8 read the learner’s own server and comparison (Chromium, 1024×700)', () => {
  const session = useBrowserSession()

  for (const [lang, theme] of [['en', 'light'], ['zh', 'dark']] as const) {
    it(`lesson 1 in ${lang}: two runs of the try-it are read together — new PIDs each time, the start-up per child`, async () => {
      const { browser, url } = session
      const page = await openLab(browser, url, { lang, theme, screen: 'small' })
      await openLesson(page, 'program-process')
      await predict(page, 'three')
      const count = async () => ((await callLab(url, 'history.list', { kind: 'proc.run', limit: 100 })) as unknown[]).length
      for (let i = 0; i < 2; i++) {
        const before = await count()
        await page.getByTestId('try-it').nth(0).click()
        await expect.poll(count, { timeout: 120_000, interval: 250 }).toBeGreaterThan(before)
        await page.getByTestId('back-to-lesson').click()
        await page.locator('[data-lesson-page="program-process"]').waitFor()
      }
      const reading = page.getByTestId('prediction-reading')
      await reading.waitFor()
      const text = (await reading.textContent()) ?? ''
      expect(text).toMatch(lang === 'zh' ? /你在预测之后运行了 2 次（从早到晚）——第 1 次：进程池 3 个子进程，3 个 PID（[\d, ]+）；第 2 次/ : /You ran it 2 times since your prediction \(oldest first\) — run 1: a pool of 3 children, 3 PIDs \([\d, ]+\); run 2/)
      expect(text).toMatch(lang === 'zh' ? /没有一个 PID 在两次运行里重复/ : /no PID appears in two runs/)
      if (lang === 'zh') expect(englishWords(await prose(reading)), 'the reading').toEqual([])
      await reading.evaluate((el) => el.scrollIntoView({ block: 'start' }))
      await screenshot(page, `lesson-01-runs-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 300_000)

    it(`lesson 7 in ${lang}: the threading try-it’s server, with a client connected, is read as a thread per connection`, async () => {
      const { browser, url } = session
      const page = await openLab(browser, url, { lang, theme, screen: 'small' })
      await openLesson(page, 'socketserver')
      await predict(page, 'conn')
      const earlier = new Set(((await callLab(url, 'net.server.list', {})) as Listed[]).map((s) => s.id))
      await page.getByTestId('try-it').nth(0).click()
      await page.locator('[data-nav="network"][aria-current="page"]').waitFor()
      let server: Listed | undefined
      await expect
        .poll(async () => {
          server = ((await callLab(url, 'net.server.list', {})) as Listed[]).find((s) => !earlier.has(s.id) && s.mode === 'threading' && s.state === 'listening')
          return Boolean(server)
        }, { timeout: 30_000 })
        .toBe(true)
      const client = (await callLab(url, 'net.tcpClient.open', { host: '127.0.0.1', port: server!.port })) as { id: string }
      await callLab(url, 'net.tcpClient.send', { id: client.id, payload: 'hi' })
      await page.getByTestId('back-to-lesson').click()
      const reading = page.getByTestId('prediction-reading')
      // The connection is announced once its thread has it (a spare, or one started for it).
      await expect.poll(async () => (await reading.count()) && reading.textContent(), { timeout: 60_000 }).toMatch(lang === 'zh' ? /1 个连接正由 1 个不同的线程服务/ : /1 connection is served by 1 different thread/)
      await expect(reading.textContent()).resolves.toMatch(lang === 'zh' ? /最新的连接(拿到了一个已经准备好的备用线程|没有遇到准备好的备用线程)/ : /The newest connection found (a|no) spare thread ready/)
      if (lang === 'zh') {
        expect(englishWords(await prose(page.getByTestId('prediction-run'))), 'the card').toEqual([])
        expect(englishWords(await prose(reading)), 'the reading').toEqual([])
      }
      await page.getByTestId('prediction').evaluate((el) => el.scrollIntoView({ block: 'start' }))
      await screenshot(page, `lesson-07-reading-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await callLab(url, 'net.tcpClient.close', { id: client.id })
      for (const s of (await callLab(url, 'net.server.list', {})) as Listed[]) await callLab(url, 'net.server.stop', { id: s.id })
      await page.context().close()
    }, 120_000)

    it(`lesson 8 in ${lang}: the comparison’s reading names the serial wait and what the threading row’s time went to`, async () => {
      const { browser, url } = session
      const page = await openLab(browser, url, { lang, theme, screen: 'small' })
      await openLesson(page, 'concurrent-server')
      await predict(page, 'queue')
      const before = ((await callLab(url, 'history.list', { kind: 'net.compare', limit: 100 })) as unknown[]).length
      await page.getByTestId('try-it').nth(0).click()
      await expect.poll(async () => ((await callLab(url, 'history.list', { kind: 'net.compare', limit: 100 })) as unknown[]).length, { timeout: 120_000, interval: 250 }).toBeGreaterThan(before)
      await page.getByTestId('back-to-lesson').click()
      const reading = page.getByTestId('prediction-reading')
      await reading.waitFor()
      const text = (await reading.textContent()) ?? ''
      if (lang === 'zh') {
        expect(text).toMatch(/一个客户端单独被服务要 250 ms/)
        expect(text).toMatch(/串行：全部完成用了 [\d,]+ ms，等得最久的客户端等了 [\d,]+ ms/)
        expect(text).toMatch(/多线程：全部完成用了 [\d,]+ ms，最长等待 [\d,]+ ms/)
        expect(englishWords(await prose(page.getByTestId('prediction-run'))), 'the card').toEqual([])
        expect(englishWords(await prose(reading)), 'the reading').toEqual([])
      } else {
        expect(text).toMatch(/one client served alone takes 250 ms/)
        expect(text).toMatch(/Serial: done in [\d,]+ ms; the client that waited longest waited [\d,]+ ms/)
        expect(text).toMatch(/Threading: done in [\d,]+ ms, waiting at most [\d,]+ ms/)
      }
      await expect(page.getByTestId('prediction-verdict').textContent()).resolves.toContain(lang === 'zh' ? '你的预测是对的' : 'Your prediction was right.')
      await reading.evaluate((el) => el.scrollIntoView({ block: 'start' }))
      await screenshot(page, `lesson-08-reading-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    }, 180_000)
  }
})
