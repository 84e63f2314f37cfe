import { execFileSync } from 'node:child_process'

/** Whether `python3` runs on this machine (probed once, when a test file loads): suites that need it skip, saying so. */
export const hasPython: boolean = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore', timeout: 5_000 })
    return true
  } catch {
    return false
  }
})()
