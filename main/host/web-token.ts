import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import path from 'node:path'

/** The file in the data folder that keeps browser mode's token, readable by its owner only. */
export const WEB_TOKEN_FILE = 'web-token'
const TOKEN_PATTERN = /^[0-9a-f]{48}$/

export function newToken(): string {
  return randomBytes(24).toString('hex')
}

/**
 * Browser mode's token for this data folder: the one kept in `<dataDir>/web-token`, or a new
 * one written there (mode 0600, fsynced). So a page stays valid across restarts of the lab on
 * the same data folder and can reconnect by itself; another folder (another learner) has its
 * own. A file that is damaged is replaced; one others could read is narrowed to 0600.
 */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, WEB_TOKEN_FILE)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const kept = await readKept(file)
  if (kept) return kept
  const token = newToken()
  // 'w' after a damaged file, else 'wx': two labs starting on one folder agree on the first token.
  const exists = await stat(file).then(() => true, () => false)
  try {
    const fh = await open(file, exists ? 'w' : 'wx', 0o600)
    try {
      await fh.writeFile(`${token}\n`)
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const other = await readKept(file)
      if (other) return other
    }
    throw err
  }
  await chmod(file, 0o600)
  return token
}

async function readKept(file: string): Promise<string | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return null
  }
  const token = text.trim()
  if (!TOKEN_PATTERN.test(token)) return null
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600)
  return token
}
