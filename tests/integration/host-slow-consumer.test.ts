import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHost, type Host } from '../../main/host/host'
import { PAGE_MAX_BUFFERED_BYTES as MAX_SOCKET_BYTES, PAGE_MAX_IN_FLIGHT as MAX_IN_FLIGHT } from '../../shared/budgets'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { RENDERER_DIR } from '../helpers/paths'

/**
 * Issue #12: the page that asks for many large answers and never reads. The client below
 * really stops reading its TCP socket (ws.pause()), so the host's socket buffer fills; the
 * host must stop taking that page's requests instead of queueing their answers without bound,
 * and carry on once the page reads again.
 */
let lab: Lab
let host: Host
afterEach(async () => {
  await host?.close()
  await lab?.close()
})

async function until(cond: () => boolean, what: () => string, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

describe('browser mode and a page that never reads', () => {
  it('bounds what a page that never reads can make the lab hold: it stops reading it, then disconnects it', async () => {
    lab = createTestLab()
    host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0, log: () => {} })
    const big = await lab.invoke('history.add', { kind: 'net.sticky', title: 'big', settings: {}, summary: {}, result: { pad: 'x'.repeat(500 * 1024) } })
    const ws = await connect()
    const results: { ok: boolean; code?: string }[] = []
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { type: string; result?: { ok: boolean; error?: { code: string } } }
      if (msg.type === 'result') results.push({ ok: msg.result!.ok, code: msg.result!.error?.code })
    })
    ws.pause()
    const asked = 1_000
    for (let id = 1; id <= asked; id++) ws.send(JSON.stringify({ id, method: 'history.get', input: { id: big.id } }))
    // The host's queue for this page is bounded: it stops reading the page, and a page that
    // still leaves more than MAX_SOCKET_BYTES unread is disconnected.
    let most = 0
    await until(() => {
      most = Math.max(most, ...host.sockets().map((x) => x.bufferedAmount))
      return host.sockets().length === 0
    }, () => `the host to disconnect the page ${JSON.stringify(host.sockets())}`)
    expect(most).toBeLessThanOrEqual(MAX_SOCKET_BYTES + 1024 * 1024)
    expect(results.length).toBeLessThan(asked)
    ws.terminate()
    // The lab is fine, and serves the next page.
    const next = await connect()
    const info = await new Promise<{ ok: boolean }>((resolve) => {
      next.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { type: string; id: number; result: { ok: boolean } }
        if (msg.type === 'result' && msg.id === 1) resolve(msg.result)
      })
      next.send(JSON.stringify({ id: 1, method: 'lab.info', input: {} }))
    })
    expect(info.ok).toBe(true)
    next.close()
  }, 90_000)

  it(`refuses more than ${MAX_IN_FLIGHT} requests in flight from one page with ERR_LIMIT and the number`, async () => {
    lab = createTestLab()
    host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0, log: () => {} })
    const ws = await connect()
    const results = new Map<number, { ok: boolean; error?: { code: string; params?: Record<string, unknown> } }>()
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { type: string; id: number; result: { ok: boolean; error?: { code: string } } }
      if (msg.type === 'result') results.set(msg.id, msg.result)
    })
    // Slow calls (a client waiting for a reply that never comes) hold their slot.
    const server = await lab.invoke('net.tcpServer.start', { port: 0, handler: 'delay:3000' })
    const n = MAX_IN_FLIGHT + 5
    for (let id = 1; id <= n; id++) ws.send(JSON.stringify({ id, method: 'net.tcp.send', input: { host: '127.0.0.1', port: server.port, message: 'x' } }))
    await until(() => results.size === n, () => 'every answer')
    const limited = [...results.values()].filter((r) => r.error?.code === 'ERR_LIMIT')
    expect(limited.length).toBeGreaterThanOrEqual(5)
    expect(limited[0]!.error!.params).toMatchObject({ budget: 'PAGE_MAX_IN_FLIGHT', max: MAX_IN_FLIGHT, used: MAX_IN_FLIGHT })
    ws.close()
  }, 60_000)
})
