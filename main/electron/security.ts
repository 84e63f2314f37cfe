import { APP_HOST, APP_SCHEME } from './window'

/** https sites the lab's lessons may open in the learner's own browser (docs/SECURITY.md item 3). */
export const EXTERNAL_ALLOW_LIST = ['docs.python.org', 'nodejs.org', 'pages.cs.wisc.edu', 'github.com']

/**
 * True for `lab://app/…` only. Compared part by part: for a custom scheme Node's (and
 * Electron main's) `URL.origin` is the string "null", so an origin comparison never matches.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && EXTERNAL_ALLOW_LIST.includes(u.hostname)
  } catch {
    return false
  }
}

/** The sender check every ipcMain handler runs first (docs/SECURITY.md item 5). */
export interface SenderFrame {
  url: string
  parent: unknown
}
export function isTrustedSender(frame: SenderFrame | null | undefined, mainFrame: unknown): boolean {
  return !!frame && frame === mainFrame && frame.parent === null && isAppUrl(frame.url)
}
