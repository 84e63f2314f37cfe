/* eslint-disable no-restricted-imports -- this tests the Electron door's Electron-free parts (the rule matches any path with an electron/ segment) */
import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { APP_ORIGIN, APP_SCHEME, SHOW_FALLBACK_MS, showWhenPainted, windowOptions } from '../../main/electron/window'
import { THEME_BACKGROUND } from '../../shared/theme'

// docs/SECURITY.md item 1: the window's options come from one function; every hardening flag is asserted.
describe('windowOptions', () => {
  const options = windowOptions('/app/out/preload/preload.cjs')
  const prefs = options.webPreferences!

  it('isolates and sandboxes the page, with no Node in it', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keeps web security on and turns off webview, insecure content and experimental features', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.navigateOnDragDrop).toBe(false)
    expect(prefs.enableBlinkFeatures).toBeUndefined()
    expect(prefs.disableBlinkFeatures).toContain('Auxclick')
  })

  it('sets only the options we know, so a new risky one cannot slip in unreviewed', () => {
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'disableBlinkFeatures',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    )
  })

  it('loads the given preload and starts hidden until ready', () => {
    expect(prefs.preload).toBe('/app/out/preload/preload.cjs')
    expect(options.show).toBe(false)
  })

  it('builds a fresh object each time (no shared mutable options)', () => {
    const again = windowOptions('/x.cjs')
    again.webPreferences!.sandbox = false
    expect(windowOptions('/x.cjs').webPreferences!.sandbox).toBe(true)
  })

  it('serves the app from its own privileged scheme, not http', () => {
    expect(APP_SCHEME).toBe('lab')
    expect(APP_ORIGIN).toBe('lab://app')
  })
})

describe('the window appears painted, on its theme\'s background', () => {
  it('is created on a theme\'s own background, never the default white of a blank window', () => {
    expect(windowOptions('/x.cjs').backgroundColor).toBe(THEME_BACKGROUND.light)
  })

  // A BrowserWindow faked at its edge: its events, its webContents' events, show().
  const fakeWindow = () => Object.assign(new EventEmitter(), { webContents: new EventEmitter(), show: vi.fn(), destroyed: false, isDestroyed() { return this.destroyed } })

  it('shows once, at ready-to-show (the first paint), not before', () => {
    vi.useFakeTimers()
    try {
      const win = fakeWindow()
      showWhenPainted(win)
      expect(win.show).not.toHaveBeenCalled()
      win.emit('ready-to-show')
      win.webContents.emit('did-finish-load')
      vi.advanceTimersByTime(SHOW_FALLBACK_MS * 2)
      expect(win.show).toHaveBeenCalledTimes(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('ready-to-show missed: did-finish-load shows it; neither: the fallback does, once; a closed window is not shown', () => {
    vi.useFakeTimers()
    try {
      const loaded = fakeWindow()
      showWhenPainted(loaded)
      loaded.webContents.emit('did-finish-load')
      expect(loaded.show).toHaveBeenCalledTimes(1)

      const silent = fakeWindow()
      showWhenPainted(silent)
      vi.advanceTimersByTime(SHOW_FALLBACK_MS - 1)
      expect(silent.show).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(silent.show).toHaveBeenCalledTimes(1)
      silent.emit('ready-to-show')
      expect(silent.show).toHaveBeenCalledTimes(1)

      const closed = fakeWindow()
      const cancel = showWhenPainted(closed)
      closed.destroyed = true
      closed.emit('ready-to-show')
      cancel()
      vi.advanceTimersByTime(SHOW_FALLBACK_MS)
      expect(closed.show).not.toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })
})
