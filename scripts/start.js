// `npm start`: the Electron app when its binary is installed, else browser mode with a clear note.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ELECTRON_HELP, electronStatus } from './electron-status.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('The lab is not built yet: run `npm install` (or `npm run build`) first.')
  process.exit(1)
}

// LAB_BROWSER_MODE=1 opens browser mode even where Electron is installed (tests/integration/start.test.ts
// runs the fallback that way on every machine, CI's included, instead of skipping it there).
const status = process.env.LAB_BROWSER_MODE === '1' ? { installed: false, reason: 'LAB_BROWSER_MODE=1 asked for browser mode' } : electronStatus()
const extra = process.argv.slice(2)
if (status.installed) {
  const child = spawn(status.binary, [root, ...extra], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
} else {
  console.log(`\n${ELECTRON_HELP}\n\n(Why: ${status.reason}.)\n`)
  // Browser mode runs in this process: a second Node start cost as much as the rest of the lab's
  // own start-up (tests/bench/startup-bench.ts). The CLI reads process.argv and stops on SIGINT/SIGTERM itself.
  process.argv = [process.argv[0], path.join(root, 'bin', 'lab.js'), 'web', ...extra]
  await import(pathToFileURL(path.join(root, 'bin', 'lab.js')).href)
}
