import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { MAX_ONE_SHOT_CLIENTS, RESERVED_DESCRIPTORS } from '../../shared/contract'
import { LabProcess } from '../helpers/cli'
import { createTestLab } from '../helpers/lab'
import { webClient } from '../helpers/web-client'

/**
 * Issue 12: 1,100 concurrent `net.tcp.send` with 1,024 descriptors took every descriptor: the page
 * could not connect any more and History writes failed. Here the same storm, scaled to a child lab
 * started under `ulimit -n 256`: the lab's doors and History keep working, and every send refused
 * is refused with ERR_LIMIT and its numbers, never a timeout or an internal error.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-exhaust-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

type Reply = { ok: boolean; value?: unknown; error?: { code: string; message: string; params?: Record<string, unknown> } }

describe('one-shot clients cannot take the lab’s last descriptors', () => {
  let lab: LabProcess | null = null
  afterEach(async () => {
    if (lab) await lab.stop('SIGKILL')
    lab = null
  })

  it('under ulimit -n 256, 600 concurrent sends: the page still connects, History still saves, the rest get ERR_LIMIT', async () => {
    lab = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir], { nofile: 256 })
    const page = await webClient(lab)
    const started = (await page.call('net.tcpServer.start', { port: 0, handler: 'delay:5000', requestQueueSize: 1024 })) as Reply
    expect(started.ok, JSON.stringify(started)).toBe(true)
    const port = (started.value as { port: number }).port

    // A backlog of socketserver's 5 would make the kernel drop most SYNs and the storm crawl on retransmits.
    // Ten pages of 60 sends each: under the door's own cap on calls in flight per socket, so what
    // refuses them here is the lab-wide budget.
    const pages = await Promise.all(Array.from({ length: 10 }, () => webClient(lab!)))
    const storm = pages.flatMap((p, k) =>
      Array.from({ length: 60 }, (_, i) => p.call('net.tcp.send', { host: '127.0.0.1', port, message: `m${k * 60 + i}`, timeoutMs: 30_000 }) as Promise<Reply>),
    )
    // Once the storm has hit (its first answer is back) and while the sends hold their sockets:
    // a second page opens, and History saves a run.
    await Promise.race(storm)
    const second = await webClient(lab)
    const info = (await second.call('lab.info', {})) as Reply
    expect(info.ok, JSON.stringify(info)).toBe(true)
    const saved = (await second.call('history.add', { kind: 'net.test', title: 'during the storm', settings: {}, summary: {}, result: null })) as Reply
    expect(saved.ok, JSON.stringify(saved)).toBe(true)

    const results = await Promise.all(storm)
    const codes = new Map<string, number>()
    for (const r of results) {
      const code = r.ok ? 'ok' : r.error!.code
      codes.set(code, (codes.get(code) ?? 0) + 1)
    }
    expect([...codes.keys()].sort(), JSON.stringify([...codes])).toEqual(['ERR_LIMIT', 'ok'])
    const refused = results.find((r) => !r.ok)!.error!
    expect(refused.message).toMatch(/descriptors|one-shot clients/)
    expect(refused.params).toMatchObject({ reserved: RESERVED_DESCRIPTORS, limit: 256 })
    // The replies that were allowed are right.
    expect(results.filter((r) => r.ok).every((r) => /^M\d+$/.test((r.value as { reply: string }).reply))).toBe(true)
    for (const p of [page, second, ...pages]) p.ws.close()
  })
})

describe('one-shot clients in one engine', () => {
  let engine: Lab
  const sockets: net.Socket[] = []
  const servers: net.Server[] = []
  beforeEach(() => {
    engine = createTestLab()
  })
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    for (const s of servers.splice(0)) s.close()
    await engine.close()
  })

  it(`runs at most ${MAX_ONE_SHOT_CLIENTS} at once; one more is ERR_LIMIT with the number`, async () => {
    const info = await engine.invoke('net.tcpServer.start', { port: 0, handler: 'delay:1500', requestQueueSize: 1024 })
    const sends = Array.from({ length: MAX_ONE_SHOT_CLIENTS + 5 }, (_, i) => engine.call('net.tcp.send', { host: '127.0.0.1', port: info.port, message: `x${i}`, timeoutMs: 30_000 }))
    const results = await Promise.all(sends)
    const limited = results.filter((r) => !r.ok)
    expect(limited.length).toBeGreaterThanOrEqual(5)
    for (const r of limited) expect(r.ok ? null : r.error.code).toBe('ERR_LIMIT')
    const byCap = limited.find((r) => !r.ok && r.error.params?.max === MAX_ONE_SHOT_CLIENTS)
    const byDescriptors = limited.find((r) => !r.ok && r.error.params?.reserved === RESERVED_DESCRIPTORS)
    expect(byCap ?? byDescriptors, 'refused by one of the two budgets, with its number').toBeTruthy()
  })

  it('a send queued behind a serial server’s busy connection says so, with its place in the queue', async () => {
    const info = await engine.invoke('net.tcpServer.start', { port: 0, mode: 'serial' })
    // Someone else is being served and stays connected.
    const holder = net.connect({ host: '127.0.0.1', port: info.port })
    sockets.push(holder)
    await new Promise<void>((resolve) => {
      holder.once('connect', () => holder.write('first'))
      holder.once('data', () => resolve())
    })
    const r = await engine.call('net.tcp.send', { host: '127.0.0.1', port: info.port, message: 'second', timeoutMs: 1_000 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('ERR_SERVER_BUSY')
    expect(r.error.params).toMatchObject({ position: 1, waiting: 1, serving: 1 })
    expect(r.error.message).toMatch(/serial server still serving connection #1/)
    expect(r.error.hint).toMatch(/one connection at a time/)
  })

  it('a server that accepts but never answers: ERR_NO_REPLY, not "is the server running?"', async () => {
    const silent = net.createServer((s) => sockets.push(s))
    servers.push(silent)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as net.AddressInfo).port
    const r = await engine.call('net.tcp.send', { host: '127.0.0.1', port, message: 'hello', timeoutMs: 500 })
    expect(r.ok ? null : r.error.code).toBe('ERR_NO_REPLY')
    expect(r.ok ? '' : r.error.message).toMatch(/accepted the connection and got 5 bytes/)
  })
})
