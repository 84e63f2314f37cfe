/**
 * What every web contents and the session get (docs/SECURITY.md items 3 and 4), written against
 * the few Electron methods it uses so unit tests can hand in fakes. main.ts wires it up.
 */
import { isAllowedExternal, isAppUrl } from './security'

interface PreventableEvent {
  preventDefault(): void
}

/** The part of `WebContents` that hardening touches. */
export interface ContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: PreventableEvent, url: string) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void
}

/**
 * Navigation away from the app is cancelled, <webview> is never attached, and every new
 * window is denied; an allow-listed https link opens in the learner's own browser instead.
 */
export function hardenContents(contents: ContentsLike, openExternal: (url: string) => unknown): void {
  const stayInApp = (event: PreventableEvent, url: string) => {
    if (!isAppUrl(url)) event.preventDefault()
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

/** `session.setPermissionRequestHandler`: camera, microphone, notifications, … all refused. */
export function permissionRequestHandler(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false)
}

/** `session.setPermissionCheckHandler`: every synchronous permission check answers no. */
export function permissionCheckHandler(): boolean {
  return false
}
