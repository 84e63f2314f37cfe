import type { BrowserWindowConstructorOptions } from 'electron'
import { THEME_BACKGROUND } from '../../shared/theme'

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
    // The light theme's own background; desktop.ts sets the learner's saved theme's before the window shows.
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
