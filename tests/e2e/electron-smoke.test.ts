import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'
// @ts-expect-error plain JS helper shared with scripts/start.js
import { electronStatus } from '../../scripts/electron-status.js'

const status = electronStatus() as { installed: true; binary: string } | { installed: false; reason: string }
const reason = status.installed ? '' : ` — skipped: ${status.reason}`
if (!status.installed) console.warn(`Electron smoke test skipped: ${status.reason}. Run \`node node_modules/electron/install.js\` where the download works.`)

/**
 * The desktop window itself. Runs wherever Electron's binary is installed; where its download
 * was blocked (as on the lab's own build machines) it is reported as skipped, with the reason.
 */
describe.skipIf(!status.installed)(`Electron smoke test${reason}`, () => {
  it('opens the window, answers through the preload bridge, starts and stops a server', async () => {
    const app = await electron.launch({
      executablePath: (status as { binary: string }).binary,
      args: [REPO_ROOT, '--no-sandbox'],
      env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
    })
    try {
      const page = await app.firstWindow()
      await page.waitForLoadState('domcontentloaded')
      expect(await page.title()).toMatch(/Socket|套接字/)
      const call = (method: string, input: unknown) =>
        page.evaluate(
          ([m, i]) => (globalThis as unknown as { lab: { methods: Record<string, (x: unknown) => Promise<unknown>> } }).lab.methods[m as string]!(i),
          [method, input] as const,
        ) as Promise<{ ok: boolean; value?: { port?: number; id?: string; door?: string } }>
      const info = await call('lab.info', {})
      expect(info).toMatchObject({ ok: true, value: { door: 'electron' } })
      const started = await call('net.tcpServer.start', { port: 0 })
      expect(started.ok).toBe(true)
      const stopped = await call('net.server.stop', { id: started.value!.id })
      expect(stopped.ok).toBe(true)
      // Nothing but the contract's functions reaches the page.
      const keys = await page.evaluate(() => Object.keys((globalThis as unknown as { lab: object }).lab).sort())
      expect(keys).toEqual(['methods', 'onEvents'])
    } finally {
      await app.close()
    }
  })
})
