import { copyFileSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LESSONS } from '../../renderer/lessons'
import type { LabProcess } from '../helpers/cli'
import { REPO_ROOT } from '../helpers/paths'
import { callLab, hasChromium, launchChromium, openLab, pageProblems, screenshot, startBrowserMode } from '../helpers/browser'

async function openLessons(page: Page) {
  await page.locator('[data-nav="lessons"]').click()
  await page.locator('[data-lesson-page]').waitFor()
}

/** Which tab of which view a preset opens, and the tab's test id. */
function tabOf(experiment: string): string {
  const [view, tab] = experiment.split('/')
  return view === 'network' ? `net-tab-${tab}` : `proc-tab-${tab}`
}

describe.skipIf(!hasChromium)('Lessons and History in Chromium (browser mode)', () => {
  let browser: Browser
  let lab: LabProcess
  let url: string
  let dataDir: string

  beforeAll(async () => {
    ;({ lab, url, dataDir } = await startBrowserMode())
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await lab?.stop()
  })

  it('first run: the welcome offers three starting points and stays closed once used', async () => {
    const page = await openLab(browser, url, { lang: 'en', welcome: true })
    const welcome = page.getByTestId('welcome')
    await welcome.waitFor()
    await expect(welcome.locator('button.start').count()).resolves.toBe(3)
    await screenshot(page, 'welcome-en')
    await page.getByTestId('welcome-lesson').click()
    await page.locator('[data-lesson-page="program-process"]').waitFor()
    await expect(welcome.count()).resolves.toBe(0)
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    await expect(page.getByTestId('welcome').count()).resolves.toBe(0)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()

    const zh = await openLab(browser, url, { lang: 'zh', welcome: true })
    await zh.getByTestId('welcome').waitFor()
    await expect(zh.locator('#welcome-title').textContent()).resolves.toBe('欢迎来到套接字与进程实验室')
    await screenshot(zh, 'welcome-zh')
    await zh.getByTestId('welcome-close').click()
    await expect(zh.getByTestId('welcome').count()).resolves.toBe(0)
    await zh.context().close()
  })

  it('in English: a prediction is answered before the try-it buttons open, and a try-it opens the Network server experiment', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    await openLessons(page)
    await expect(page.locator('.lesson-link').count()).resolves.toBe(LESSONS.length)
    await expect(page.locator('[data-lesson-page] h1').textContent()).resolves.toBe('Program and process')
    const tryIt = page.getByTestId('try-it').first()
    await expect(tryIt.isDisabled()).resolves.toBe(true)
    await expect(page.getByTestId('predict-lock').isDisabled()).resolves.toBe(true)
    await page.locator('input[data-choice="three"]').check()
    await page.getByTestId('predict-lock').click()
    await expect(page.getByTestId('prediction-yours').textContent()).resolves.toContain('Three, each with a different PID')
    await expect(tryIt.isEnabled()).resolves.toBe(true)
    await expect(page.getByTestId('prediction-verdict').count()).resolves.toBe(0)
    await page.getByTestId('predict-reveal').click()
    await expect(page.getByTestId('prediction-verdict').textContent()).resolves.toContain('Your prediction was right.')
    await page.locator('#main').evaluate((el) => el.scrollTo({ top: 0 }))
    await screenshot(page, 'lessons-en')

    // The TCP loops lesson: predict wrongly on purpose, open its server experiment.
    await page.locator('[data-lesson="tcp-loops"]').click()
    await page.locator('[data-lesson-page="tcp-loops"]').waitFor()
    await page.locator('input[data-choice="reply"]').check()
    await page.getByTestId('predict-lock').click()
    await page.getByTestId('predict-reveal').click()
    await expect(page.getByTestId('prediction-verdict').textContent()).resolves.toContain('not right')
    await expect(page.locator('[data-program="tcp_server_loops"] .tk-keyword').first().textContent()).resolves.toBe('import')
    await page.locator('[data-try="network/server"]').first().click()
    await page.locator('[data-nav="network"][aria-current="page"]').waitFor()
    await page.locator('[data-testid="net-tab-server"][aria-selected="true"]').waitFor()
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('in Chinese: the lessons read in Chinese, and the predictions are remembered', async () => {
    const page = await openLab(browser, url, { lang: 'zh', theme: 'light' })
    await openLessons(page)
    await expect(page.locator('[data-lesson-page] h1').textContent()).resolves.toBe('程序与进程')
    await page.locator('[data-lesson="sticky-packets"]').click()
    await page.locator('[data-lesson-page="sticky-packets"]').waitFor()
    await expect(page.locator('.lesson-page h2').first().textContent()).resolves.toBe('先预测')
    await page.locator('input[data-choice="one"]').check()
    await page.getByTestId('predict-lock').click()
    await expect(page.getByTestId('prediction-yours').textContent()).resolves.toContain('1 次，三条粘在一起')
    await page.locator('#main').evaluate((el) => el.scrollTo({ top: 0 }))
    await screenshot(page, 'lessons-zh')
    await page.reload()
    await page.getByTestId('engine-state').filter({ hasText: /已连接/ }).waitFor()
    await openLessons(page)
    await page.locator('[data-lesson-page="sticky-packets"]').waitFor()
    await expect(page.getByTestId('prediction-yours').count()).resolves.toBe(1)
    // The Python programs, in the dark theme: highlighted spans, and the lab can run them.
    await page.getByTestId('theme-dark').click()
    const program = page.locator('[data-program="sticky_server"]')
    await program.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await expect(program.locator('.tk-keyword').first().textContent()).resolves.toBe('import')
    await screenshot(page, 'lessons-zh-python-dark')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('every lesson’s try-it opens its experiment’s view and tab, and each run it starts completes into History', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    // Failed calls, with the engine's own message, for the failure report.
    const failures: string[] = []
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const text = String(f.payload)
        if (text.includes('"ok":false')) failures.push(text.slice(0, 400))
      }),
    )
    await page.reload()
    await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
    const notices: string[] = []
    const runs = async () => ((await callLab(url, 'history.list', { limit: 1000 })) as unknown[]).length
    let compared = 0
    for (const lesson of LESSONS) {
      for (let i = 0; i < lesson.tryIt.length; i++) {
        // Notices (a port already taken by an earlier try-it, …) must not cover the buttons.
        // Always the first notice, re-queried each turn: one may close by itself while we read it,
        // which left `.nth(1)` of an earlier list waiting for an element that no longer exists.
        const first = page.getByTestId('notice').first()
        while ((await page.getByTestId('notice').count()) > 0) {
          const text = await first.textContent({ timeout: 2_000 }).catch(() => null)
          if (text !== null) notices.push(`${lesson.id}#${i}: ${text}`)
          await first.getByRole('button').click({ timeout: 2_000 }).catch(() => {})
        }
        await openLessons(page)
        await page.locator(`[data-lesson="${lesson.id}"]`).click()
        await page.locator(`[data-lesson-page="${lesson.id}"]`).waitFor()
        if ((await page.getByTestId('predict-lock').count()) > 0) {
          await page.locator(`input[data-choice="${lesson.prediction.choices[0]!.id}"]`).check()
          await page.getByTestId('predict-lock').click()
        }
        const { experiment, settings } = lesson.tryIt[i]!.preset
        const before = await runs()
        await page.getByTestId('try-it').nth(i).click()
        const [view] = experiment.split('/')
        await page.locator(`[data-nav="${view}"][aria-current="page"]`).waitFor()
        await page.locator(`[data-testid="${tabOf(experiment)}"][aria-selected="true"]`).waitFor({ timeout: 5_000 })
        if ('autoRun' in settings && settings.autoRun) {
          // The experiment ran with the lesson's settings and saved its result.
          // Generous: the CPU-bound runs take much longer when the 2-core machine is busy with other tests.
          const done = await expect
            .poll(runs, { timeout: 120_000, interval: 250 })
            .toBeGreaterThan(before)
            .then(() => true, () => false)
          if (!done) {
            const shown = await Promise.all((await page.getByTestId('notice').all()).map((n) => n.textContent()))
            expect.fail(`${lesson.id} try-it ${i} (${experiment}) saved no run; notices: ${JSON.stringify(shown)}; failed calls: ${failures.join('\n')}`)
          }
          // …and it ran with the lesson's settings (modes aside: a multi-mode run is saved per mode).
          const [newest] = (await callLab(url, 'history.list', { limit: 1 })) as { id: string }[]
          const entry = (await callLab(url, 'history.get', { id: newest!.id })) as { settings: Record<string, unknown> }
          for (const [key, value] of Object.entries(settings)) {
            if (key === 'autoRun' || key === 'modes' || !(key in entry.settings)) continue
            expect(entry.settings[key], `${lesson.id} try-it ${i}: ${key}`).toEqual(value)
            compared++
          }
        }
      }
    }
    console.log(`notices while opening every try-it:\n${notices.join('\n')}\nsettings compared with the saved runs: ${compared}`)
    expect(compared).toBeGreaterThan(20)
    await page.context().close()
  }, 900_000)

  it('a lesson shows its run’s own numbers next to the prediction', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    await openLessons(page)
    await page.locator('[data-lesson="framing"]').click()
    await page.locator('[data-lesson-page="framing"]').waitFor()
    if ((await page.getByTestId('predict-lock').count()) === 0) await page.getByRole('button', { name: 'Change my prediction' }).click()
    await page.locator('input[data-choice="three"]').check()
    await page.getByTestId('predict-lock').click()
    await page.locator('[data-try="network/sticky"]').first().click()
    await page.locator('[data-testid="net-tab-sticky"][aria-selected="true"]').waitFor()
    await expect.poll(async () => ((await callLab(url, 'history.list', { kind: 'net.sticky', limit: 1 })) as { settings?: unknown; summary: Record<string, unknown> }[])[0]?.summary.recovered, { timeout: 30_000 }).toBe(3)
    await openLessons(page)
    const measured = page.getByTestId('prediction-run')
    await measured.waitFor()
    await expect(measured.locator('tr.main:has-text("messages decoded") td').textContent()).resolves.toBe('3')
    await expect(page.getByTestId('prediction-verdict').textContent()).resolves.toContain('Your prediction was right.')
    await page.getByTestId('prediction').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'lessons-en-result')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('History lists runs, compares two, exports CSV and deletes, in both languages', async () => {
    const seeds = [
      { kind: 'net.sticky', title: 'sticky: 3 sends, recv(1024)', settings: { messages: ['hello', 'world', 'sticky'], recvSize: 1024, readDelayMs: 200, frame: 'none' }, summary: { sends: 3, recvs: 1, bytes: 16, recovered: 1 }, result: { reads: [16] } },
      { kind: 'net.sticky', title: 'sticky: framed', settings: { messages: ['hello', 'world', 'sticky'], recvSize: 1024, readDelayMs: 200, frame: 'len32le' }, summary: { sends: 3, recvs: 1, bytes: 28, recovered: 3 }, result: { reads: [28] } },
      { kind: 'proc.compare', title: 'seeded cpu:400ms*4', settings: { tasks: 'cpu:400ms*4', modes: ['serial', 'concurrent', 'parallel'] }, summary: { serialMs: 1630, concurrentMs: 1655, parallelMs: 840, cpus: 2 }, result: {} },
    ]
    for (const s of seeds) await callLab(url, 'history.add', s)

    const page = await openLab(browser, url, { lang: 'en' })
    await page.locator('[data-nav="history"]').click()
    const rows = page.getByTestId('history-row')
    await rows.nth(2).waitFor()
    await expect(rows.count()).resolves.toBeGreaterThanOrEqual(3)
    await expect(page.getByTestId('history-where').textContent()).resolves.toMatch(/Saved in .*lab-web-/)
    await page.locator('tr:has-text("sticky: framed") input[type="checkbox"]').check()
    await page.locator('tr:has-text("sticky: 3 sends") input[type="checkbox"]').check()
    const compare = page.getByTestId('history-compare')
    await expect(compare.locator('tbody tr').count()).resolves.toBe(4)
    await expect(compare.locator('tr:has-text("messages decoded") td').last().textContent()).resolves.toMatch(/[+-]2/)
    await screenshot(page, 'history-en')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-csv').click()])
    const csv = readFileSync((await download.path())!, 'utf8')
    expect(csv.split('\r\n')[0]).toMatch(/^\ufeff?id,time,kind,title,/)
    expect(csv).toContain('sticky: framed')

    // Runs of another kind cannot join the comparison; the difference says which way it goes.
    await expect(page.locator('tr:has-text("seeded cpu:400ms*4") input[type="checkbox"]').isDisabled()).resolves.toBe(true)
    await expect(page.getByTestId('history-diff-way').textContent()).resolves.toBe('Difference = B − A')
    await expect(compare.locator('tr:has-text("messages decoded") td').last().textContent()).resolves.toBe('-2')

    // Open shows that run's own saved numbers (not the newest run's), then re-runs it with its settings.
    await page.locator('tr:has-text("sticky: 3 sends") button', { hasText: 'Open' }).click()
    const detail = page.getByTestId('history-detail')
    await detail.waitFor()
    await expect(detail.locator('[data-measure="recovered"] td').textContent()).resolves.toBe('1')
    await expect(detail.locator('[data-measure="bytes"] td').textContent()).resolves.toBe('16')
    await page.locator('tr:has-text("sticky: framed") button', { hasText: 'Open' }).click()
    await expect.poll(() => detail.locator('[data-measure="bytes"] td').textContent()).toBe('28')
    await expect(detail.locator('[data-measure="recovered"] td').textContent()).resolves.toBe('3')
    await detail.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'history-open-en')
    await page.getByTestId('history-again').click()
    await page.locator('[data-testid="net-tab-sticky"][aria-selected="true"]').waitFor()
    await page.locator('[data-nav="history"]').click()
    const before = await rows.count()
    await page.locator('tr:has-text("seeded cpu:400ms*4") button', { hasText: 'Delete' }).click()
    await expect.poll(() => rows.count()).toBe(before - 1)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()

    const zh = await openLab(browser, url, { lang: 'zh' })
    await zh.locator('[data-nav="history"]').click()
    await zh.getByTestId('history-row').first().waitFor()
    await expect(zh.locator('.history-view h1').textContent()).resolves.toBe('历史记录')
    await zh.locator('tr:has-text("sticky: framed") input[type="checkbox"]').check()
    await zh.locator('tr:has-text("sticky: 3 sends") input[type="checkbox"]').check()
    await screenshot(zh, 'history-zh')
    await zh.context().close()
  })
  it('finds the runs in History after the lab restarts', async () => {
    const before = ((await callLab(url, 'history.list', { limit: 1000 })) as { id: string }[]).map((m) => m.id)
    expect(before.length).toBeGreaterThan(0)
    await lab.stop()
    ;({ lab, url } = await startBrowserMode({ dataDir }))
    const page = await openLab(browser, url, { lang: 'en' })
    await page.locator('[data-nav="history"]').click()
    await page.getByTestId('history-row').first().waitFor()
    await expect(page.getByTestId('history-row').count()).resolves.toBe(before.length)
    await page.context().close()
  })

  it('predictions, language, theme and the open lesson last across a restart of the lab on a new port', async () => {
    const own = await startBrowserMode()
    let restarted: Awaited<ReturnType<typeof startBrowserMode>> | null = null
    try {
      const page = await openLab(browser, own.url, { lang: 'zh', theme: 'dark' })
      await openLessons(page)
      await page.locator('[data-lesson="framing"]').click()
      await page.locator('[data-lesson-page="framing"]').waitFor()
      await page.locator('input[data-choice="three"]').check()
      await page.getByTestId('predict-lock').click()
      await page.getByTestId('prediction-yours').waitFor()
      // Saved by the engine, in the data folder, before the page is gone.
      await expect
        .poll(async () => ((await callLab(own.url, 'learner.get', {})) as { state: { predictions: Record<string, unknown> } }).state.predictions.framing)
        .toMatchObject({ choice: 'three' })
      await page.context().close()
      await own.lab.stop()

      restarted = await startBrowserMode({ dataDir: own.dataDir })
      expect(restarted.port).not.toBe(0)
      const again = await openLab(browser, restarted.url, { keepLearner: true })
      await again.locator('[data-lesson-page="framing"]').or(again.locator('.view-head h1')).first().waitFor()
      // The shell renders before the engine's learner state arrives: wait for the state, not a moment.
      await expect.poll(() => again.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
      await expect.poll(() => again.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
      await openLessons(again)
      await again.locator('[data-lesson-page="framing"]').waitFor()
      await expect(again.getByTestId('prediction-yours').textContent()).resolves.toContain('3 条，和发送的一模一样')
      expect(pageProblems(again)).toEqual([])
      await again.context().close()
    } finally {
      await restarted?.lab.stop()
      await own.lab.stop().catch(() => {})
    }
  })

  it('the lab restarts under an open page: the page reconnects by itself, and predictions, language and theme are still there', async () => {
    const own = await startBrowserMode()
    let current = own.lab
    try {
      const page = await openLab(browser, own.url, { lang: 'en', theme: 'light' })
      await openLessons(page)
      await page.locator('[data-lesson="udp-datagrams"]').click()
      await page.locator('[data-lesson-page="udp-datagrams"]').waitFor()
      await page.locator('input[data-choice="three"]').check()
      await page.getByTestId('predict-lock').click()
      await page.getByTestId('lang-select').selectOption('zh')
      await page.getByTestId('theme-dark').click()
      await expect
        .poll(async () => ((await callLab(own.url, 'learner.get', {})) as { state: { lang: string; theme: string } }).state)
        .toMatchObject({ lang: 'zh', theme: 'dark' })

      await current.stop()
      await page.locator('[data-testid="engine-state"][data-state="reconnecting"]').waitFor()
      // Same data folder and port: the same address and token, so this page can come back.
      current = (await startBrowserMode({ dataDir: own.dataDir, port: own.port })).lab
      await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor({ timeout: 30_000 })
      // The learner's state survived in the data folder, and the reconnected page shows it.
      const state = ((await callLab(own.url, 'learner.get', {})) as { state: { lang: string; theme: string; predictions: Record<string, { choice: string }> } }).state
      expect(state).toMatchObject({ lang: 'zh', theme: 'dark', predictions: { 'udp-datagrams': { choice: 'three' } } })
      await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN')
      await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark')
      await expect(page.getByTestId('prediction-yours').textContent()).resolves.toContain('3 次，每次一个数据报')
      // And a reload of the page (a fresh start of the renderer) shows the same.
      await page.reload()
      await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
      await openLessons(page)
      await page.locator('[data-lesson-page="udp-datagrams"]').waitFor()
      await expect(page.getByTestId('prediction-yours').textContent()).resolves.toContain('3 次，每次一个数据报')
      await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark')
      await page.context().close()
    } finally {
      await current.stop()
    }
  })

  it('a practice problem on the simulator is answered, marked against the engine and scored; the score is kept', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    await openLessons(page)
    await page.locator('[data-lesson="multiprogramming"]').click()
    const practice = page.getByTestId('practice')
    await practice.waitFor()
    const seed = Number(await practice.getAttribute('data-seed'))
    const { simProblem } = await import('../../shared/practice')
    const problem = simProblem(seed)
    const truth = (await callLab(url, 'sim.run', { program: problem.program, switchOn: problem.switchOn, ioLength: problem.ioLength, ioDone: 'later' })) as {
      totalTime: number
      cpuBusy: number
      ioBusy: number
      trace: { tick: number; states: string[] }[]
    }
    // Two totals right, one wrong on purpose; every tick's states right but one cell.
    await page.getByTestId('practice-total').fill(String(truth.totalTime))
    await page.getByTestId('practice-cpu').fill(String(truth.cpuBusy))
    await page.getByTestId('practice-io').fill(String(truth.ioBusy + 1))
    const cells = truth.trace.length * truth.trace[0]!.states.length
    for (const row of truth.trace) {
      for (const [pid, state] of row.states.entries()) {
        const wrong = row.tick === 1 && pid === 0
        await page.getByTestId(`practice-cell-${row.tick}-${pid}`).locator('select').selectOption(wrong ? (state === 'READY' ? 'DONE' : 'READY') : state)
      }
    }
    await practice.locator('[data-testid="practice-grid"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'practice-ticks-en')
    await page.getByTestId('practice-reveal').click()
    await expect(page.getByTestId('practice-result').textContent()).resolves.toBe(`${2 + cells - 1} of ${3 + cells} right`)
    await expect(page.getByTestId('practice-cells').textContent()).resolves.toBe(`${cells - 1} of ${cells} tick cells right`)
    // The cell that was wrong says so and shows the simulator's state; a right one is marked right.
    await expect(page.getByTestId('practice-cell-1-0').getAttribute('class')).resolves.toContain('cell-no')
    await expect(page.getByTestId('practice-cell-1-0').textContent()).resolves.toContain(truth.trace[0]!.states[0]!)
    await expect(page.getByTestId(`practice-cell-${truth.trace.length}-0`).getAttribute('class')).resolves.toContain('cell-ok')
    await expect(practice.textContent()).resolves.toContain(`answer: ${truth.ioBusy}`)
    await expect(page.getByTestId('practice-score').textContent()).resolves.toBe(`score: ${2 + cells - 1} of ${3 + cells} answers right in 1 problem`)
    await expect
      .poll(async () => ((await callLab(url, 'learner.get', {})) as { state: { practice: Record<string, { problems: number; right: number }> } }).state.practice.multiprogramming)
      .toMatchObject({ problems: 1, right: 2 + cells - 1, lastMode: 'ticks' })
    await practice.locator('[data-testid="practice-grid"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'practice-ticks-marked-en')
    await page.getByTestId('lang-select').selectOption('zh')
    await expect(page.getByTestId('practice-result').textContent()).resolves.toBe(`答对 ${2 + cells - 1} / ${3 + cells}`)
    await practice.locator('[data-testid="practice-grid"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'practice-zh')
    await page.getByTestId('lang-select').selectOption('en')
    // Totals only: three answers.
    await page.getByTestId('practice-next').click()
    await page.getByTestId('practice-mode-totals').check()
    await expect(page.getByTestId('practice-grid').count()).resolves.toBe(0)
    await page.getByTestId('practice-reveal').click()
    await expect(page.getByTestId('practice-result').textContent()).resolves.toBe('0 of 3 right')
    await practice.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'practice-en')
    // The scheduler (sim.schedule): averages marked against the engine's own numbers.
    const sched = page.getByTestId('sched-practice')
    const { schedProblem } = await import('../../shared/practice')
    const sp = schedProblem(Number(await sched.getAttribute('data-seed')))
    const avg = ((await callLab(url, 'sim.schedule', { policy: sp.policy, list: sp.list, quantum: sp.quantum })) as { average: Record<string, number> }).average
    await page.getByTestId('sched-response').fill(avg.response!.toFixed(2))
    await page.getByTestId('sched-turnaround').fill(avg.turnaround!.toFixed(2))
    await page.getByTestId('sched-wait').fill('999')
    await page.getByTestId('sched-reveal').click()
    await expect(page.getByTestId('sched-result').textContent()).resolves.toBe('2 of 3 right')
    await page.getByTestId('lang-select').selectOption('zh')
    await expect(page.getByTestId('practice-result').textContent()).resolves.toBe('答对 0 / 3')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('an exercise: the starter is copied into the data folder, Check fails it saying why; the reference solution passes', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    await openLessons(page)
    await page.locator('[data-lesson="tcp-loops"]').click()
    const card = page.getByTestId('exercise')
    await card.waitFor()
    if (await page.getByTestId('exercise-prepare').count()) await page.getByTestId('exercise-prepare').click()
    const where = (await page.getByTestId('exercise-path').textContent())!
    expect(where).toBe(path.join(dataDir, 'exercises', 'upper_server.py'))
    expect(readFileSync(where, 'utf8')).toContain('Exercise (a)')
    // Browser mode: the path and a copy button, no "open folder".
    await expect(page.getByTestId('exercise-open-folder').count()).resolves.toBe(0)
    await page.getByTestId('exercise-check').click()
    const report = page.getByTestId('exercise-report')
    await report.waitFor({ timeout: 60_000 })
    await expect(report.textContent()).resolves.toContain('Not yet')
    await expect(page.getByTestId('exercise-why').first().textContent()).resolves.toMatch(/sendall\(\) is outside the try/)
    await card.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'exercise-check-en')
    await page.getByTestId('lang-select').selectOption('zh')
    await expect(page.getByTestId('exercise-why').first().textContent()).resolves.toContain('sendall() 在 try 外面')
    await card.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await screenshot(page, 'exercise-check-zh')

    // The learner fixes the file in their own editor; Check passes and the lab remembers it.
    copyFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'exercises', 'upper_server.py'), where)
    await page.getByTestId('exercise-check').click()
    await expect.poll(() => report.textContent(), { timeout: 60_000 }).toContain('每一步都通过了')
    await page.getByTestId('exercise-passed').waitFor()
    await page.reload()
    await openLessons(page)
    await page.getByTestId('exercise-passed').waitFor()
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  }, 180_000)
})
