/* eslint-disable no-restricted-imports -- this tests the Electron door's Electron-free parts (the rule matches any path with an electron/ segment) */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, APP_SCHEME, windowOptions } from '../../main/electron/window'

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
