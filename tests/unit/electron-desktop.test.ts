/* eslint-disable no-restricted-imports -- this tests the Electron door's wiring with Electron faked at its edge (the rule matches any path with an electron/ segment) */
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startDesktop, type DesktopOptions, type ElectronModule } from '../../main/electron/desktop'
import { MENU_LABELS, menuLanguage, menuTemplate } from '../../main/electron/menu'
import { closeWithin } from '../../main/electron/quit'
import { methodNames } from '../../shared/contract'
import { THEME_BACKGROUND } from '../../shared/theme'

/**
 * The door's wiring (main/electron/desktop.ts) driven through a fake Electron: the real
 * binary cannot be downloaded here. Each fake records what the door asked of Electron.
 */
class FakeApp extends EventEmitter {
  isPackaged = false
  lock = true
  quit = vi.fn()
  exit = vi.fn()
  languages = ['en-US']
  private ready!: () => void
  readyPromise = new Promise<void>((resolve) => (this.ready = resolve))
  requestSingleInstanceLock = () => this.lock
  whenReady = () => this.readyPromise
  getPath = (name: string) => `/tmp/fake-${name}`
  getPreferredSystemLanguages = () => this.languages
  becomeReady(): Promise<void> {
    this.ready()
    return this.readyPromise.then(() => new Promise((r) => setImmediate(r)))
  }
  /** Emits a preventable app event; returns whether it was prevented. */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args)
    return prevented
  }
}

class FakeWindow extends EventEmitter {
  static created: FakeWindow[] = []
  loaded: string[] = []
  minimized = true
  calls: string[] = []
  webContents = Object.assign(new EventEmitter(), { mainFrame: { url: 'lab://app/index.html', parent: null }, send: vi.fn() })
  constructor(readonly options: unknown) {
    super()
    FakeWindow.created.push(this)
  }
  loadURL(url: string) {
    this.loaded.push(url)
    return Promise.resolve()
  }
  isDestroyed = () => false
  backgrounds: string[] = []
  /** The URLs loaded when the first background was set (none: it was set before loading). */
  loadedWhenPainted: string[] | null = null
  setBackgroundColor = (color: string) => {
    this.loadedWhenPainted ??= [...this.loaded]
    this.backgrounds.push(color)
  }
  isMinimized = () => this.minimized
  restore = () => this.calls.push('restore')
  show = () => this.calls.push('show')
  focus = () => this.calls.push('focus')
}

function fakeElectron() {
  const app = new FakeApp()
  const handled: string[] = []
  const removed: string[] = []
  const session = { defaultSession: { request: null as unknown, check: null as unknown, setPermissionRequestHandler(h: unknown) { this.request = h }, setPermissionCheckHandler(h: unknown) { this.check = h } } }
  const menu = { template: null as unknown, set: vi.fn() }
  /** The system's theme as Electron reports it; `emit('updated')` is the OS switching. */
  const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false })
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    nativeTheme,
    ipcMain: { handle: (channel: string) => handled.push(channel), removeHandler: (channel: string) => removed.push(channel) },
    Menu: { buildFromTemplate: (t: unknown) => ((menu.template = t), t), setApplicationMenu: menu.set },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session,
    shell: { openExternal: vi.fn() },
  }
  return { electron: electron as unknown as ElectronModule, app, handled, removed, session: session.defaultSession, menu, nativeTheme }
}

function fakeLab(close: () => Promise<void> = () => Promise.resolve()) {
  return { call: vi.fn(), close: vi.fn(close), onEvent: vi.fn(() => () => {}) }
}

const options = (over: Partial<DesktopOptions> = {}): DesktopOptions => ({
  paths: { workersDir: '/app/out/main/workers', rendererDir: '/app/out/renderer', preloadFile: '/app/out/preload/preload.cjs' },
  version: '0.0.0-test',
  env: {},
  platform: 'linux',
  ...over,
})

afterEach(() => {
  FakeWindow.created = []
})

describe('startDesktop: one instance', () => {
  it('a second instance quits at once and builds no engine, no window, no handler', async () => {
    const { electron, app, handled } = fakeElectron()
    app.lock = false
    const createLab = vi.fn(() => fakeLab())
    expect(startDesktop(electron, options({ createLab }))).toBe(false)
    expect(app.quit).toHaveBeenCalledTimes(1)
    expect(app.listenerCount('second-instance')).toBe(0)
    expect(app.listenerCount('before-quit')).toBe(0)
    await app.becomeReady()
    expect(createLab).not.toHaveBeenCalled()
    expect(FakeWindow.created).toHaveLength(0)
    expect(handled).toHaveLength(0)
  })

  it('the first instance brings its window forward when a second one starts', async () => {
    const { electron, app } = fakeElectron()
    expect(startDesktop(electron, options({ createLab: () => fakeLab() }))).toBe(true)
    app.emit('second-instance', {}, ['lab'], '/')  // before the window exists: nothing to do, no throw
    await app.becomeReady()
    app.emit('second-instance', {}, ['lab'], '/')
    expect(FakeWindow.created[0]!.calls).toEqual(['restore', 'show', 'focus'])
  })
})

describe('startDesktop: the window', () => {
  it('loads lab://app/index.html, registers one IPC handler per method and sets the menu', async () => {
    const { electron, app, handled, menu } = fakeElectron()
    startDesktop(electron, options({ createLab: () => fakeLab() }))
    await app.becomeReady()
    expect(FakeWindow.created).toHaveLength(1)
    expect(FakeWindow.created[0]!.loaded).toEqual(['lab://app/index.html'])
    expect(handled).toHaveLength(methodNames.length)
    expect(menu.set).toHaveBeenCalledTimes(1)
  })

  it('closing the window removes every IPC handler it registered and stops forwarding events (one owner disposes both)', async () => {
    const { electron, app, handled, removed } = fakeElectron()
    const stopForwarding = vi.fn()
    const lab = { ...fakeLab(), onEvent: vi.fn(() => stopForwarding) }
    startDesktop(electron, options({ createLab: () => lab }))
    await app.becomeReady()
    expect(removed).toHaveLength(0)
    FakeWindow.created[0]!.emit('closed')
    expect(removed.sort()).toEqual([...handled].sort())
    expect(stopForwarding).toHaveBeenCalledTimes(1)
  })

  it('npm run dev: loads ELECTRON_RENDERER_URL when not packaged, never when packaged', async () => {
    const dev = fakeElectron()
    startDesktop(dev.electron, options({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, createLab: () => fakeLab() }))
    await dev.app.becomeReady()
    expect(FakeWindow.created.at(-1)!.loaded).toEqual(['http://localhost:5173/'])

    const packaged = fakeElectron()
    packaged.app.isPackaged = true
    startDesktop(packaged.electron, options({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, createLab: () => fakeLab() }))
    await packaged.app.becomeReady()
    expect(FakeWindow.created.at(-1)!.loaded).toEqual(['lab://app/index.html'])
  })

  it('grants clipboard writes to its own window only', async () => {
    const { electron, app, session } = fakeElectron()
    startDesktop(electron, options({ createLab: () => fakeLab() }))
    await app.becomeReady()
    const win = FakeWindow.created[0]!
    const ask = (contents: unknown) => {
      let granted: boolean | undefined
      ;(session.request as (c: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void)(contents, 'clipboard-sanitized-write', (g) => (granted = g), { isMainFrame: true, requestingUrl: 'lab://app/index.html' })
      return granted
    }
    expect(ask(win.webContents)).toBe(true)
    expect(ask({})).toBe(false)
  })
})

describe('startDesktop: quitting', () => {
  it('stops the engine first, then exits', async () => {
    const { electron, app } = fakeElectron()
    const lab = fakeLab()
    startDesktop(electron, options({ createLab: () => lab }))
    await app.becomeReady()
    expect(app.fire('before-quit')).toBe(true)
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(0))
    expect(lab.close).toHaveBeenCalledTimes(1)
  })

  it('cannot hang: an engine that never closes is given quitLimitMs, then the app exits', async () => {
    const { electron, app } = fakeElectron()
    const lab = fakeLab(() => new Promise<void>(() => {}))
    startDesktop(electron, options({ createLab: () => lab, quitLimitMs: 30 }))
    await app.becomeReady()
    expect(app.fire('before-quit')).toBe(true)
    expect(app.fire('before-quit')).toBe(true) // a second Quit while waiting starts no second close
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(0))
    expect(lab.close).toHaveBeenCalledTimes(1)
  })

  it('quits without waiting when no engine was started yet', () => {
    const { electron, app } = fakeElectron()
    startDesktop(electron, options({ createLab: () => fakeLab() }))
    expect(app.fire('before-quit')).toBe(false)
  })
})

describe('closeWithin', () => {
  it('says closed, failed or timed-out', async () => {
    expect(await closeWithin(() => Promise.resolve(), 1000)).toBe('closed')
    expect(await closeWithin(() => Promise.reject(new Error('x')), 1000)).toBe('failed')
    expect(await closeWithin(() => new Promise(() => {}), 10)).toBe('timed-out')
  })
})

describe('menuTemplate', () => {
  type Item = { role?: string; label?: string; submenu?: Item[] }
  const roles = (items: Item[]): string[] => items.flatMap((i) => [...(i.role ? [i.role] : []), ...(i.submenu ? roles(i.submenu) : [])])
  const labels = (items: Item[]): string[] => items.flatMap((i) => [...(i.label ? [i.label] : []), ...(i.submenu ? labels(i.submenu) : [])])

  it.each(['linux', 'win32', 'darwin'] as const)('keeps the Edit menu on %s, and has no DevTools or Reload when packaged', (platform) => {
    const packaged = menuTemplate({ language: 'en', platform, packaged: true }) as Item[]
    expect(roles(packaged)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']))
    expect(roles(packaged)).not.toContain('toggleDevTools')
    expect(roles(packaged)).not.toContain('reload')
    expect(roles(packaged)).not.toContain('forceReload')
    const dev = menuTemplate({ language: 'en', platform, packaged: false }) as Item[]
    expect(roles(dev)).toContain('toggleDevTools')
  })

  it('gives every item a label, in Chinese and in English', () => {
    expect(Object.keys(MENU_LABELS.zh).sort()).toEqual(Object.keys(MENU_LABELS.en).sort())
    for (const platform of ['linux', 'darwin'] as const) {
      const zh = labels(menuTemplate({ language: 'zh', platform, packaged: false }) as Item[])
      const en = labels(menuTemplate({ language: 'en', platform, packaged: false }) as Item[])
      expect(zh.every((l) => /[\u4e00-\u9fff]/.test(l)), zh.join(',')).toBe(true)
      expect(en.some((l) => /[\u4e00-\u9fff]/.test(l))).toBe(false)
      expect(zh).toHaveLength(en.length)
    }
    expect(menuLanguage(['zh-CN', 'en-US'])).toBe('zh')
    expect(menuLanguage(['zh-Hans-CN'])).toBe('zh')
    expect(menuLanguage(['en-GB', 'zh-CN'])).toBe('en')
    expect(menuLanguage([])).toBe('en')
  })

  it('the door sets the menu in the system language', async () => {
    const { electron, app, menu } = fakeElectron()
    app.languages = ['zh-CN']
    startDesktop(electron, options({ createLab: () => fakeLab() }))
    await app.becomeReady()
    expect(labels(menu.template as Item[])).toContain('编辑')
  })
})

describe('startDesktop: the window follows the system theme while the learner has none saved', () => {
  // A stand-in engine whose learner.get answers with the saved theme (or none).
  const learner = (theme?: string) => ({ ...fakeLab(), call: vi.fn(async () => ({ ok: true, value: { state: theme ? { theme } : {} } })) }) as unknown as ReturnType<typeof fakeLab>
  const settle = () => new Promise((r) => setImmediate(r))

  it('no saved theme: the system\'s, and again each time the system switches', async () => {
    const { electron, app, nativeTheme } = fakeElectron()
    nativeTheme.shouldUseDarkColors = true
    startDesktop(electron, options({ createLab: () => learner() }))
    await app.becomeReady()
    await settle()
    const win = FakeWindow.created[0]!
    // The system's set at creation, then again as the (none) saved theme resolved.
    expect(win.backgrounds).toEqual([THEME_BACKGROUND.dark, THEME_BACKGROUND.dark])
    nativeTheme.shouldUseDarkColors = false
    nativeTheme.emit('updated')
    await settle()
    expect(win.backgrounds).toEqual([THEME_BACKGROUND.dark, THEME_BACKGROUND.dark, THEME_BACKGROUND.light])
    // The window gone: no listener left on Electron's nativeTheme.
    win.emit('closed')
    expect(nativeTheme.listenerCount('updated')).toBe(0)
  })

  it('the window is created on the system theme\'s background and shown at its first paint, not before', async () => {
    const { electron, app, nativeTheme } = fakeElectron()
    nativeTheme.shouldUseDarkColors = true
    startDesktop(electron, options({ createLab: () => learner() }))
    await app.becomeReady()
    const win = FakeWindow.created[0]!
    // Set while hidden, before the page was asked for; then the saved theme's (none: the system's again).
    expect(win.backgrounds[0]).toBe(THEME_BACKGROUND.dark)
    expect(win.loadedWhenPainted).toEqual([])
    expect((win.options as { show: boolean }).show).toBe(false)
    expect(win.calls).toEqual([])
    win.emit('ready-to-show')
    expect(win.calls).toEqual(['show'])
  })

  it('a saved theme wins over the system\'s, also when the system switches', async () => {
    const { electron, app, nativeTheme } = fakeElectron()
    nativeTheme.shouldUseDarkColors = true
    startDesktop(electron, options({ createLab: () => learner('light') }))
    await app.becomeReady()
    await settle()
    const win = FakeWindow.created[0]!
    nativeTheme.emit('updated')
    await settle()
    // The system's while hidden, then the saved one (before any paint), and it stays when the system switches.
    expect(win.backgrounds).toEqual([THEME_BACKGROUND.dark, THEME_BACKGROUND.light, THEME_BACKGROUND.light])
  })
})
