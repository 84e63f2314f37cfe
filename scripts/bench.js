// `npm run bench`: builds the lab (the servers under test run from out/), then runs every
// tests/bench/*-bench.ts, which print their tables. The machine is small and shared: run it
// on purpose, not in a loop. Extra arguments go to vitest (e.g. a file name to run one bench).
import { spawnSync } from 'node:child_process'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const shell = process.platform === 'win32'
const steps = [
  ['build', npm, ['run', 'build', '--silent']],
  ['bench', npx, ['vitest', 'run', '--config', 'tests/bench/vitest.bench.config.ts', ...process.argv.slice(2)]],
]
for (const [name, cmd, args] of steps) {
  console.log(`\n── ${name} ──`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell })
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal}).`)
    process.exit(r.status || 1)
  }
}
