import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { LabProcess } from './cli'
import { SCREENSHOT_DIR } from './paths'
import { required } from './required'
import path from 'node:path'
import WebSocket from 'ws'
import type { WsMessage } from '../../shared/transport'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Chromium is there (else the e2e suites skip; in CI they fail: tests/helpers/required.ts). */
export const hasChromium = required(existsSync(CHROMIUM), `Chromium at ${CHROMIUM}`, 'install it (apt-get install -y chromium) or set CHROMIUM_PATH')

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

/** One call to the engine over the browser-mode WebSocket, as the page makes it. */
export async function callLab(url: string, method: string, input: unknown): Promise<unknown> {
  const u = new URL(url)
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: `http://${u.host}` })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  try {
    // Events (e.g. another page's learner.changed) may come first: the answer is the result with our id.
    const reply = new Promise<WsMessage>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as WsMessage
        if (m.type === 'result' && m.id === 1) resolve(m)
      }),
    )
    ws.send(JSON.stringify({ id: 1, method, input }))
    const msg = await reply
    if (msg.type !== 'result' || !msg.result.ok) throw new Error(`${method} failed: ${JSON.stringify(msg)}`)
    return msg.result.value
  } finally {
    ws.close()
  }
}

/** Opens the lab in a 1280×800 page (or `screen`) in the chosen language and theme (the first-run welcome closed unless `welcome`). */
export async function openLab(
  browser: Browser,
  url: string,
  opts: { lang?: 'en' | 'zh'; theme?: 'light' | 'dark'; welcome?: boolean; screen?: Screen; keepLearner?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ ...SCREENS[opts.screen ?? 'desktop'], locale: opts.lang === 'zh' ? 'zh-CN' : 'en-US' })
  // The engine keeps the learner's state (learner.json in the data folder), so a new page is a
  // new learner only when the test says so: reset it, unless the test checks what lasts.
  if (!opts.keepLearner) {
    await callLab(url, 'learner.set', {
      lang: opts.lang ?? 'en',
      theme: opts.theme ?? 'light',
      welcome: opts.welcome ? 'open' : 'closed',
      lesson: 'program-process',
      predictions: {},
      practice: {},
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

/** Clicks the first `testId` button until none is left, each time waiting for the page to drop one (no sleep). */
async function clickAllAway(page: Page, testId: string): Promise<void> {
  while ((await page.getByTestId(testId).count()) > 0) {
    const before = await page.getByTestId(testId).count()
    await page.getByTestId(testId).first().click()
    await page.waitForFunction(([id, n]) => document.querySelectorAll(`[data-testid="${id}"]`).length < n, [testId, before] as const)
  }
}

/** Closes every persistent TCP client card, then stops every server the page shows. */
export async function stopAll(page: Page): Promise<void> {
  await clickAllAway(page, 'tcpc-close')
  await clickAllAway(page, 'server-stop')
}

/** Both languages in both themes: for a check that must hold in every look of the page. */
export const EVERY_LOOK = [
  ['en', 'light'],
  ['en', 'dark'],
  ['zh', 'light'],
  ['zh', 'dark'],
] as const
