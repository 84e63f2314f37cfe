import path from 'node:path'
import { fileURLToPath } from 'node:url'

declare const __LAB_VERSION__: string | undefined
export const LAB_VERSION: string = typeof __LAB_VERSION__ === 'string' ? __LAB_VERSION__ : '0.0.0-dev'

export interface LabPaths {
  /** Built entries for child processes and worker threads. */
  workersDir: string
  /** The built renderer, served by browser mode and loaded by Electron. */
  rendererDir: string
  /** The built preload script. */
  preloadFile: string
}

/**
 * Where the built files are, seen from a built entry in `out/main/` (cli.js, electron.js).
 * Every entry passes its own `import.meta.url`, so the engine never guesses.
 */
export function builtPaths(entryUrl: string): LabPaths {
  const mainDir = path.dirname(fileURLToPath(entryUrl))
  return {
    workersDir: path.join(mainDir, 'workers'),
    rendererDir: path.join(mainDir, '..', 'renderer'),
    preloadFile: path.join(mainDir, '..', 'preload', 'preload.cjs'),
  }
}
