// `npm test`: build, lint (including the layer rules), typecheck, then every vitest project
// (unit, integration with real sockets and processes, end-to-end in headless Chromium).
import { spawnSync } from 'node:child_process'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const steps = [
  ['build', npm, ['run', 'build', '--silent']],
  ['lint', npx, ['eslint', '.', '--max-warnings=0']],
  ['typecheck', npm, ['run', 'typecheck', '--silent']],
  ['tests', npx, ['vitest', 'run', ...process.argv.slice(2)]],
]
for (const [name, cmd, args] of steps) {
  console.log(`\n── ${name} ──`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal}).`)
    process.exit(r.status || 1)
  }
}
