import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'
import { REPO_ROOT } from '../helpers/paths'

type Tab = 'run' | 'tree' | 'counter' | 'simulator' | 'scheduling'

/** Opens Processes › tab, past the first-run welcome card. */
async function openTab(page: Page, tab: Tab): Promise<void> {
  const welcome = page.getByTestId('welcome-close')
  if (await welcome.isVisible()) await welcome.click()
  await page.locator('[data-nav="processes"]').click()
  await page.getByTestId(`proc-tab-${tab}`).click()
  await expect(page.getByTestId(`proc-tab-${tab}`).getAttribute('aria-selected')).resolves.toBe('true')
}

/** Scrolls the main area so `selector` is at the top (the screenshot shows what matters). */
async function scrollTo(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().evaluate((el) => {
    const main = document.getElementById('main')!
    main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top - 12
  })
}

async function switchLang(page: Page, lang: 'en' | 'zh'): Promise<void> {
  await page.getByTestId('lang-select').selectOption(lang)
  await page.locator('h1').filter({ hasText: lang === 'zh' ? '进程实验' : 'Process lab' }).waitFor()
}

describe.skipIf(!hasChromium)('Processes view in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  it('compares serial, concurrent and parallel from the UI: three timelines and a results table', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'run')
    await page.getByTestId('results-empty').waitFor()
    // A bad spec is explained and blocks the run.
    await page.getByTestId('run-spec').fill('cpu:abc')
    await expect(page.getByTestId('run-spec-help').textContent()).resolves.toMatch(/not a duration/)
    await expect(page.getByTestId('run-compare').isDisabled()).resolves.toBe(true)
    // A preset fills the spec in one click.
    await page.getByTestId('run-preset-io').click()
    await expect(page.getByTestId('run-spec').inputValue()).resolves.toBe('io:200ms*8')

    await page.getByTestId('run-spec').fill('cpu:100ms*2')
    await page.getByTestId('run-compare').click()
    await page.getByTestId('run-progress').waitFor()
    await page.getByTestId('results-row-parallel').waitFor({ timeout: 60_000 })

    for (const mode of ['serial', 'concurrent', 'parallel']) {
      const timeline = page.getByTestId(`timeline-${mode}`)
      await expect(timeline.getByTestId('gantt').count()).resolves.toBe(1)
      await expect(timeline.getByTestId('gantt-bar').count()).resolves.toBe(2)
    }
    // Serial: one process runs both tasks; concurrent: one process per task.
    await expect(page.getByTestId('timeline-serial').getByTestId('gantt-row').count()).resolves.toBe(1)
    await expect(page.getByTestId('timeline-concurrent').getByTestId('gantt-row').count()).resolves.toBe(2)
    // Each bar carries its task, PID and CPU time as a tooltip.
    const tip = await page.getByTestId('timeline-serial').locator('[data-testid="gantt-bar"] title').first().textContent()
    expect(tip).toMatch(/Task #1 · cpu:100ms/)
    expect(tip).toMatch(/PID \d+/)
    expect(tip).toMatch(/CPU time [\d.]+ ms/)

    const table = page.getByTestId('results-table')
    await expect(table.locator('tbody tr').count()).resolves.toBe(3)
    await expect(page.getByTestId('results-row-serial').textContent()).resolves.toMatch(/1\.00×/)
    await expect(page.getByTestId('results-row-concurrent').getByTestId('results-pinned').textContent()).resolves.toMatch(/CPU \d|not pinned/)
    await expect(page.getByTestId('run-lesson').textContent()).resolves.toMatch(/CPU-bound tasks: parallel helps/)
    await expect(page.getByTestId('run-measured').textContent()).resolves.toMatch(/Measured here/)

    // The tabs are keyboard-operable (arrow keys move and select).
    await page.getByTestId('proc-tab-run').focus()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('proc-tab-tree').getAttribute('aria-selected')).resolves.toBe('true')
    await page.keyboard.press('ArrowLeft')
    await expect(page.getByTestId('proc-tab-run').getAttribute('aria-selected')).resolves.toBe('true')
    await page.getByTestId('results-row-parallel').waitFor()

    // For the picture, the course's clearest point (it holds even on a busy machine): eight
    // I/O-bound tasks overlap on ONE CPU.
    await page.getByTestId('run-preset-io').click()
    await page.getByTestId('run-compare').click()
    await page.getByTestId('results-row-parallel').waitFor({ state: 'detached' })
    await page.getByTestId('results-row-parallel').or(page.getByTestId('notice')).first().waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('notice').allTextContents()).toEqual([])
    await expect(page.getByTestId('timeline-concurrent').getByTestId('gantt-row').count()).resolves.toBe(8)
    await expect(page.getByTestId('run-lesson').textContent()).resolves.toMatch(/I\/O-bound tasks: concurrency helps/)
    await scrollTo(page, 'section[aria-labelledby="results-title"]')
    await screenshot(page, 'processes-run-en')
    await switchLang(page, 'zh')
    await scrollTo(page, 'section[aria-labelledby="results-title"]')
    await expect(page.getByTestId('run-lesson').textContent()).resolves.toMatch(/I\/O 密集任务/)
    await screenshot(page, 'processes-run-zh')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('draws one-CPU concurrency interleaved, from the kernel’s samples, with each task’s context switches, in both languages', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'run')
    await page.getByTestId('run-spec').fill('cpu:400ms*4')
    await page.getByTestId('run-mode-concurrent').click()
    await page.getByTestId('run-one').click()
    const timeline = page.getByTestId('timeline-concurrent')
    await timeline.getByTestId('gantt-sampling').or(page.getByTestId('notice')).first().waitFor({ timeout: 90_000 })
    expect(await page.getByTestId('notice').allTextContents()).toEqual([])
    await expect(timeline.getByTestId('gantt-bar').count()).resolves.toBe(4)
    await expect(timeline.getByTestId('gantt-bar-label').allTextContents()).resolves.toEqual(['#1', '#2', '#3', '#4'])
    if (process.platform === 'linux') {
      // Time slices: every task's bar holds many sampled slices, not one block at its start.
      const perBar = await timeline.getByTestId('gantt-bar').evaluateAll((bars) => bars.map((b) => b.querySelectorAll('[data-testid="gantt-slice"]').length))
      for (const n of perBar) expect(n).toBeGreaterThan(3)
      // Interleaved: walking every slice left to right, the task changes many times (four blocks side by side would change 3 times).
      const slices = await timeline.getByTestId('gantt-bar').evaluateAll((bars) =>
        bars.flatMap((b, bar) => [...b.querySelectorAll('[data-testid="gantt-slice"]')].map((r) => ({ bar, x: r.getBoundingClientRect().left }))),
      )
      slices.sort((a, b) => a.x - b.x)
      const changes = slices.filter((s, i) => i > 0 && s.bar !== slices[i - 1]!.bar).length
      expect(changes).toBeGreaterThan(8)
      await expect(timeline.getByTestId('gantt-sampling').textContent()).resolves.toMatch(/sampled every 10 ms .* The sampler used [\d.]+ ms of CPU: [\d.]+ % of one CPU/)
      const tip = await timeline.locator('[data-testid="gantt-bar"] title').first().textContent()
      expect(tip).toMatch(/context switches: \d+ voluntary \(gave the CPU up\), [1-9]\d* involuntary \(the OS took it away\)/)
      expect(tip).toMatch(/runnable but waiting for a CPU: [\d.]+ ms/)
      await timeline.locator('details.task-list summary').click()
      const taken = await timeline.getByTestId('task-involuntary').allTextContents()
      expect(taken).toHaveLength(4)
      for (const n of taken) expect(Number(n)).toBeGreaterThan(0)
    } else {
      await timeline.getByTestId('gantt-somewhere').waitFor()
    }
    await scrollTo(page, 'section[aria-labelledby="timeline-title"]')
    await screenshot(page, 'processes-gantt-slices-en')
    await switchLang(page, 'zh')
    await scrollTo(page, 'section[aria-labelledby="timeline-title"]')
    if (process.platform === 'linux') {
      await expect(timeline.getByTestId('gantt-sampling').textContent()).resolves.toMatch(/每 10 ms 采样一次/)
      await expect(timeline.locator('[data-testid="gantt-bar"] title').first().textContent()).resolves.toMatch(/上下文切换：主动 \d+ 次（自己让出 CPU），被动 [1-9]\d* 次/)
      await expect(timeline.locator('th').filter({ hasText: '被夺走' }).count()).resolves.toBe(1)
      // The switch counts in Chinese too, each task taken off the CPU by the OS at least once.
      const taken = await timeline.getByTestId('task-involuntary').allTextContents()
      expect(taken).toHaveLength(4)
      for (const n of taken) expect(Number(n)).toBeGreaterThan(0)
    }
    await screenshot(page, 'processes-gantt-slices-zh')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('shows the live process tree with the engine and a pool child, and looks up PIDs', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    // lab.info (with the engine's PID) arrives just after the connection.
    await page.getByText(/engine PID \d+/).waitFor()
    const status = await page.getByTestId('engine-state').locator('..').textContent()
    const enginePid = Number(/engine PID (\d+)/.exec(status ?? '')?.[1])
    expect(enginePid).toBeGreaterThan(0)

    await openTab(page, 'tree')
    const engineRow = page.locator(`[data-testid="tree-row"][data-pid="${enginePid}"]`)
    await engineRow.waitFor()
    await expect(engineRow.getAttribute('data-role')).resolves.toBe('main')
    await expect(page.getByTestId('tree-meta').textContent()).resolves.toMatch(/procfs|ps|powershell/)
    // The engine's threads open on demand.
    await page.getByTestId(`threads-toggle-${enginePid}`).click()
    await expect(page.locator(`[data-testid="thread-row"][data-tid="${enginePid}"]`).textContent()).resolves.toMatch(/main thread/)
    await page.getByTestId(`threads-toggle-${enginePid}`).click()

    // Start a run, come back: its pool children appear under the engine.
    await page.getByTestId('proc-tab-run').click()
    await page.getByTestId('run-spec').fill('cpu:700ms*2')
    await page.getByTestId('run-compare').click()
    await page.getByTestId('run-progress').waitFor()
    await page.getByTestId('proc-tab-tree').click()
    const poolRow = page.locator('[data-testid="tree-row"][data-role="pool"]').first()
    await poolRow.waitFor({ timeout: 20_000 })
    const poolPid = Number(await poolRow.getAttribute('data-pid'))
    expect(poolPid).toBeGreaterThan(0)
    expect(poolPid).not.toBe(enginePid)
    await expect(poolRow.locator('td').nth(1).textContent()).resolves.toBe(String(enginePid))
    await expect(poolRow.textContent()).resolves.toMatch(/pool child/)

    // Look-up: an unused PID says so plainly; the engine is found.
    await page.getByTestId('lookup-pid').fill('2147483646')
    await page.getByTestId('lookup-go').click()
    await expect(page.getByTestId('lookup-error').textContent()).resolves.toMatch(/There is no process with PID 2147483646/)
    await page.getByTestId('lookup-pid').fill(String(enginePid))
    await page.getByTestId('lookup-go').click()
    await expect(page.getByTestId('lookup-result').textContent()).resolves.toContain(String(enginePid))
    await page.getByTestId('lookup-go').blur()

    // The concurrent run: one pool child per task, all under the engine.
    await expect.poll(() => page.locator('[data-testid="tree-row"][data-role="pool"]').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
    await screenshot(page, 'processes-tree-en')
    await switchLang(page, 'zh')
    await page.locator('[data-testid="tree-row"][data-role="pool"]').first().waitFor({ timeout: 20_000 }).catch(() => undefined)
    await screenshot(page, 'processes-tree-zh')

    // Stop the run so the next test starts from a quiet lab.
    await page.getByTestId('proc-tab-run').click()
    // A single run has Stop; a comparison has Cancel (it keeps the modes that finished).
    const stop = page.getByTestId('run-stop').or(page.getByTestId('proc-run-progress-cancel'))
    if (await stop.isVisible()) await stop.click()
    await page.getByTestId('run-progress').waitFor({ state: 'detached', timeout: 30_000 })
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('counts with threads (lost updates) and with processes (the parent’s counter unchanged), showing them live', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark' })
    await openTab(page, 'counter')
    await page.getByTestId('counter-n').fill('4')
    await page.getByTestId('counter-increments').fill('200000')
    const num = async (id: string) => Number((await page.getByTestId(id).textContent())!.replace(/[^\d]/g, ''))
    // With atomic increments no update is lost.
    await page.getByTestId('counter-atomic').check()
    await page.getByTestId('counter-run-threads').click()
    await page.getByTestId('counter-progress').waitFor()
    await page.getByTestId('counter-progress').waitFor({ state: 'detached', timeout: 30_000 })
    expect(await num('threads-lost')).toBe(0)
    expect(await num('threads-final')).toBe(800_000)

    // Without: the race (how many are lost varies; expected = final + lost always holds).
    await page.getByTestId('counter-atomic').uncheck()
    await page.getByTestId('counter-run-threads').click()
    await page.getByTestId('counter-progress').waitFor()
    // While they run (and are held), the counter threads show in the compact tree.
    await expect.poll(() => page.getByTestId('counter-tree').getByTestId('thread-row').count(), { timeout: 15_000 }).toBe(4)
    await page.getByTestId('counter-progress').waitFor({ state: 'detached', timeout: 30_000 })
    expect(await num('threads-expected')).toBe(800_000)
    expect(await num('threads-final') + (await num('threads-lost'))).toBe(800_000)

    await page.getByTestId('counter-run-processes').click()
    await page.getByTestId('counter-tree').locator('[data-testid="tree-row"][data-role="counter"]').first().waitFor({ timeout: 15_000 })
    await page.getByTestId('procs-parent').waitFor({ timeout: 30_000 })
    expect(await num('procs-parent')).toBe(0)
    const children = page.getByTestId('procs-child')
    await expect(children.count()).resolves.toBe(4)
    for (const text of await children.allTextContents()) expect(text.replace(/[^\d]/g, '')).toMatch(/200000200000$/)

    await scrollTo(page, 'section[aria-labelledby="counter-title"]')
    await screenshot(page, 'processes-counter-zh')
    await switchLang(page, 'en')
    await screenshot(page, 'processes-counter-en')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('opens an experiment preset (the welcome card’s comparison) on the run tab and runs it at once; Stop ends it', async () => {
    // A fresh profile, as a first-time learner sees it: the welcome card is open.
    const page = await openLab(session.browser, session.url, { lang: 'en', welcome: true })
    await page.getByTestId('welcome-compare').click()
    await expect(page.getByTestId('proc-tab-run').getAttribute('aria-selected')).resolves.toBe('true')
    await expect(page.getByTestId('run-spec').inputValue()).resolves.toBe('cpu:300ms*3,io:300ms*3')
    await page.getByTestId('run-progress').or(page.getByTestId('notice')).first().waitFor()
    expect(await page.getByTestId('notice').allTextContents()).toEqual([])
    await page.getByTestId('proc-run-progress-cancel').click()
    await page.getByTestId('run-progress').waitFor({ state: 'detached', timeout: 20_000 })
    await expect(page.getByTestId('run-compare').isEnabled()).resolves.toBe(true)
    await page.context().close()
  })

  it('Scheduling tab: RR with a quantum as a timeline and the three metrics per job, as scheduler.py computes them', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'scheduling')
    await expect(page.getByTestId('sched-label').textContent()).resolves.toMatch(/Simulation/i)
    await page.getByTestId('sched-empty').waitFor()
    await page.getByTestId('sched-policy-RR').click()
    await page.getByTestId('sched-list').fill('5,3,8')
    await page.getByTestId('sched-quantum').fill('2')
    await expect(page.getByTestId('sched-command').textContent()).resolves.toBe('./scheduler.py -p RR -l 5,3,8 -q 2 -c')
    await page.getByTestId('sched-run').click()
    await page.getByTestId('sched-stats').waitFor()
    // tests/fixtures/scheduler/rr-q2-l5-3-8.txt (recorded with scheduler.py): 9 runs, and its averages.
    await expect(page.getByTestId('sched-slice').count()).resolves.toBe(9)
    await expect(page.getByTestId('sched-stats').locator('tr.avg').textContent()).resolves.toMatch(/Average\s*2\.00\s*12\.33\s*7\.00/)
    await scrollTo(page, '[role="tablist"]')
    await screenshot(page, 'processes-scheduling-en')
    await switchLang(page, 'zh')
    await scrollTo(page, '[role="tablist"]')
    await expect(page.getByTestId('sched-stats').locator('tr.avg').textContent()).resolves.toMatch(/平均/)
    await screenshot(page, 'processes-scheduling-zh')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('simulates OSTEP’s process-run example 4:100,1:0 tick for tick, labelled as a simulation', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en' })
    await openTab(page, 'simulator')
    await expect(page.getByTestId('sim-label').textContent()).resolves.toMatch(/Simulation/)
    await page.getByTestId('sim-empty').waitFor()
    await page.getByTestId('sim-procs').fill('4:100,1:0')
    await expect(page.getByTestId('sim-command').textContent()).resolves.toBe('./process-run.py -l 4:100,1:0 -S SWITCH_ON_IO -I IO_RUN_LATER -L 5 -c -p')
    await page.getByTestId('sim-run').click()
    await page.getByTestId('sim-trace').waitFor()

    // tests/fixtures/process-run/q2-4-100-1-0.txt: what `./process-run.py -l 4:100,1:0 -c -p` prints (OSTEP cpu-intro README, question 2).
    const fixture = readFileSync(path.join(REPO_ROOT, 'tests/fixtures/process-run/q2-4-100-1-0.txt'), 'utf8')
    const expected = fixture.split('\n').filter((l) => /^\s*\d+\*?\s/.test(l)).map((l) => l.trim().split(/\s+/).join(' '))
    const rows = await page.getByTestId('sim-tick').evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim()).filter((t) => t !== '').join(' ')),
    )
    expect(rows).toEqual(expected)
    await expect(page.getByTestId('sim-total').textContent()).resolves.toBe('11')
    await expect(page.getByTestId('sim-stats').textContent()).resolves.toMatch(/54\.55 %/)

    await scrollTo(page, '[role="tablist"]')
    await screenshot(page, 'processes-simulator-en')
    await switchLang(page, 'zh')
    await page.getByTestId('theme-dark').click()
    await scrollTo(page, '[role="tablist"]')
    await expect(page.getByTestId('sim-label').textContent()).resolves.toMatch(/模拟/)
    await screenshot(page, 'processes-simulator-zh')
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
