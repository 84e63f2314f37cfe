/**
 * The Electron door's wiring: one function over the Electron module it is handed, so a unit
 * test (tests/unit/electron-desktop.test.ts) can hand in fakes and watch what it does. main.ts
 * passes the real module. The decisions themselves live in small modules beside this one.
 */
import type * as Electron from 'electron'
import path from 'node:path'
import { Lab } from '../lab/lab'
import type { LabPaths } from '../paths'
import { hardenContents, permissionHandlers } from './harden'
import { forwardEvents, registerIpc, type IpcMainLike } from './ipc'
import { menuLanguage, menuTemplate } from './menu'
import { serveAppFile } from './protocol'
import { closeWithin, QUIT_LIMIT_MS } from './quit'
import { appSource } from './security'
import { APP_SCHEME, showWhenPainted, windowOptions } from './window'
import { followSystemTheme, windowTheme } from './theme'
import { THEME_BACKGROUND } from '../../shared/theme'
import { DisposableStore } from '../../shared/disposable'

/** The parts of Electron the door uses, typed from Electron's own definitions. */
export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'Menu' | 'nativeTheme' | 'protocol' | 'session' | 'shell'>

export interface DesktopOptions {
  paths: LabPaths
  version: string
  env: Record<string, string | undefined>
  platform: NodeJS.Platform
  /** How long quitting waits for the engine to stop before exiting anyway. */
  quitLimitMs?: number
  /** Tests hand in a stand-in engine. */
  createLab?: (dataDir: string) => Pick<Lab, 'call' | 'close' | 'onEvent'>
}

/** Returns false when another instance already runs (this one then only quits). */
export function startDesktop(electron: ElectronModule, options: DesktopOptions): boolean {
  const { app, BrowserWindow, ipcMain, Menu, nativeTheme, protocol, session, shell } = electron
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

  // Electron's documented single-instance pattern: the second process builds nothing and quits;
  // the first one is told and brings its window forward (docs/SECURITY.md item 29).
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }

  const source = appSource({ packaged: app.isPackaged, devRendererUrl: options.env.ELECTRON_RENDERER_URL })
  const createLab =
    options.createLab ?? ((dataDir: string) => new Lab({ workersDir: options.paths.workersDir, dataDir, door: 'electron', version: options.version }))
  let win: Electron.BrowserWindow | null = null
  let lab: Pick<Lab, 'call' | 'close' | 'onEvent'> | null = null
  let quitting = false

  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
  })

  app.on('web-contents-created', (_event, contents) => hardenContents(contents, (url) => shell.openExternal(url), source.isApp))

  void app.whenReady().then(() => {
    const permissions = permissionHandlers((contents) => !!win && !win.isDestroyed() && contents === win.webContents, source.isApp)
    session.defaultSession.setPermissionRequestHandler(permissions.request)
    session.defaultSession.setPermissionCheckHandler(permissions.check)
    // The learner's saved look (theme, language), read from the engine's state for the window and the page.
    const look = async (): Promise<{ theme?: unknown; lang?: unknown }> => {
      const r = lab ? await lab.call('learner.get', {}) : null
      return r && r.ok ? r.value.state : {}
    }
    protocol.handle(APP_SCHEME, (request) => serveAppFile(options.paths.rendererDir, request.url, undefined, look))
    const language = menuLanguage(app.getPreferredSystemLanguages())
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ language, platform: options.platform, packaged: app.isPackaged })))

    lab = createLab(path.join(app.getPath('userData'), 'data'))
    // The options come from windowOptions() alone (unit-tested in tests/unit/electron-window.test.ts).
    // Electronegativity reads only literal options, so tests/integration/electronegativity.test.ts
    // waives its window checks for this one call, after asserting the call is exactly this one.
    win = new BrowserWindow(windowOptions(options.paths.preloadFile))
    const window = win
    // Still hidden and nothing loaded: the system theme's background before any frame (the saved theme's follows).
    window.setBackgroundColor(THEME_BACKGROUND[windowTheme(undefined, nativeTheme)])
    // The window owns its IPC handlers and its event forwarding: both end when it closes.
    const windowOwned = new DisposableStore()
    windowOwned.add(registerIpc(ipcMain as unknown as IpcMainLike, lab as Lab, () => window.webContents.mainFrame, source.isApp))
    windowOwned.add(
      forwardEvents(lab as Lab, (channel, batch) => {
        if (!window.isDestroyed()) window.webContents.send(channel, batch)
      }),
    )
    window.on('closed', () => windowOwned.dispose())
    // Hidden until its first paint (showWhenPainted); created on the system theme's background, and the saved
    // theme's set as soon as the engine answers (again when the system's changes), so a dark learner never sees a light window.
    windowOwned.add(followSystemTheme(nativeTheme, window, () => look().then((state) => state.theme)))
    windowOwned.add(showWhenPainted(window))
    void window.loadURL(source.startUrl)
  })

  // Quit stops the engine first (servers closed, children killed), for at most quitLimitMs,
  // then exits: app.exit() emits no second before-quit, so this runs once (docs/SECURITY.md item 31).
  app.on('before-quit', (event) => {
    if (!lab) return
    event.preventDefault()
    if (quitting) return
    quitting = true
    const engine = lab
    void closeWithin(() => engine.close(), options.quitLimitMs ?? QUIT_LIMIT_MS).then(() => app.exit(0))
  })

  app.on('window-all-closed', () => app.quit())
  return true
}
