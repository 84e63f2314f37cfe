import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { LAB_BIN, REPO_ROOT } from '../helpers/paths'
import { UDP_RECENT_PEERS } from '../../shared/budgets'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('lab serve tcp --send-stdin (server-side send from the terminal, the real CLI)', () => {
  it('"#N text" goes to connection N only, a plain line to every connection; a bad target is a coded error and the server goes on', async () => {
    const child = spawn(process.execPath, [LAB_BIN, 'serve', 'tcp', '--port', '0', '--handler', 'echo', '--frame', 'line', '--send-stdin', '--json'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    cleanups.push(() => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('close', () => r()), child.kill('SIGKILL')))))
    const lines: Record<string, unknown>[] = []
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
    await until(() => lines.some((l) => l.event === 'listening'), 'listening')
    const port = Number(lines.find((l) => l.event === 'listening')!.port)

    const connect = async () => {
      const socket = net.connect({ host: '127.0.0.1', port })
      let got = ''
      socket.on('data', (c: Buffer) => (got += c.toString()))
      socket.on('error', () => {})
      await new Promise<void>((r) => socket.once('connect', () => r()))
      cleanups.push(() => socket.destroy())
      return { local: socket.localPort!, got: () => got }
    }
    const a = await connect()
    const b = await connect()
    await until(() => lines.filter((l) => l.event === 'connection').length === 2, 'two connection lines')
    const connOf = (local: number) => Number(lines.find((l) => l.event === 'connection' && (l.remote as { port: number }).port === local)!.conn)

    child.stdin.write(`#${connOf(a.local)} only for a\n`)
    await until(() => a.got() === 'only for a\n', 'a to get its line')
    child.stdin.write('for everyone\n')
    await until(() => a.got().endsWith('for everyone\n') && b.got() === 'for everyone\n', 'both to get the second')
    expect(b.got()).toBe('for everyone\n')
    child.stdin.write('#999 nobody\n')
    await until(() => lines.filter((l) => l.event === 'panel-send').length === 3, 'three send results')
    const results = lines.filter((l) => l.event === 'panel-send')
    expect(results.map((r) => r.ok)).toEqual([true, true, false])
    expect(results[0]).toMatchObject({ sent: [{ conn: connOf(a.local) }] })
    expect((results[1]!.sent as unknown[]).length).toBe(2)
    expect(results[2]).toMatchObject({ error: { code: expect.stringMatching(/^ERR_/) } })
    // Still serving.
    expect(child.exitCode).toBe(null)
  })
})

describe('lab serve udp --send-stdin (a datagram from the server to a recent peer, the real CLI; h3, issue 14)', () => {
  it('"@ADDR:PORT text" goes to that peer only, a plain line to every recent peer; an address that never sent is ERR_NOT_A_PEER and the server goes on', async () => {
    const child = spawn(process.execPath, [LAB_BIN, 'serve', 'udp', '--port', '0', '--handler', 'echo', '--send-stdin', '--json'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    cleanups.push(() => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('close', () => r()), child.kill('SIGKILL')))))
    const lines: Record<string, unknown>[] = []
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
    await until(() => lines.some((l) => l.event === 'listening'), 'listening')
    const port = Number(lines.find((l) => l.event === 'listening')!.port)

    // Two real UDP clients; each says hi (and gets its echo), so the server knows them as recent peers.
    const peer = async () => {
      const socket = dgram.createSocket('udp4')
      const got: string[] = []
      socket.on('message', (m) => got.push(m.toString()))
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
      cleanups.push(() => new Promise<void>((r) => socket.close(() => r())))
      socket.send('hi', port, '127.0.0.1')
      await until(() => got.length === 1, 'the echo')
      return { port: socket.address().port, got }
    }
    const a = await peer()
    const b = await peer()
    child.stdin.write(`@127.0.0.1:${a.port} only for a\n`)
    await until(() => a.got.includes('only for a'), 'a to get its datagram')
    child.stdin.write('for everyone\n')
    await until(() => a.got.includes('for everyone') && b.got.includes('for everyone'), 'both to get the second')
    // A port nobody sent from: refused, coded, nothing sent.
    child.stdin.write('@127.0.0.1:9 nobody\n')
    await until(() => lines.filter((l) => l.event === 'panel-send').length === 3, 'three send results')
    const results = lines.filter((l) => l.event === 'panel-send')
    expect(results.map((r) => r.ok)).toEqual([true, true, false])
    expect(results[0]).toMatchObject({ sent: [{ peer: `127.0.0.1:${a.port}`, bytes: 10 }] })
    expect((results[1]!.sent as { peer: string }[]).map((s) => s.peer).sort()).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort())
    expect(results[2]).toMatchObject({ error: { code: 'ERR_NOT_A_PEER' } })
    // B never got A's datagram: its datagrams are the echo and the one for everyone.
    expect(b.got).toEqual(['hi', 'for everyone'])
    expect(child.exitCode).toBe(null)
  })

  it('--help says it, with the number of recent peers read from shared/', async () => {
    const child = spawn(process.execPath, [LAB_BIN, 'serve', '--help'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    await new Promise<void>((r) => child.once('close', () => r()))
    expect(out).toContain('[--send-stdin] [--json]')
    expect(out.replace(/\s+/g, ' ')).toContain(`the ${UDP_RECENT_PEERS} addresses that sent to it last), "@ADDR:PORT text" to that peer only; any other address is ERR_NOT_A_PEER`)
  })
})
