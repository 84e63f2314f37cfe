import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'
import { hasBuild } from '../helpers/required'

// Runs wherever the lab is built, Electron installed or not: LAB_BROWSER_MODE=1 makes start.js take
// the path it takes when Electron's binary is missing.
describe.skipIf(!hasBuild())('npm start without the Electron binary', () => {
  it('explains why and how to get Electron, then starts browser mode and prints its address', async () => {
    // Its own data folder: the learner's real one must not get this run's web-token.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-start-'))
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.js'), '--no-open', '--port', '0', '--data-dir', dataDir], { cwd: REPO_ROOT, env: { ...process.env, LAB_BROWSER_MODE: '1' } })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(out)), 15_000)
      child.stdout.on('data', () => {
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/)
        if (m) {
          clearTimeout(timer)
          resolve(m[0])
        }
      })
    })
    expect(out).toMatch(/browser mode/)
    expect(out).toMatch(/ELECTRON_MIRROR/)
    expect(out).toMatch(/HTTPS_PROXY/)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
