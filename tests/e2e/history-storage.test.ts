import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabProcess } from '../helpers/cli'
import { hasChromium, launchChromium, openLab, startBrowserMode } from '../helpers/browser'

/** docs/SECURITY.md item 26: a failed write is shown to the learner and does not crash the lab. */
describe.skipIf(!hasChromium)('History when the data folder cannot be written', () => {
  let browser: Browser
  let lab: LabProcess
  let url: string
  let scratch: string

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'lab-blocked-'))
    // A regular file where the data folder should be: every write fails, even as root.
    const blocked = path.join(scratch, 'data')
    writeFileSync(blocked, 'not a folder')
    ;({ lab, url } = await startBrowserMode({ dataDir: blocked }))
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await lab?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('shows ERR_STORAGE, keeps the run for the session, and the lesson still shows its numbers', async () => {
    // keepLearner: resetting the learner store would fail here, its folder being a file.
    const page = await openLab(browser, url, { lang: 'en', keepLearner: true })
    await page.locator('[data-nav="lessons"]').click()
    await page.locator('[data-lesson="sticky-packets"]').click()
    await page.locator('[data-lesson-page="sticky-packets"]').waitFor()
    await page.locator('input[data-choice="one"]').check()
    await page.getByTestId('predict-lock').click()
    await page.locator('[data-try="network/sticky"]').first().click()
    // The learner store's saves fail here too: the first ERR_STORAGE notice is enough.
    const notice = page.getByTestId('notice').filter({ hasText: 'ERR_STORAGE' }).first()
    await notice.waitFor({ timeout: 30_000 })
    await expect(notice.textContent()).resolves.toContain('Could not save to the data folder.')
    await notice.getByRole('button').click()

    await page.locator('[data-nav="lessons"]').click()
    await page.getByTestId('prediction-run').waitFor()
    await expect(page.getByTestId('prediction-run').locator('tr.main:has-text("send() calls") td').textContent()).resolves.toBe('3')

    await page.locator('[data-nav="history"]').click()
    const row = page.getByTestId('history-row').first()
    await row.waitFor()
    await expect(row.locator('.pill').textContent()).resolves.toBe('not saved')
    // The lab is still running: the engine answers.
    await expect(page.getByTestId('engine-state').textContent()).resolves.toMatch(/connected/)
    await page.context().close()
  })
})

/** Issue #12: damaged lines of history.jsonl are counted and shown, never dropped silently. */
describe.skipIf(!hasChromium)('History with damaged lines in its file', () => {
  let browser: Browser
  let lab: LabProcess
  let url: string
  let dataDir: string

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lab-damaged-'))
    const good = JSON.stringify({ op: 'add', id: 'ok-1', at: 1_700_000_000_000, kind: 'net.sticky', title: 'kept run', settings: {}, summary: { reads: 2 }, result: null })
    writeFileSync(path.join(dataDir, 'history.jsonl'), `${good}\nnot json\n{"op":"add","id":"x","at":1,"kind":"k","title":"t","settings":{},"summary":"no","result":null}\n{"op":"add","id":"torn"`)
    ;({ lab, url } = await startBrowserMode({ dataDir }))
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await lab?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('says how many lines were kept aside, and where, and lists the good record', async () => {
    const page = await openLab(browser, url, { lang: 'en' })
    await page.locator('[data-nav="history"]').click()
    const note = page.getByTestId('history-damaged')
    await note.waitFor()
    expect(await note.textContent()).toMatch(/3 damaged lines of the history file were kept aside in .*history\.damaged\.jsonl/)
    await expect(page.getByTestId('history-row').count()).resolves.toBe(1)
  })
})
