/** The Electron door (built to out/main/electron.js): a hardened window over the same engine. */
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron'
import path from 'node:path'
import { Lab } from '../lab/lab'
import { builtPaths, LAB_VERSION } from '../paths'
import { forwardEvents, registerIpc, type IpcMainLike } from './ipc'
import { serveAppFile } from './protocol'
import { hardenContents, permissionCheckHandler, permissionRequestHandler } from './harden'
import { APP_ORIGIN, APP_SCHEME, windowOptions } from './window'

const paths = builtPaths(import.meta.url)

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

if (!app.requestSingleInstanceLock()) app.quit()

let lab: Lab | null = null
let stopped = false

app.on('web-contents-created', (_event, contents) => hardenContents(contents, (url) => shell.openExternal(url)))

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler(permissionRequestHandler)
  session.defaultSession.setPermissionCheckHandler(permissionCheckHandler)
  protocol.handle(APP_SCHEME, (request) => serveAppFile(paths.rendererDir, request.url))

  lab = new Lab({ workersDir: paths.workersDir, dataDir: path.join(app.getPath('userData'), 'data'), door: 'electron', version: LAB_VERSION })
  // The options come from windowOptions() alone (unit-tested in tests/unit/electron-window.test.ts).
  // Electronegativity reads only literal options, so tests/integration/electronegativity.test.ts
  // waives its window checks for this one call, after asserting the call is exactly this one.
  const win = new BrowserWindow(windowOptions(paths.preloadFile))
  registerIpc(ipcMain as unknown as IpcMainLike, lab, () => win.webContents.mainFrame)
  const stopForwarding = forwardEvents(lab, (channel, batch) => {
    if (!win.isDestroyed()) win.webContents.send(channel, batch)
  })
  win.on('closed', stopForwarding)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(`${APP_ORIGIN}/index.html`)
})

// Quit stops the engine first: servers closed, children killed, then the app exits.
app.on('before-quit', (event) => {
  if (stopped || !lab) return
  event.preventDefault()
  void lab.close().finally(() => {
    stopped = true
    app.quit()
  })
})

app.on('window-all-closed', () => app.quit())
