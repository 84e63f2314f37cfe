import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { LabProcess } from './cli'
import { SCREENSHOT_DIR } from './paths'
import path from 'node:path'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * Starts the real browser-mode door (`lab web`) and resolves its tokenized URL. Its history
 * goes to `dataDir` (default: a fresh temporary folder, never the learner's own data folder).
 */
export async function startBrowserMode(opts: { dataDir?: string; port?: number } = {}): Promise<{ lab: LabProcess; url: string; port: number; dataDir: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'lab-web-'))
  // Port 0 unless asked: a restart of the lab on the same data folder and port is the same address (same token).
  const lab = new LabProcess(['web', '--port', String(opts.port ?? 0), '--no-open', '--json', '--data-dir', dataDir])
  const line = await lab.waitFor((l) => l.event === 'web')
  return { lab, url: String(line.url), port: Number(line.port), dataDir }
}

/** Window sizes the lab must work at: a small laptop, and 200 % zoom on 1280×800 (half the CSS pixels, twice the device pixels). */
export const SCREENS = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  small: { viewport: { width: 1024, height: 700 }, deviceScaleFactor: 1 },
  zoom200: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
} as const
export type Screen = keyof typeof SCREENS

/** Opens the lab in a 1280×800 page (or `screen`) in the chosen language and theme (the first-run welcome closed unless `welcome`). */
export async function openLab(
  browser: Browser,
  url: string,
  opts: { lang?: 'en' | 'zh'; theme?: 'light' | 'dark'; welcome?: boolean; screen?: Screen } = {},
): Promise<Page> {
  const context = await browser.newContext({ ...SCREENS[opts.screen ?? 'desktop'], locale: opts.lang === 'zh' ? 'zh-CN' : 'en-US' })
  await context.addInitScript(
    ([lang, theme]) => {
      // Runs in the page, where localStorage exists; the test's own lib has no DOM types.
      // Only on the first load: a reload must show what the learner chose since.
      const storage = (globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage
      if (lang && storage.getItem('lab.lang') === null) storage.setItem('lab.lang', lang)
      if (theme && storage.getItem('lab.theme') === null) storage.setItem('lab.theme', theme)
    },
    [opts.lang ?? 'en', opts.theme ?? 'light'],
  )
  if (!opts.welcome) {
    await context.addInitScript(() => {
      const storage = (globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage
      if (storage.getItem('lab.welcome') === null) storage.setItem('lab.welcome', 'done')
    })
  }
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  ;(page as Page & { problems: string[] }).problems = problems
  await page.goto(url)
  // By state, not by text: "disconnected" contains "connected".
  await page.locator('[data-testid="engine-state"][data-state="open"]').waitFor()
  return page
}

/** Errors the page logged (CSP violations, exceptions) since it opened. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? []
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file })
  return file
}

export interface BrowserSession {
  browser: Browser
  lab: LabProcess
  url: string
  port: number
  dataDir: string
}

/**
 * For a describe block: starts browser mode and Chromium before its tests, closes both after.
 * Read the fields inside tests (they are filled in by beforeAll).
 */
export function useBrowserSession(): BrowserSession {
  const session = {} as BrowserSession
  beforeAll(async () => {
    Object.assign(session, await startBrowserMode())
    session.browser = await launchChromium()
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.lab?.stop()
  })
  return session
}
