/**
 * What every web contents and the session get (docs/SECURITY.md items 3, 4, 27 and 28), written
 * against the few Electron methods it uses so unit tests can hand in fakes. main.ts wires it up.
 */
import type {
  Event as ElectronEvent,
  WebContentsWillFrameNavigateEventParams,
  WebContentsWillNavigateEventParams,
  WebContentsWillRedirectEventParams,
} from 'electron'
import { isAllowedExternal, isAppUrl } from './security'

interface PreventableEvent {
  preventDefault(): void
}

/** What the three navigation events hand their listener: ONE argument, the URL inside it. */
export type NavigationDetails = PreventableEvent & { url: string }

/**
 * The part of `WebContents` that hardening touches, one overload per event as Electron 41 types
 * them. Each listener takes exactly one parameter: `will-frame-navigate` never passes a second
 * `url` (reading one cancelled every in-page navigation), and the positional `url` of
 * `will-navigate`/`will-redirect` is deprecated. A listener written the old way, `(event, url)`,
 * does not type-check against this interface, and main.ts hands it a real `WebContents`, so tsc
 * also checks that Electron's own typings still fit it.
 */
export interface ContentsLike {
  on(event: 'will-navigate', listener: (details: ElectronEvent<WebContentsWillNavigateEventParams>) => void): unknown
  on(event: 'will-frame-navigate', listener: (details: ElectronEvent<WebContentsWillFrameNavigateEventParams>) => void): unknown
  on(event: 'will-redirect', listener: (details: ElectronEvent<WebContentsWillRedirectEventParams>) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void
}

/**
 * Navigation away from the app is cancelled, <webview> is never attached, and every new
 * window is denied; an allow-listed https link opens in the learner's own browser instead.
 * `isApp` says which URLs are the app (lab://app, or the dev server's origin in `npm run dev`).
 */
export function hardenContents(contents: ContentsLike, openExternal: (url: string) => unknown, isApp: (url: string) => boolean = isAppUrl): void {
  const stayInApp = (details: NavigationDetails) => {
    if (!isApp(details.url)) details.preventDefault()
  }
  contents.on('will-navigate', stayInApp)
  contents.on('will-redirect', stayInApp)
  contents.on('will-frame-navigate', stayInApp)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void openExternal(url)
    return { action: 'deny' }
  })
}

/**
 * The one permission the page is granted: writing (sanitised) text to the clipboard, which the
 * copy buttons need (`navigator.clipboard.writeText`). Only for the main frame of the app's own
 * window, on the app's own URL; every other permission, frame, window or origin is refused.
 */
export const GRANTED_PERMISSION = 'clipboard-sanitized-write'

export interface PermissionHandlers {
  /** For `session.setPermissionRequestHandler`. */
  request(contents: unknown, permission: string, callback: (granted: boolean) => void, details?: { isMainFrame?: boolean; requestingUrl?: string }): void
  /** For `session.setPermissionCheckHandler`. */
  check(contents: unknown, permission: string, requestingOrigin: string, details?: { isMainFrame?: boolean; requestingUrl?: string }): boolean
}

export function permissionHandlers(isAppWindow: (contents: unknown) => boolean, isApp: (url: string) => boolean = isAppUrl): PermissionHandlers {
  const allowed = (contents: unknown, permission: string, url: string | undefined, isMainFrame: boolean | undefined) =>
    permission === GRANTED_PERMISSION && isMainFrame === true && typeof url === 'string' && isApp(url) && isAppWindow(contents)
  return {
    request: (contents, permission, callback, details) => callback(allowed(contents, permission, details?.requestingUrl, details?.isMainFrame)),
    check: (contents, permission, requestingOrigin, details) => allowed(contents, permission, details?.requestingUrl ?? requestingOrigin, details?.isMainFrame),
  }
}
