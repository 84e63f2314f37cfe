import http from 'node:http'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from '../../shared/csp'
import { startHost, type Host } from '../../main/host/host'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { RENDERER_DIR } from '../helpers/paths'

/**
 * docs/SECURITY.md item 13: browser mode answers only requests that carry the token, our own Host
 * header (no DNS rebinding) and, for the WebSocket, our own Origin. Refusals have no effect:
 * no method runs (checked by a server-start attempt that must not happen).
 */
let lab: Lab
let host: Host
beforeAll(async () => {
  lab = createTestLab()
  host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0 })
})
afterAll(async () => {
  await host.close()
  await lab.close()
})

/** A raw GET where the test controls every header, Host included. */
function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: pathAndQuery, method: 'GET', headers: { host: `127.0.0.1:${host.port}`, ...headers }, setHost: false }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens the WebSocket with chosen headers; resolves 'open' or the refusal. */
function openWs(query: string, headers: Record<string, string>): Promise<{ opened: boolean; ws: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers, setHost: false } as WebSocket.ClientOptions)
    ws.once('open', () => resolve({ opened: true, ws }))
    ws.once('unexpected-response', (_req, res) => resolve({ opened: false, ws, status: res.statusCode }))
    ws.once('error', () => resolve({ opened: false, ws }))
  })
}

const origin = () => `http://127.0.0.1:${host.port}`
const goodHost = () => `127.0.0.1:${host.port}`

describe('browser mode (HTTP)', () => {
  it('serves the page with the token, with the CSP and anti-framing headers', async () => {
    const res = await get(`/?token=${host.token}`)
    expect(res.status).toBe(200)
    expect(res.headers['content-security-policy']).toBe(contentSecurityPolicy())
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-eval/)
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/)
    expect(res.body).toMatch(/<div id="app">/)
  })

  it.each([
    ['no token', () => '/'],
    ['a wrong token', () => `/?token=${'0'.repeat(48)}`],
    ['a token one character short', () => `/?token=${host.token.slice(0, -1)}`],
    ['an empty token', () => '/?token='],
  ])('refuses %s', async (_name, url) => {
    const res = await get(url())
    expect(res.status).toBe(401)
    expect(res.body).not.toMatch(/<div id="app">/)
    // Still with the CSP: even the refusal page cannot run scripts.
    expect(res.headers['content-security-policy']).toBe(contentSecurityPolicy())
  })

  it('refuses a wrong token in the cookie', async () => {
    expect((await get('/', { cookie: `lab_token=${'f'.repeat(48)}` })).status).toBe(401)
    expect((await get('/', { cookie: `lab_token=${host.token}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200)
  })

  it.each(['evil.example', `evil.example:${0}`, 'attacker.test:80', '127.0.0.2', '[::1]:1', ''])('refuses a foreign Host header (%s), token or not', async (foreign) => {
    const value = foreign.endsWith(':0') ? foreign.replace(':0', `:${host.port}`) : foreign
    const res = await get(`/?token=${host.token}`, { host: value })
    expect(res.status).toBe(401)
  })

  it('refuses path traversal out of the renderer folder', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json']) {
      const res = await get(`${p}?token=${host.token}`)
      expect(res.body).not.toMatch(/"devDependencies"/)
    }
  })

  it('allows only GET and HEAD', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: `/?token=${host.token}`, method: 'POST' }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end('x')
    })
    expect(status).toBe(405)
  })
})

describe('browser mode (WebSocket)', () => {
  it('accepts the token with our Origin and Host, and the contract works', async () => {
    const { opened, ws } = await openWs(`?token=${host.token}`, { Origin: origin(), Host: goodHost() })
    expect(opened).toBe(true)
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>))
      ws.send(JSON.stringify({ id: 1, method: 'lab.info', input: {} }))
    })
    expect(reply).toMatchObject({ type: 'result', id: 1, result: { ok: true } })
    ws.close()
  })

  const refusals: [string, () => string, () => Record<string, string>][] = [
    ['without the token', () => '', () => ({ Origin: origin(), Host: goodHost() })],
    ['with a wrong token', () => `?token=${'a'.repeat(48)}`, () => ({ Origin: origin(), Host: goodHost() })],
    ['from a foreign Origin', () => `?token=${host.token}`, () => ({ Origin: 'http://evil.example', Host: goodHost() })],
    ['from a look-alike Origin', () => `?token=${host.token}`, () => ({ Origin: `http://127.0.0.1.evil.example:${host.port}`, Host: goodHost() })],
    ['from an https Origin on our port', () => `?token=${host.token}`, () => ({ Origin: `https://127.0.0.1:${host.port}`, Host: goodHost() })],
    ['with the string "null" as Origin (sandboxed iframe, file:)', () => `?token=${host.token}`, () => ({ Origin: 'null', Host: goodHost() })],
    ['without an Origin (a non-browser client)', () => `?token=${host.token}`, () => ({ Host: goodHost() })],
    ['with a foreign Host header (DNS rebinding)', () => `?token=${host.token}`, () => ({ Origin: origin(), Host: `evil.example:${host.port}` })],
  ]

  for (const [name, query, headers] of refusals) {
    it(`refuses a connection ${name}, and nothing runs`, async () => {
      const { opened, ws, status } = await openWs(query(), headers())
      if (opened) {
        // Must never happen; if it did, prove the harm: it could start a server.
        ws.send(JSON.stringify({ id: 1, method: 'net.tcpServer.start', input: { port: 0 } }))
        ws.close()
      }
      expect(opened).toBe(false)
      expect(status === undefined || status === 401).toBe(true)
      expect(await lab.call('net.server.list', {})).toEqual({ ok: true, value: [] })
    })
  }
})
