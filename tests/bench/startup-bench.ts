/**
 * Start-up benchmark (issue 16: "`npm start` to a usable page in < 3 s"). Browser mode, as `npm start`
 * runs it without Electron: launch `lab web`, wait for its address, load the page in Chromium and wait
 * until the engine is connected (the shell with its state, i.e. usable). Prints one table; asserts
 * nothing. Baselines in the same run: a bare `node -e ''` start, and Chromium loading about:blank.
 *
 *   npm run bench -- tests/bench/startup-bench.ts
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { it } from 'vitest'
import { LabProcess } from '../helpers/cli'
import { hasChromium, launchChromium } from '../helpers/browser'

const RUNS = 3
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

it.skipIf(!hasChromium)('browser mode: launch to a usable page', async () => {
  const nodeMs: number[] = []
  const blankMs: number[] = []
  const addressMs: number[] = []
  const usableMs: number[] = []
  const browser = await launchChromium()
  try {
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now()
      spawnSync(process.execPath, ['-e', ''])
      nodeMs.push(performance.now() - t0)

      const blank = await browser.newPage()
      t0 = performance.now()
      await blank.goto('about:blank')
      blankMs.push(performance.now() - t0)
      await blank.close()

      const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-startup-'))
      t0 = performance.now()
      const lab = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir])
      try {
        const line = await lab.waitFor((l) => l.event === 'web')
        addressMs.push(performance.now() - t0)
        const page = await browser.newPage()
        await page.goto(String(line.url))
        await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
        usableMs.push(performance.now() - t0)
        await page.close()
      } finally {
        await lab.stop()
      }
    }
  } finally {
    await browser.close()
  }
  const rows = [
    ['baseline: node -e ""', median(nodeMs)],
    ['baseline: Chromium about:blank', median(blankMs)],
    ['lab web: address printed', median(addressMs)],
    ['lab web: page usable (engine connected)', median(usableMs)],
  ] as const
  const base = median(nodeMs)
  console.log(`\nStart-up, median of ${RUNS} (ms; ratio to a bare node start)\n`)
  console.log('| step | ms | × node start |\n| --- | ---: | ---: |')
  for (const [name, ms] of rows) console.log(`| ${name} | ${Math.round(ms)} | ${(ms / base).toFixed(1)} |`)
})
