import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import type { Locator, Page } from 'playwright-core'
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
  /** Every pixel, RGBA, row after row (the PNG filters undone). */
  pixels: Buffer
}

/** Undoes the PNG row filters (None, Sub, Up, Average, Paeth) of 8-bit RGBA data. */
function unfilter(raw: Buffer, width: number, height: number): Buffer {
  const stride = width * 4
  const out = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const row = y * stride
    if (filter > 4) throw new Error(`PNG row ${y}: unknown filter ${filter}`)
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? out[row + x - 4]! : 0
      const b = y > 0 ? out[row - stride + x]! : 0
      const c = x >= 4 && y > 0 ? out[row - stride + x - 4]! : 0
      let predictor = 0
      if (filter === 1) predictor = a
      else if (filter === 2) predictor = b
      else if (filter === 3) predictor = (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      out[row + x] = (line[x]! + predictor) & 0xff
    }
  }
  return out
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
  return { file, name, bytes, width, height, corner, pixels: unfilter(raw, width, height) }
}

/** How many pixels of the picture are `rgb` (opaque, each channel within 2: anti-aliasing aside). */
function pixelsOf(png: Png, rgb: readonly number[]): number {
  let n = 0
  for (let i = 0; i < png.pixels.length; i += 4) {
    const px = png.pixels
    if (px[i + 3] === 255 && Math.abs(px[i]! - rgb[0]!) <= 2 && Math.abs(px[i + 1]! - rgb[1]!) <= 2 && Math.abs(px[i + 2]! - rgb[2]!) <= 2) n++
  }
  return n
}

/**
 * The chart's marks as the page draws them: the opaque filled rectangles of the chart's <svg>
 * (the nearest one around the PNG button), their area in CSS pixels summed per colour, largest first.
 */
async function marksOf(button: Locator): Promise<{ rgb: number[]; area: number }[]> {
  return button.evaluate((el) => {
    let box: Element | null = el
    while (box && !box.querySelector('svg:not(.png-btn svg)')) box = box.parentElement
    const svg = box?.querySelector('svg:not(.png-btn svg)')
    if (!svg) return []
    // Computed colours come in any syntax (color-mix gives color(srgb …)): a 1-pixel canvas reads them as RGBA.
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!
    const rgbaOf = (css: string): number[] => {
      ctx.clearRect(0, 0, 1, 1)
      ctx.fillStyle = css
      ctx.fillRect(0, 0, 1, 1)
      return [...ctx.getImageData(0, 0, 1, 1).data]
    }
    const areas = new Map<string, number>()
    for (const rect of Array.from(svg.querySelectorAll('rect'))) {
      let opacity = 1
      for (let e: Element | null = rect; e && e !== svg.parentElement; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity)
      const cs = getComputedStyle(rect)
      if (cs.fill === 'none' || cs.fill.startsWith('url(') || opacity !== 1 || Number(cs.fillOpacity) !== 1) continue
      const rgba = rgbaOf(cs.fill)
      if (rgba[3] !== 255) continue
      const b = rect.getBBox()
      const key = rgba.slice(0, 3).join(',')
      areas.set(key, (areas.get(key) ?? 0) + b.width * b.height)
    }
    return [...areas.entries()].map(([k, area]) => ({ rgb: k.split(',').map(Number), area })).sort((x, y) => y.area - x.area)
  })
}

/** Clicks a PNG button and returns the file Chromium downloaded. */
async function savePng(page: Page, testId: string, prefix: string): Promise<Png> {
  const button = page.getByTestId(testId).first()
  await button.scrollIntoViewIfNeeded()
  const marks = await marksOf(button)
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
  const name = download.suggestedFilename()
  expect(name).toMatch(new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.png$`))
  mkdirSync(OUT, { recursive: true })
  const file = path.join(OUT, `${path.basename(name, '.png')}-${(await page.evaluate(() => document.documentElement.dataset.theme)) ?? 'x'}.png`)
  await download.saveAs(file)
  const png = readPng(file, name)
  // At twice the screen's density: a real chart, not an empty or tiny picture.
  expect(png.width).toBeGreaterThan(100)
  expect(png.height).toBeGreaterThan(100)
  expect(png.bytes.length).toBeGreaterThan(3_000)
  // What the chart draws is in the picture: its largest mark colour (not the background) covers,
  // at twice the density, at least half the area it covers on screen. Title and legend alone
  // (a chart that draws nothing) cannot: a legend swatch is 14×10 CSS pixels.
  const bg = png.corner.slice(0, 3)
  const mark = marks.find((m) => m.rgb.some((v, i) => Math.abs(v - bg[i]!) > 8))
  expect(mark, `${testId}: the chart on screen has filled marks`).toBeDefined()
  expect(mark!.area, `${testId}: marks larger than a legend swatch`).toBeGreaterThan(4 * 14 * 10)
  const scale = 2
  expect(pixelsOf(png, mark!.rgb), `${testId}: pixels of rgb(${mark!.rgb.join(', ')}), ${Math.round(mark!.area)} CSS px² on screen`).toBeGreaterThanOrEqual(0.5 * mark!.area * scale * scale)
  return png
}

/** The theme's surface colour, as the page computes it. */
async function surface(page: Page): Promise<[number, number, number]> {
  const raw = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--surface').trim())
  // The minified stylesheet may write #fff for #ffffff.
  const hex = /^#[0-9a-f]{3}$/i.test(raw) ? `#${[...raw.slice(1)].map((c) => c + c).join('')}` : raw
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
