import type { BrowserWindowConstructorOptions } from 'electron'
import { THEME_BACKGROUND } from '../../shared/theme'
import { WINDOW_SHOW_FALLBACK_MS } from '../../shared/budgets'

export const APP_SCHEME = 'lab'
export const APP_HOST = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * The one place the window's options are built (docs/SECURITY.md item 1): isolated, sandboxed,
 * no Node in the page, web security on, no <webview>, no experimental features.
 */
export function windowOptions(preloadFile: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Socket & Process Lab',
    // The light theme's own background; desktop.ts sets the system theme's right after creating the (hidden)
    // window, and the learner's saved one as soon as the engine answers, before the page has painted.
    backgroundColor: THEME_BACKGROUND.light,
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Middle-click would ask for a new window; the open handler denies it anyway.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  }
}

/** How long a window may stay hidden waiting for its first paint before it is shown anyway. */
export const SHOW_FALLBACK_MS = WINDOW_SHOW_FALLBACK_MS

export interface ShowableWindow {
  once(event: 'ready-to-show', listener: () => void): unknown
  show(): void
  isDestroyed(): boolean
  webContents: { once(event: 'did-finish-load', listener: () => void): unknown }
}

/**
 * Shows the window once, at its first paint: 'ready-to-show' (Electron's docs: emitted when the
 * renderer has rendered the page for the first time while the window is hidden, so it appears with
 * the shell drawn, no blank frame). That event has not fired on some machines (electron/electron
 * #7779, #25253; Electron now emits it after did-finish-load when it was missed), so 'did-finish-load'
 * shows it too, and SHOW_FALLBACK_MS after creation it is shown whatever happened: a window that
 * never appears is worse than one that appears unpainted on the theme's background. The shell
 * paints before the engine answers (its status bar says "Connecting to the engine…" until then).
 * Returns a function that cancels the fallback (the window closed first).
 */
export function showWhenPainted(win: ShowableWindow, timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } = globalThis, limitMs = SHOW_FALLBACK_MS): () => void {
  let shown = false
  const show = () => {
    if (shown || win.isDestroyed()) return
    shown = true
    timers.clearTimeout(timer)
    win.show()
  }
  const timer = timers.setTimeout(show, limitMs)
  win.once('ready-to-show', show)
  win.webContents.once('did-finish-load', show)
  return () => timers.clearTimeout(timer)
}
