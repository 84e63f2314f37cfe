import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LabProcess } from '../helpers/cli'
import { REPO_ROOT } from '../helpers/paths'

/**
 * Issue #12, "Crashes": each of these requests once ended the lab process. They run against
 * the real `lab web` in its own process (a crash there cannot hide behind the test runner):
 * after each attack the same process must still serve the page and answer the contract.
 * The lab runs from a copy of out/ so the test can plant a symlink and a socket file in the
 * renderer folder it serves.
 */
let tmp: string
let web: LabProcess
let port = 0
let token = ''

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-attacks-'))
  cpSync(path.join(REPO_ROOT, 'out', 'main'), path.join(tmp, 'out', 'main'), { recursive: true })
  cpSync(path.join(REPO_ROOT, 'out', 'renderer'), path.join(tmp, 'out', 'renderer'), { recursive: true })
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(tmp, 'node_modules'))
  const renderer = path.join(tmp, 'out', 'renderer')
  symlinkSync('/etc/passwd', path.join(renderer, 'assets', 'planted.txt'))
  symlinkSync('/etc', path.join(renderer, 'etc'))
  // A file that exists but cannot be opened (open(2) on a socket fails with ENXIO, even as root).
  const sock = net.createServer().listen(path.join(renderer, 'assets', 'unopenable.js'))
  await new Promise((r) => sock.once('listening', r))
  await startLab()
})

async function startLab() {
  web = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', path.join(tmp, 'data')], { entry: path.join(tmp, 'out', 'main', 'cli.js') })
  const line = await web.waitFor((l) => l.event === 'web')
  port = Number(line.port)
  token = new URL(String(line.url)).searchParams.get('token')!
}

// Each attack meets a living lab, so each test shows on its own whether its attack kills it.
beforeEach(async () => {
  if (web.child.exitCode !== null || web.child.signalCode !== null) await startLab()
})

afterAll(async () => {
  await web?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

/** Sends exactly these bytes and returns the status (0 when the connection dies without an answer) and body. */
function raw(request: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (d) => (text += d))
    socket.on('error', () => {})
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    socket.write(request)
  })
}

const get = (target: string, headers: Record<string, string> = {}) =>
  raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`)

/** The lab still lives: same process, the page is served, the contract answers. */
async function expectAlive(after: string) {
  expect(web.child.exitCode, `${after}: the lab exited\n${web.stderr}`).toBe(null)
  const page = await get(`/?token=${token}`)
  expect(page.status, `${after}: the page is not served any more\n${web.stderr}`).toBe(200)
}

function openWs(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function reply(ws: WebSocket, frame: string, id: number): Promise<{ id: number; result: { ok: boolean; error?: { code: string; params?: Record<string, unknown> } } }> {
  return new Promise((resolve, reject) => {
    const onMessage = (d: WebSocket.RawData) => {
      const msg = JSON.parse(String(d)) as { type: string; id: number; result: { ok: boolean } }
      if (msg.type === 'result' && msg.id === id) {
        ws.off('message', onMessage)
        resolve(msg)
      }
    }
    ws.on('message', onMessage)
    ws.once('close', () => reject(new Error(`the socket closed before answering ${frame}\n${web.stderr}`)))
    ws.send(frame)
  })
}

describe('the HTTP door survives hostile requests', () => {
  it.each(['/%E0%A4%A', '/%', '/%ff', '/%C0%AF', '/assets/%', '/a%00b'])('answers 400 to the undecodable path %s (with the token) and lives on', async (p) => {
    const res = await get(`${p}?token=${token}`)
    expect(res.status).toBe(400)
    await expectAlive(p)
  })

  it('answers a request line with an absolute URL that does not parse, and lives on', async () => {
    const res = await raw(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    await expectAlive('GET http://[')
  })

  it('never serves a symlink planted in the renderer folder that points outside it', async () => {
    for (const p of ['/assets/planted.txt', '/etc/passwd']) {
      const res = await get(`${p}?token=${token}`)
      expect(res.status, p).toBe(404)
      expect(res.body, p).not.toMatch(/root:x:0:0/)
    }
    await expectAlive('symlinks')
  })

  it('survives a file in the renderer folder that cannot be opened', async () => {
    const res = await get(`/assets/unopenable.js?token=${token}`)
    expect(res.status).toBeGreaterThan(0)
    await expectAlive('an unopenable file')
  })
})

describe('the cookie alone counts only on the lab page itself (Sec-Fetch-Site)', () => {
  const cookie = async () => (await fetch(`http://127.0.0.1:${port}/?token=${token}`)).headers.get('set-cookie')!.split(';')[0]!

  it.each([
    ['cross-site', 401],
    ['same-site', 401],
    [undefined, 401],
    ['same-origin', 200],
    ['none', 200],
  ] as const)('Sec-Fetch-Site %s → %i', async (site, status) => {
    const headers: Record<string, string> = { Cookie: await cookie() }
    if (site) headers['Sec-Fetch-Site'] = site
    expect((await get('/', headers)).status).toBe(status)
  })

  it('an <img src="http://127.0.0.1:PORT/%"> on another local page is refused before the path is read', async () => {
    expect((await get('/%', { Cookie: await cookie(), 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Dest': 'image' })).status).toBe(401)
    await expectAlive('the cross-page image')
  })
})

describe('the WebSocket door survives hostile messages', () => {
  it.each(['{"toString":1}', '[{"toString":1}]', '{"valueOf":1,"toString":null}', 'null', '42', '["lab.info"]'])('refuses method %s with a coded error and lives on', async (method) => {
    const ws = await openWs()
    try {
      const msg = await reply(ws, `{"id":7,"method":${method},"input":{}}`, 7)
      expect(msg.result.ok).toBe(false)
      expect(['ERR_INVALID_INPUT', 'ERR_UNKNOWN_METHOD']).toContain(msg.result.error!.code)
      const info = await reply(ws, '{"id":8,"method":"lab.info","input":{}}', 8)
      expect(info.result.ok).toBe(true)
    } finally {
      ws.close()
    }
    await expectAlive(`method ${method}`)
  })
})
