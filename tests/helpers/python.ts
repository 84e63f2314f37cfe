import { execFileSync } from 'node:child_process'
import { required } from './required'

/**
 * Whether `python3` runs on this machine (probed once, when a test file loads): suites that need
 * it skip, saying so; in CI they fail instead (tests/helpers/required.ts).
 */
export const hasPython: boolean = required(
  (() => {
    try {
      execFileSync('python3', ['--version'], { stdio: 'ignore', timeout: 5_000 })
      return true
    } catch {
      return false
    }
  })(),
  'python3',
  'install Python 3 (the interop tests run the course\'s own programs)',
)
