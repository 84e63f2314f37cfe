/* eslint-disable no-restricted-imports -- this tests the Electron door's Electron-free parts (the rule matches any path with an electron/ segment) */
import { EventEmitter, once } from 'node:events'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GRANTED_PERMISSION, hardenContents, permissionHandlers, type ContentsLike } from '../../main/electron/harden'
import { serveAppFile } from '../../main/electron/protocol'
import { appSource, EXTERNAL_ALLOW_LIST, isAllowedExternal, isAppUrl, isTrustedSender } from '../../main/electron/security'
import { contentSecurityPolicy } from '../../shared/csp'
import { REPO_ROOT } from '../helpers/paths'
import { hasBuild } from '../helpers/required'

describe('isAppUrl', () => {
  // A custom scheme's URL.origin is "null" in Node: this once refused every IPC call.
  it.each(['lab://app/index.html', 'lab://app/', 'lab://app/assets/x.js?v=1#h'])('accepts %s', (url) => {
    expect(isAppUrl(url)).toBe(true)
  })
  it.each([
    'http://app/index.html',
    'https://lab.app/',
    'lab://evil/index.html',
    'lab://app.evil.com/',
    'lab://user@app/',
    'lab://app:8080/',
    'file:///etc/passwd',
    'http://127.0.0.1:5173/',
    'javascript:alert(1)',
    'about:blank',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAppUrl(url)).toBe(false)
  })
})

describe('isAllowedExternal', () => {
  it('accepts https links to the allow-listed sites only', () => {
    for (const host of EXTERNAL_ALLOW_LIST) expect(isAllowedExternal(`https://${host}/some/page`)).toBe(true)
  })
  it.each([
    'http://nodejs.org/',
    'https://nodejs.org.evil.com/',
    'https://evil.com/?u=https://nodejs.org',
    'https://user@evil.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://nodejs.org/share',
    'lab://app/index.html',
    'https://sub.github.com.attacker.net/',
    '',
    'nodejs.org',
  ])('refuses %s', (url) => {
    expect(isAllowedExternal(url)).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const main = { url: 'lab://app/index.html', parent: null }
  it('trusts our top frame on our origin', () => {
    expect(isTrustedSender(main, main)).toBe(true)
  })
  it('refuses null, another frame object, a subframe and a foreign origin', () => {
    expect(isTrustedSender(null, main)).toBe(false)
    expect(isTrustedSender(undefined, main)).toBe(false)
    expect(isTrustedSender({ url: 'lab://app/index.html', parent: null }, main)).toBe(false)
    const sub = { url: 'lab://app/index.html', parent: main }
    expect(isTrustedSender(sub, sub)).toBe(false)
    const foreign = { url: 'https://evil.com/', parent: null }
    expect(isTrustedSender(foreign, foreign)).toBe(false)
    const navigated = { url: 'http://127.0.0.1:8080/', parent: null }
    expect(isTrustedSender(navigated, navigated)).toBe(false)
  })
})

/**
 * A web contents stand-in: a real EventEmitter plus the window-open handler slot. It emits the
 * navigation events the way Electron 41 does: ONE argument, the details with `url` inside.
 */
class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' } | { action: 'allow' }): void {
    this.openHandler = handler
  }
  /** Emits a preventable event with only (details); returns whether it was prevented. */
  fire(name: string, url?: string): boolean {
    let prevented = false
    this.emit(name, { url, isMainFrame: true, isSameDocument: false, preventDefault: () => (prevented = true) })
    return prevented
  }
}

describe('hardenContents', () => {
  const setup = () => {
    const contents = new FakeContents()
    const opened: string[] = []
    hardenContents(contents as unknown as ContentsLike, (url) => opened.push(url))
    return { contents, opened }
  }

  it('cancels navigation and redirects away from the app, allows in-app ones', () => {
    const { contents } = setup()
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(contents.fire(name, 'https://evil.com/')).toBe(true)
      expect(contents.fire(name, 'file:///etc/passwd')).toBe(true)
      expect(contents.fire(name, 'http://127.0.0.1:1234/')).toBe(true)
      expect(contents.fire(name, 'lab://app/index.html#/lessons')).toBe(false)
      expect(contents.fire(name, 'lab://app/')).toBe(false)
    }
  })

  it('types each navigation listener from the real WebContents: one parameter, so the old (event, url) shape is a type error', () => {
    const typed = {} as ContentsLike
    // tsc (npm run typecheck, tsconfig.tests.json) fails here if ContentsLike accepts a second `url`.
    const oldShape = () => {
      // @ts-expect-error will-frame-navigate passes no second argument
      typed.on('will-frame-navigate', (_event: { preventDefault(): void }, _url: string) => {})
      // @ts-expect-error the positional url of will-navigate is deprecated: read details.url
      typed.on('will-navigate', (_event: { preventDefault(): void }, _url: string) => {})
      // @ts-expect-error the same for will-redirect
      typed.on('will-redirect', (_event: { preventDefault(): void }, _url: string) => {})
    }
    expect(typeof oldShape).toBe('function')
  })

  it('in dev, trusts exactly the dev server origin besides lab://app', () => {
    const contents = new FakeContents()
    const dev = appSource({ packaged: false, devRendererUrl: 'http://localhost:5173/' })
    hardenContents(contents as unknown as ContentsLike, () => {}, dev.isApp)
    expect(contents.fire('will-navigate', 'http://localhost:5173/#/lessons')).toBe(false)
    expect(contents.fire('will-navigate', 'lab://app/index.html')).toBe(false)
    for (const url of ['http://localhost:5174/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', 'http://evil.com/']) {
      expect(contents.fire('will-navigate', url), url).toBe(true)
    }
  })

  it('never attaches a webview', () => {
    const { contents } = setup()
    expect(contents.fire('will-attach-webview')).toBe(true)
  })

  it('denies every new window; allow-listed https links open in the system browser', () => {
    const { contents, opened } = setup()
    expect(contents.openHandler).not.toBeNull()
    for (const url of ['https://nodejs.org/api/net.html', 'https://evil.com/', 'lab://app/index.html', 'file:///etc/passwd', 'http://github.com/']) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' })
    }
    expect(opened).toEqual(['https://nodejs.org/api/net.html'])
  })
})

describe('permission handlers', () => {
  const appWindow = { id: 'the app window' }
  const otherWindow = { id: 'another web contents' }
  const handlers = permissionHandlers((contents) => contents === appWindow)
  const request = (contents: unknown, permission: string, details: { isMainFrame?: boolean; requestingUrl?: string }) => {
    const answers: boolean[] = []
    handlers.request(contents, permission, (granted) => answers.push(granted), details)
    return answers
  }
  const main = { isMainFrame: true, requestingUrl: 'lab://app/index.html#/network' }

  it('grants clipboard-sanitized-write to the main frame of the app window at lab://app (the copy buttons)', () => {
    expect(GRANTED_PERMISSION).toBe('clipboard-sanitized-write')
    expect(request(appWindow, 'clipboard-sanitized-write', main)).toEqual([true])
    expect(handlers.check(appWindow, 'clipboard-sanitized-write', 'lab://app', main)).toBe(true)
  })

  it('refuses it to a subframe, another window, another origin or an unknown frame', () => {
    expect(request(appWindow, 'clipboard-sanitized-write', { ...main, isMainFrame: false })).toEqual([false])
    expect(request(otherWindow, 'clipboard-sanitized-write', main)).toEqual([false])
    expect(request(null, 'clipboard-sanitized-write', main)).toEqual([false])
    expect(request(appWindow, 'clipboard-sanitized-write', { isMainFrame: true, requestingUrl: 'https://evil.com/' })).toEqual([false])
    expect(request(appWindow, 'clipboard-sanitized-write', {})).toEqual([false])
    expect(handlers.check(appWindow, 'clipboard-sanitized-write', 'https://evil.com', { isMainFrame: true })).toBe(false)
    expect(handlers.check(otherWindow, 'clipboard-sanitized-write', 'lab://app', main)).toBe(false)
    expect(handlers.check(null, 'clipboard-sanitized-write', 'lab://app', main)).toBe(false)
    expect(handlers.check(appWindow, 'clipboard-sanitized-write', 'lab://app', { ...main, isMainFrame: false })).toBe(false)
  })

  it.each(['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'display-capture', 'fileSystem', 'unknown'])(
    'refuses %s, even to the app window',
    (permission) => {
      expect(request(appWindow, permission, main)).toEqual([false])
      expect(handlers.check(appWindow, permission, 'lab://app', main)).toBe(false)
    },
  )
})

describe('appSource (which page the window loads)', () => {
  it('packaged: lab://app/index.html, even when ELECTRON_RENDERER_URL is set', () => {
    const packaged = appSource({ packaged: true, devRendererUrl: 'http://localhost:5173/' })
    expect(packaged.startUrl).toBe('lab://app/index.html')
    expect(packaged.isApp('http://localhost:5173/')).toBe(false)
  })
  it('unpackaged without a dev server: lab://app/index.html', () => {
    expect(appSource({ packaged: false, devRendererUrl: undefined }).startUrl).toBe('lab://app/index.html')
    expect(appSource({ packaged: false, devRendererUrl: '' }).startUrl).toBe('lab://app/index.html')
  })
  it('npm run dev: the dev server page, and only a loopback http(s) one', () => {
    expect(appSource({ packaged: false, devRendererUrl: 'http://localhost:5173/' }).startUrl).toBe('http://localhost:5173/')
    for (const bad of ['http://evil.com:5173/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'http://user@localhost:5173/']) {
      const source = appSource({ packaged: false, devRendererUrl: bad })
      expect(source.startUrl, bad).toBe('lab://app/index.html')
      expect(source.isApp(bad), bad).toBe(false)
    }
  })
  it('the IPC sender check trusts the dev origin only when told', () => {
    const frame = { url: 'http://localhost:5173/', parent: null }
    expect(isTrustedSender(frame, frame)).toBe(false)
    expect(isTrustedSender(frame, frame, appSource({ packaged: false, devRendererUrl: 'http://localhost:5173/' }).isApp)).toBe(true)
  })
})

describe('Content-Security-Policy', () => {
  const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]))

  it('the served policy allows only the app itself and no eval', () => {
    const csp = contentSecurityPolicy()
    const d = directives(csp)
    expect(d.get('default-src')).toEqual(["'self'"])
    expect(d.get('script-src')).toEqual(["'self'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp).not.toMatch(/unsafe-eval|wasm-unsafe-eval|\*|http:|https:/)
  })

  it('renderer/index.html carries the same policy as a meta tag (minus header-only directives)', () => {
    const html = readFileSync(path.join(REPO_ROOT, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta).not.toBeNull()
    const fromMeta = directives(meta![1]!)
    expect(fromMeta.get('default-src')).toEqual(["'self'"])
    expect(fromMeta.get('script-src')).toEqual(["'self'"])
    expect(meta![1]).not.toMatch(/unsafe-eval/)
    for (const [k, v] of directives(contentSecurityPolicy())) {
      if (k === 'frame-ancestors') continue // ignored in <meta>; sent as a header
      expect(fromMeta.get(k), k).toEqual(v)
    }
  })
})

describe.skipIf(!hasBuild())('the built renderer (out/renderer/index.html)', () => {
  const html = () => readFileSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'), 'utf8')
  it('keeps the CSP meta tag through the build', () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html())
    expect(meta?.[1]).toMatch(/default-src 'self'/)
    expect(meta?.[1]).not.toMatch(/unsafe-eval/)
  })
  it('has no inline script (script-src self would block it) and loads nothing from another origin', () => {
    for (const m of html().matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[2]!.trim(), 'inline script').toBe('')
      expect(m[1]).toMatch(/src="\.?\/assets\//)
    }
    expect(html()).not.toMatch(/(src|href)="(https?:)?\/\//)
  })
})

describe('serveAppFile (the lab:// protocol)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lab-proto-'))
  const rendererDir = path.join(root, 'renderer')
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>')
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET')
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('serves files with the CSP header and the right type', async () => {
    const res = await serveAppFile(rendererDir, 'lab://app/assets/app.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
    expect(res.headers.get('content-type')).toMatch(/javascript/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await res.text()).toBe('console.log(1)')
  })

  it('answers the root, lab://app/ and lab://app, with index.html', async () => {
    for (const url of ['lab://app/', 'lab://app']) {
      const res = await serveAppFile(rendererDir, url)
      expect(res.status, url).toBe(200)
      expect(res.headers.get('content-type'), url).toMatch(/text\/html/)
      expect(await res.text(), url).toContain('<title>lab</title>')
    }
  })

  it('answers unknown paths with index.html, still with the CSP', async () => {
    const res = await serveAppFile(rendererDir, 'lab://app/lessons/tcp')
    expect(await res.text()).toContain('<title>lab</title>')
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
  })

  it.each([
    'lab://app/../secret.txt',
    'lab://app/%2e%2e/secret.txt',
    'lab://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'lab://app/..%2fsecret.txt',
    'lab://app/%2e%2e%5csecret.txt',
    'lab://app/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('never serves a file outside the renderer folder: %s', async (url) => {
    const res = await serveAppFile(rendererDir, url).catch((e: Error) => new Response(e.message, { status: 599 }))
    const body = await res.text()
    expect(body).not.toContain('TOP SECRET')
    expect(body).not.toMatch(/root:x:0:0/)
  })

  // Issue #12: these rejected (bad percent-encoding) or served a file outside the folder (symlink).
  it.each(['lab://app/%', 'lab://app/%ff', 'lab://app/%E0%A4%A', 'lab://app/%C0%AF', 'lab://app/a%00b'])('answers 400 to an undecodable path, never rejects: %s', async (url) => {
    const lines: string[] = []
    const res = await serveAppFile(rendererDir, url, (l) => lines.push(l))
    expect(res.status).toBe(400)
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
    expect(lines.join('\n')).toMatch(/400/)
  })

  it('refuses a symlink planted inside the folder that points outside it', async () => {
    symlinkSync(path.join(root, 'secret.txt'), path.join(rendererDir, 'assets', 'planted.txt'))
    symlinkSync('/etc', path.join(rendererDir, 'etc'))
    for (const url of ['lab://app/assets/planted.txt', 'lab://app/etc/passwd']) {
      const res = await serveAppFile(rendererDir, url, () => {})
      const body = await res.text()
      expect(res.status, url).toBe(404)
      expect(body).not.toContain('TOP SECRET')
      expect(body).not.toMatch(/root:x:0:0/)
    }
  })

  it('answers a file that cannot be opened (a socket in the folder) without rejecting', async () => {
    const sock = path.join(rendererDir, 'assets', 'x.sock')
    const server = net.createServer().listen(sock)
    await once(server, 'listening')
    try {
      const res = await serveAppFile(rendererDir, 'lab://app/assets/x.sock', () => {})
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('<title>lab</title>')
    } finally {
      server.close()
    }
  })
})
