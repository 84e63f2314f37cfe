import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, useBrowserSession } from '../helpers/browser'

/** Where the downloaded PNGs land (kept after the run, to look at). */
const OUT = path.join(tmpdir(), 'lab-chart-png')

interface Png {
  file: string
  name: string
  bytes: Buffer
  width: number
  height: number
  /** RGBA of the top-left pixel (the exported background). */
  corner: [number, number, number, number]
}

/** Reads a PNG file as Chromium's canvas writes it (8-bit RGBA): size from IHDR, the first pixel from the inflated IDAT data. */
function readPng(file: string, name: string): Png {
  const bytes = readFileSync(file)
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR')
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  expect(bytes[24]).toBe(8) // bit depth
  expect(bytes[25]).toBe(6) // RGBA
  const idat: Buffer[] = []
  for (let o = 8; o + 8 <= bytes.length; ) {
    const len = bytes.readUInt32BE(o)
    const type = bytes.subarray(o + 4, o + 8).toString('latin1')
    if (type === 'IDAT') idat.push(bytes.subarray(o + 8, o + 8 + len))
    o += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  expect(raw.length).toBe(height * (1 + width * 4))
  // Row 0, pixel 0: every PNG filter leaves the first pixel of the first row as it is.
  const corner: Png['corner'] = [raw[1]!, raw[2]!, raw[3]!, raw[4]!]
  return { file, name, bytes, width, height, corner }
}

/** Clicks a PNG button and returns the file Chromium downloaded. */
async function savePng(page: Page, testId: string, prefix: string): Promise<Png> {
  const button = page.getByTestId(testId).first()
  await button.scrollIntoViewIfNeeded()
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
  const name = download.suggestedFilename()
  expect(name).toMatch(new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}\\.png$`))
  mkdirSync(OUT, { recursive: true })
  const file = path.join(OUT, `${path.basename(name, '.png')}-${(await page.evaluate(() => document.documentElement.dataset.theme)) ?? 'x'}.png`)
  await download.saveAs(file)
  const png = readPng(file, name)
  // At twice the screen's density: a real chart, not an empty or tiny picture.
  expect(png.width).toBeGreaterThan(100)
  expect(png.height).toBeGreaterThan(100)
  expect(png.bytes.length).toBeGreaterThan(3_000)
  return png
}

/** The theme's surface colour, as the page computes it. */
async function surface(page: Page): Promise<[number, number, number]> {
  const hex = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--surface').trim())
  expect(hex).toMatch(/^#[0-9a-f]{6}$/i)
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
}

async function runSticky(page: Page) {
  await page.locator('[data-nav="network"]').click()
  await page.getByTestId('net-tab-sticky').click()
  await page.getByTestId('sticky-run').click()
  await page.getByTestId('sticky-result').waitFor()
  await page.getByTestId('sticky-recv').first().waitFor()
}

describe.skipIf(!hasChromium)('Charts saved as PNG in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  for (const theme of ['light', 'dark'] as const) {
    it(`saves the sticky-packet lanes and the UDP datagrams as PNG on the ${theme} theme's background`, async () => {
      const page = await openLab(session.browser, session.url, { lang: theme === 'dark' ? 'zh' : 'en', theme })
      await runSticky(page)
      const bg = await surface(page)
      const tcp = await savePng(page, 'png-sticky-tcp', 'sticky-tcp')
      // The background is the theme's surface, drawn opaque (not the transparent default of a bare SVG).
      expect(tcp.corner).toEqual([...bg, 255])
      // Twice the CSS size at least: the lanes span the card's width.
      const css = await page.getByTestId('sticky-svg').evaluate((el) => el.getBoundingClientRect().toJSON() as { width: number; height: number })
      expect(tcp.width).toBeGreaterThanOrEqual(2 * Math.floor(css.width))
      // Taller than the drawing alone: the title above it and the (HTML) legend under it are in the picture.
      expect(tcp.height).toBeGreaterThanOrEqual(2 * Math.floor(css.height + 22 + 18))

      await page.getByTestId('sticky-run-udp').click()
      await page.getByTestId('sticky-datagram').first().waitFor()
      const udp = await savePng(page, 'png-sticky-udp', 'sticky-udp')
      expect(udp.corner).toEqual([...bg, 255])

      // Keyboard: the button is focusable and Enter saves too.
      await page.getByTestId('png-sticky-tcp').focus()
      const [viaKey] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
      expect(viaKey.suggestedFilename()).toMatch(/^sticky-tcp-.*\.png$/)
      await expect(page.getByTestId('notice').count()).resolves.toBe(0)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    })
  }

  it('saves each timeline of a process comparison as PNG', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', theme: 'light' })
    await page.locator('[data-nav="processes"]').click()
    await page.getByTestId('proc-tab-run').click()
    await page.getByTestId('run-spec').fill('io:50ms*2')
    await page.getByTestId('run-compare').click()
    await page.getByTestId('results-row-parallel').waitFor({ timeout: 60_000 })
    const bg = await surface(page)
    for (const mode of ['serial', 'concurrent', 'parallel']) {
      const png = await savePng(page.getByTestId(`timeline-${mode}`).page(), `png-gantt-${mode}`, `gantt-${mode}`)
      expect(png.corner).toEqual([...bg, 255])
    }
    await expect(page.getByTestId('notice').count()).resolves.toBe(0)
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('saves the server comparison chart and a timeline as PNG (dark theme)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', theme: 'dark' })
    await page.locator('[data-nav="network"]').click()
    await page.getByTestId('net-tab-compare').click()
    await page.getByTestId('compare-clients').fill('3')
    await page.getByTestId('compare-messages').fill('2')
    await page.getByTestId('compare-run').click()
    await page.getByTestId('compare-table').waitFor({ timeout: 45_000 })
    const bg = await surface(page)
    await page.getByTestId('compare-metric-meanWaitMs').click()
    const chart = await savePng(page, 'png-compare-meanWaitMs', 'compare-meanWaitMs')
    expect(chart.corner).toEqual([...bg, 255])
    const timeline = await savePng(page, 'png-compare-timeline-serial', 'compare-timeline-serial')
    expect(timeline.corner).toEqual([...bg, 255])
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
