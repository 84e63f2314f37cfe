// Is Electron's binary installed? Shared by start.js, prepare.js and the Electron smoke test.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Returns { installed: true, binary } or { installed: false, reason }. */
export function electronStatus() {
  let dir
  try {
    dir = path.dirname(require.resolve('electron/package.json'))
  } catch {
    return { installed: false, reason: 'the electron package is not installed (its download failed, so npm left it out)' }
  }
  const pathFile = path.join(dir, 'path.txt')
  if (!existsSync(pathFile)) return { installed: false, reason: 'the Electron binary was not downloaded (node_modules/electron has no dist/)' }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { installed: false, reason: `the Electron binary is missing at ${binary}` }
  return { installed: true, binary }
}

export const ELECTRON_HELP = `Electron's program could not be downloaded on this machine (it comes from GitHub, not
from the npm registry, and this network probably does not reach it), so the lab opens in browser mode
instead: the same lab, in your web browser, served on 127.0.0.1 only. To get the desktop app,
let the download through and run \`node node_modules/electron/install.js\`: behind a proxy set
HTTPS_PROXY=http://proxy:port first; where GitHub is blocked, set a mirror, for example
ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ . Then \`npm start\` opens the window.`
