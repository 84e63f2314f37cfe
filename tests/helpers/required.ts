import { existsSync } from 'node:fs'
import path from 'node:path'
import { it } from 'vitest'
import { REPO_ROOT } from './paths'

/** CI sets CI=true: there every requirement is installed on purpose, so a missing one is a defect. */
export const inCi = process.env.CI === 'true'

/**
 * Whether a test file's requirement (Chromium, python3, the built app) is met. Where it is not,
 * the suites that need it skip, saying why — except in CI (CI=true), where a missing requirement
 * is a failing test that names it: a suite that skips there proves nothing and looks green.
 * Call it while the file's tests are collected (in `describe.skipIf(!…)` or at the top of a
 * helper module the file imports), so the failing test lands in that file.
 */
export function required(ok: boolean, what: string, hint: string): boolean {
  if (!ok) {
    if (inCi) {
      it(`needs ${what} (CI=true: missing requirements fail instead of skipping)`, () => {
        throw new Error(`${what} is missing: ${hint}`)
      })
    } else {
      console.warn(`skipped: ${what} is missing (${hint})`)
    }
  }
  return ok
}

/** The build `npm run build` writes (out/main, out/preload, out/renderer): integration tests start its workers. */
export function hasBuild(): boolean {
  const files = [path.join('out', 'main', 'electron.js'), path.join('out', 'main', 'cli.js'), path.join('out', 'preload', 'preload.cjs'), path.join('out', 'renderer', 'index.html')]
  const missing = files.filter((f) => !existsSync(path.join(REPO_ROOT, f)))
  return required(missing.length === 0, `the built app (${missing.join(', ')})`, 'run `npm run build` first')
}
