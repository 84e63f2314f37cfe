import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Tests run the engine from source, but child processes and worker threads need the built entries. */
export const WORKERS_DIR = path.join(REPO_ROOT, 'out', 'main', 'workers')
export const RENDERER_DIR = path.join(REPO_ROOT, 'out', 'renderer')
export const LAB_BIN = path.join(REPO_ROOT, 'bin', 'lab.js')
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots')
