import { APP_HOST, APP_ORIGIN, APP_SCHEME } from './window'

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

/** Where the window's page comes from, and which URLs count as the app (docs/SECURITY.md item 30). */
export interface AppSource {
  /** The URL the window loads first. */
  startUrl: string
  isApp(url: string): boolean
}

/**
 * Packaged, or without a dev server: the packaged renderer at lab://app, and only that.
 * In `npm run dev` (electron-vite sets ELECTRON_RENDERER_URL; never when packaged): the dev
 * server's page, and exactly its origin (scheme, host and port) besides lab://app.
 */
export function appSource(options: { packaged: boolean; devRendererUrl: string | undefined }): AppSource {
  const dev = !options.packaged && options.devRendererUrl ? devOrigin(options.devRendererUrl) : null
  if (!dev) return { startUrl: `${APP_ORIGIN}/index.html`, isApp: isAppUrl }
  return {
    startUrl: options.devRendererUrl!,
    isApp: (url) => isAppUrl(url) || sameOrigin(url, dev),
  }
}

/** Only a plain http(s) loopback address is accepted as a dev server. */
function devOrigin(url: string): string | null {
  try {
    const u = new URL(url)
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)
    return (u.protocol === 'http:' || u.protocol === 'https:') && loopback && !u.username && !u.password ? u.origin : null
  } catch {
    return null
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    const u = new URL(url)
    return u.origin === origin && !u.username && !u.password
  } catch {
    return false
  }
}

/** The sender check every ipcMain handler runs first (docs/SECURITY.md item 5). */
export interface SenderFrame {
  url: string
  parent: unknown
}
export function isTrustedSender(frame: SenderFrame | null | undefined, mainFrame: unknown, isApp: (url: string) => boolean = isAppUrl): boolean {
  return !!frame && frame === mainFrame && frame.parent === null && isApp(frame.url)
}
