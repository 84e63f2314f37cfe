import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { startHost, type Host } from '../../main/host/host'
import type { Lab } from '../../main/lab/lab'
import { WsClient, type WebSocketLike } from '../../renderer/bridge/ws-client'
import type { ConnectionState } from '../../renderer/bridge/lab-client'
import { createTestLab } from '../helpers/lab'
import { RENDERER_DIR } from '../helpers/paths'
import { callTimeoutMs, LONG_CALL_SLACK_MS, QUICK_CALL_TIMEOUT_MS } from '../../shared/transport'
import { MAX_CLIENT_SEND_SPAN_MS, STICKY_MAX_READ_SPAN_MS, STICKY_MAX_SEND_SPAN_MS } from '../../shared/contract'
import { COMPARE_MAX_SERIAL_SPAN_MS } from '../../shared/budgets'
import { MAX_TOTAL_MS } from '../../shared/task-spec'

/**
 * The page's side of browser mode (renderer/bridge/ws-client.ts) against the real host:
 * calls never hang (door down → ERR_DISCONNECTED at once; no answer in the method's time → ERR_ENGINE_TIMEOUT), and the
 * client reconnects by itself, with its token, when a lab comes back on the same address.
 */
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function labHost(port = 0, token?: string): Promise<{ lab: Lab; host: Host }> {
  const lab = createTestLab()
  const host = await startHost({ lab, staticDir: RENDERER_DIR, port, token, log: () => {} })
  cleanups.push(async () => {
    await host.close()
    await lab.close()
  })
  return { lab, host }
}

function client(url: string, origin: string, options: ConstructorParameters<typeof WsClient>[1] = {}) {
  const c = new WsClient(url, { createSocket: (u) => new WebSocket(u, { origin }) as unknown as WebSocketLike, ...options })
  const states: ConnectionState[] = []
  c.onState((s) => states.push(s))
  cleanups.push(() => c.close())
  return { c, states, until: (s: ConnectionState) => new Promise<void>((resolve) => { const off = c.onState((x) => x === s && (off(), resolve())) }) }
}

describe('WsClient', () => {
  it('answers calls over the host, then fails fast while the door is down', async () => {
    const { host } = await labHost()
    const { c, until } = client(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, `http://127.0.0.1:${host.port}`, { reconnectFirstMs: 60_000 })
    expect((await c.call('lab.info', {})).ok).toBe(true)
    const down = until('reconnecting')
    await host.close()
    await down
    const r = await c.call('lab.info', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_DISCONNECTED' } })
  })

  it('settles a call in flight when the socket closes, and every later one', async () => {
    // A door that accepts requests and never answers, then goes away.
    const server = createServer()
    const wss = new WebSocketServer({ server })
    const sockets: WebSocket[] = []
    wss.on('connection', (ws) => sockets.push(ws))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => { wss.close(); server.close(() => r()); server.closeAllConnections() }))
    const port = (server.address() as AddressInfo).port
    const { c, until } = client(`ws://127.0.0.1:${port}/`, 'http://x', { reconnectFirstMs: 60_000 })
    await until('open')
    const inFlight = c.call('lab.info', {})
    await new Promise<void>((r) => (sockets.length ? r() : wss.once('connection', () => r())))
    await new Promise((r) => sockets[0]!.once('message', r))
    sockets[0]!.terminate()
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'ERR_DISCONNECTED' } })
    expect(await c.call('lab.info', {})).toMatchObject({ ok: false, error: { code: 'ERR_DISCONNECTED' } })
  })

  it('gives up on a call that gets no answer in its method’s time (ERR_ENGINE_TIMEOUT), naming the method', async () => {
    const server = createServer()
    const wss = new WebSocketServer({ server })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => { wss.close(); server.close(() => r()); server.closeAllConnections() }))
    const port = (server.address() as AddressInfo).port
    // Each method its own time (shared/transport.ts): here a quick list gets 200 ms, a comparison far more.
    const asked: string[] = []
    const { c } = client(`ws://127.0.0.1:${port}/`, 'http://x', { callTimeoutMs: (m) => (asked.push(m), m === 'net.compare.run' ? 60_000 : 200) })
    const long = c.call('net.compare.run', { clients: 1 })
    const r = await c.call('net.server.list', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_ENGINE_TIMEOUT', params: { method: 'net.server.list', seconds: 1 } } })
    expect(asked).toEqual(['net.compare.run', 'net.server.list'])
    // The long one is still waiting when the quick one gave up.
    expect(await Promise.race([long.then(() => 'settled'), Promise.resolve('waiting')])).toBe('waiting')
  })

  it('per method: a quick call gets the quick time, a long run its longest run by the contract plus slack', () => {
    expect(callTimeoutMs('net.server.list')).toBe(QUICK_CALL_TIMEOUT_MS)
    expect(callTimeoutMs('lab.info')).toBe(QUICK_CALL_TIMEOUT_MS)
    expect(callTimeoutMs('net.tcpClient.send')).toBe(MAX_CLIENT_SEND_SPAN_MS + LONG_CALL_SLACK_MS)
    expect(callTimeoutMs('proc.compare')).toBe(3 * MAX_TOTAL_MS + LONG_CALL_SLACK_MS)
    expect(callTimeoutMs('net.compare.run')).toBeGreaterThan(COMPARE_MAX_SERIAL_SPAN_MS)
    expect(callTimeoutMs('net.sticky.run')).toBeGreaterThan(STICKY_MAX_SEND_SPAN_MS + STICKY_MAX_READ_SPAN_MS)
  })

  it('reconnects by itself, with the same token, when a lab comes back on the same port', async () => {
    const first = await labHost()
    const { port, token } = first.host
    const { c, states, until } = client(`ws://127.0.0.1:${port}/ws?token=${token}`, `http://127.0.0.1:${port}`, { reconnectFirstMs: 20, reconnectMaxMs: 200 })
    const firstPid = await c.call('lab.info', {})
    expect(firstPid.ok).toBe(true)
    const lost = until('reconnecting')
    await first.host.close()
    await first.lab.close()
    await lost
    const back = until('open')
    await labHost(port, token)
    await back
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open'])
    const r = await c.call('net.server.list', {})
    expect(r).toEqual({ ok: true, value: [] })
  })
})
