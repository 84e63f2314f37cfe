import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_WEB_PORT } from '../../main/cli/commands/web'
import { WEB_TOKEN_FILE } from '../../main/host/web-token'
import { LabProcess, runLab } from '../helpers/cli'

/**
 * Browser mode keeps a stable address (issue #11 §3): a fixed default port with a fallback the
 * output names, and a token kept in the data folder (0600) so a page survives a restart.
 */
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lab-web-addr-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function web(args: string[]): Promise<{ lab: LabProcess; line: Record<string, unknown>; token: string }> {
  const lab = new LabProcess(['web', '--no-open', '--json', ...args])
  const line = await lab.waitFor((l) => l.event === 'web')
  return { lab, line, token: new URL(String(line.url)).searchParams.get('token')! }
}

describe('lab web: a stable address', () => {
  it('keeps the token in the data folder, readable by its owner only, and the same across restarts', async () => {
    const dataDir = tempDir()
    const first = await web(['--port', '0', '--data-dir', dataDir])
    await first.lab.stop()
    const file = path.join(dataDir, WEB_TOKEN_FILE)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = await web(['--port', '0', '--data-dir', dataDir])
    await second.lab.stop()
    expect(second.token).toBe(first.token)
    // Another data folder is another learner: another token.
    const other = await web(['--port', '0', '--data-dir', tempDir()])
    await other.lab.stop()
    expect(other.token).not.toBe(first.token)
  })

  it('narrows a token file others could read to 0600, and replaces a damaged one', async () => {
    const dataDir = tempDir()
    const file = path.join(dataDir, WEB_TOKEN_FILE)
    writeFileSync(file, `${'ab'.repeat(24)}\n`)
    chmodSync(file, 0o644)
    const kept = await web(['--port', '0', '--data-dir', dataDir])
    await kept.lab.stop()
    expect(kept.token).toBe('ab'.repeat(24))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    writeFileSync(file, 'not a token')
    const fresh = await web(['--port', '0', '--data-dir', dataDir])
    await fresh.lab.stop()
    expect(fresh.token).toMatch(/^[0-9a-f]{48}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it(`uses port ${DEFAULT_WEB_PORT} by default, and says so when it falls back to another`, async () => {
    // Hold the default port ourselves (if another program already holds it, it is taken all the same).
    const blocker = net.createServer()
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve())
      blocker.listen(DEFAULT_WEB_PORT, '127.0.0.1', () => resolve())
    })
    try {
      const { lab, line } = await web(['--data-dir', tempDir()])
      await lab.stop()
      expect(line.fallbackFrom).toBe(DEFAULT_WEB_PORT)
      expect(line.port).not.toBe(DEFAULT_WEB_PORT)
      expect(Number(line.port)).toBeGreaterThan(0)
      const text = await runLabText(['web', '--no-open', '--data-dir', tempDir()])
      expect(text).toMatch(new RegExp(`Port ${DEFAULT_WEB_PORT} is taken .* uses port \\d+`))
      expect(text).toMatch(/--port P/)
    } finally {
      blocker.close()
    }
  })

  it('refuses a --port that is taken with ERR_PORT_IN_USE and a hint that names --port', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const taken = (blocker.address() as net.AddressInfo).port
    try {
      const run = await runLab(['web', '--no-open', '--port', String(taken), '--data-dir', tempDir()])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(new RegExp(`ERR_PORT_IN_USE: 127\\.0\\.0\\.1:${taken} is already in use`))
      expect(run.stderr).toMatch(/hint: .*--port/)
      expect(run.stderr).not.toMatch(/highlighted/)
    } finally {
      blocker.close()
    }
  })
})

/** Starts `lab web` in text mode, reads until the address is printed, then stops it. */
async function runLabText(args: string[]): Promise<string> {
  const lab = new LabProcess(args)
  const line = await lab.waitFor((l) => typeof l.text === 'string' && /Open that address/.test(l.text))
  await lab.stop()
  return lab.lines.map((l) => String(l.text ?? '')).join('\n') + String(line.text)
}
