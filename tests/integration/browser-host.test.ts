import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHost, type Host } from '../../main/host/host'
import type { Lab } from '../../main/lab/lab'
import type { WsMessage } from '../../shared/transport'
import { createTestLab } from '../helpers/lab'
import { RENDERER_DIR } from '../helpers/paths'

describe('browser mode host', () => {
  let lab: Lab
  let host: Host
  beforeEach(async () => {
    lab = createTestLab()
    host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0 })
  })
  afterEach(async () => {
    await host.close()
    await lab.close()
  })

  const origin = () => `http://127.0.0.1:${host.port}`

  it('serves the renderer with the token and a strict CSP, and refuses without it', async () => {
    const ok = await fetch(host.url)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('<div id="app">')
    const csp = ok.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    const cookie = ok.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    const asset = await fetch(`${origin()}/index.html`, { headers: { cookie: cookie.split(';')[0]!, 'sec-fetch-site': 'same-origin' } })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('no-store')
    // The files Vite names by content hash are kept by the browser for the next start; the page is not.
    const script = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(await (await fetch(host.url)).text())![1]!
    const hashed = await fetch(`${origin()}/${script}`, { headers: { cookie: cookie.split(';')[0]!, 'sec-fetch-site': 'same-origin' } })
    expect(hashed.status).toBe(200)
    expect(hashed.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect(ok.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${origin()}/`)).status).toBe(401)
    expect((await fetch(`${origin()}/?token=wrong`)).status).toBe(401)
  })

  it('carries the contract over the WebSocket and batches engine events to the page', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: origin() })
    const messages: WsMessage[] = []
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as WsMessage))
    await new Promise((r) => ws.once('open', r))
    const call = (id: number, method: string, input: unknown) => {
      ws.send(JSON.stringify({ id, method, input }))
      return new Promise<WsMessage & { type: 'result' }>((resolve) => {
        const poll = setInterval(() => {
          const m = messages.find((x) => x.type === 'result' && x.id === id)
          if (m) {
            clearInterval(poll)
            resolve(m as WsMessage & { type: 'result' })
          }
        }, 5)
      })
    }
    const started = await call(1, 'net.tcpServer.start', { port: 0 })
    expect(started.result.ok).toBe(true)
    const port = (started.result as { ok: true; value: { port: number } }).value.port
    const sent = await call(2, 'net.tcp.send', { host: '127.0.0.1', port, message: 'hello' })
    expect(sent.result).toMatchObject({ ok: true, value: { reply: 'HELLO' } })
    const bad = await call(3, 'net.tcpServer.start', { port: 'eighty' })
    expect(bad.result).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    await new Promise((r) => setTimeout(r, 150))
    const batches = messages.filter((m) => m.type === 'events')
    expect(batches.length).toBeGreaterThan(0)
    const kinds = batches.flatMap((b) => (b.type === 'events' ? b.events.map((e) => (e.payload as { event: string }).event) : []))
    expect(kinds).toEqual(expect.arrayContaining(['listening', 'connection', 'recv', 'close']))
    ws.close()
  })

  it('refuses a WebSocket from a foreign Origin or without the token', async () => {
    const attempt = (url: string, o: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, { origin: o })
        ws.on('open', () => {
          ws.close()
          resolve('open')
        })
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
        ws.on('error', () => resolve('error'))
      })
    expect(await attempt(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, 'http://evil.example')).toBe('401')
    expect(await attempt(`ws://127.0.0.1:${host.port}/ws`, origin())).toBe('401')
    expect(await attempt(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, origin())).toBe('open')
    expect((await lab.invoke('net.server.list', {})).length).toBe(0)
  })
})
