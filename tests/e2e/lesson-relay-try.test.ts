import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { LESSONS } from '../../renderer/lessons'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

/**
 * The relay's presets tied to their lessons (issue 14): "UDP over a lossy link" from the UDP lesson
 * and "slow link" from the sticky-packets lesson open the relay with the preset, start it with the
 * course's servers behind it and run the probes the preset is about, in both languages.
 */

async function tryRelayFrom(page: Page, lessonId: string): Promise<void> {
  await page.locator('[data-nav="lessons"]').click()
  await page.locator(`[data-lesson="${lessonId}"]`).click()
  await page.locator(`[data-lesson-page="${lessonId}"]`).waitFor()
  if ((await page.getByTestId('predict-lock').count()) > 0) {
    const lesson = LESSONS.find((l) => l.id === lessonId)!
    await page.locator(`input[data-choice="${lesson.prediction.choices[0]!.id}"]`).check()
    await page.getByTestId('predict-lock').click()
  }
  // Reached from the keyboard, as every try-it is.
  await page.locator('[data-try="network/relay"]').focus()
  await page.keyboard.press('Enter')
  await page.locator('[data-testid="net-tab-relay"][aria-selected="true"]').waitFor()
}

describe.skipIf(!hasChromium)('relay presets from the lessons in Chromium (issue 14)', () => {
  const session = useBrowserSession()

  it('the UDP lesson’s “UDP over a lossy link” starts the relay and shows UDP losing datagrams while TCP delivers all (en, 1024×700)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'en', screen: 'small' })
    await tryRelayFrom(page, 'udp-datagrams')
    // The panel applies the preset once it has read the relays back (relay.load): waited for, not read at once.
    await page.locator('[data-testid="relay-preset-lossyUdp"][aria-pressed="true"]').waitFor()
    await expect(page.getByTestId('relay-preset-hint').textContent()).resolves.toMatch(/^Lesson 11 \(UDP: datagrams\)/)
    await page.locator('[data-testid="relay-item"][data-state="listening"]').waitFor()
    const udp = page.getByTestId('relay-probe-udp-result')
    await udp.waitFor()
    // The preset's seed on a new relay: the same three lost every time, and the probe ended once each
    // datagram was back or dropped by the relay (not on its wait), so nothing else is missing.
    await expect(udp.getAttribute('data-accounted')).resolves.toBe('true')
    await expect(udp.getAttribute('data-dropped')).resolves.toBe('3 6 13')
    await expect(udp.getAttribute('data-missing')).resolves.toBe('3')
    const tcp = page.getByTestId('relay-probe-tcp-result')
    await tcp.waitFor()
    await expect(tcp.getAttribute('data-identical')).resolves.toBe('true')
    await expect(tcp.getAttribute('data-received')).resolves.toBe('20')
    await page.getByTestId('back-to-lesson').waitFor()
    await page.getByTestId('relay-probe-udp-result').scrollIntoViewIfNeeded()
    await screenshot(page, 'lesson-relay-lossy-en')
    await page.getByTestId('relay-stop').first().click()
    await page.locator('[data-testid="relay-item"][data-state="listening"]').waitFor({ state: 'detached' })
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })

  it('the sticky-packets lesson’s “slow link” starts the TCP relay and its probe (zh, dark)', async () => {
    const page = await openLab(session.browser, session.url, { lang: 'zh', theme: 'dark', screen: 'small' })
    await page.locator('[data-nav="lessons"]').click()
    await page.locator('[data-lesson="sticky-packets"]').click()
    await expect(page.locator('[data-try="network/relay"]').textContent()).resolves.toBe('慢速链路：读得不慢也粘包（中继）')
    await tryRelayFrom(page, 'sticky-packets')
    // The panel applies the preset once it has read the relays back (relay.load): waited for, not read at once.
    await page.locator('[data-testid="relay-preset-slowLink"][aria-pressed="true"]').waitFor()
    await expect(page.getByTestId('relay-preset-hint').textContent()).resolves.toMatch(/^第 9 课（粘包）/)
    await expect(page.getByTestId('relay-proto').inputValue()).resolves.toBe('tcp')
    const tcp = page.getByTestId('relay-probe-tcp-result')
    await tcp.waitFor()
    await expect(tcp.getAttribute('data-received')).resolves.toBe('20')
    await page.getByTestId('relay-tcp-lanes').waitFor()
    // A TCP relay has no UDP probe to run.
    await expect(page.getByTestId('relay-probe-udp-result').count()).resolves.toBe(0)
    await page.getByTestId('relay-probe-tcp-result').scrollIntoViewIfNeeded()
    await screenshot(page, 'lesson-relay-slow-zh-dark')
    await page.getByTestId('relay-stop').first().click()
    await page.locator('[data-testid="relay-item"][data-state="listening"]').waitFor({ state: 'detached' })
    expect(pageProblems(page)).toEqual([])
    await page.context().close()
  })
})
