// Runs after `npm install` / `npm ci`: makes sure Electron's type definitions are present
// (even where its binary download failed), then builds the lab so `npm run lab` works at once.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

// Installed as a dependency of something else (global install from a tarball): the package ships out/.
if (!existsSync(path.join(root, 'node_modules', 'electron-vite'))) process.exit(0)

const electronDir = path.join(root, 'node_modules', 'electron')
if (!existsSync(path.join(electronDir, 'package.json'))) {
  // npm dropped the optional electron package because its binary download failed. Unpack the
  // package itself (no binary) from the registry so typechecks and electron-builder see it;
  // `node node_modules/electron/install.js` fetches the binary later where the network allows.
  const version = pkg.optionalDependencies.electron
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-electron-'))
  try {
    const file = execFileSync(npm, ['pack', `electron@${version}`, '--silent', '--pack-destination', tmp], {
      cwd: tmp,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    })
      .trim()
      .split('\n')
      .at(-1)
    mkdirSync(electronDir, { recursive: true })
    execFileSync('tar', ['-xzf', path.join(tmp, file), '-C', electronDir, '--strip-components=1'])
    console.log(`prepare: unpacked electron@${version} without its binary (the download was blocked); the lab will use browser mode.`)
  } catch (err) {
    console.warn(`prepare: could not unpack electron's package (${err.message.split('\n')[0]}); the Electron typecheck will be skipped.`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

execFileSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
