import dgram from 'node:dgram'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'

const running: LabProcess[] = []
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
})

async function labServe(args: string[] = []): Promise<number> {
  const server = new LabProcess(['serve', 'tcp', '--port', '0', '--json', ...args])
  running.push(server)
  const { port } = await server.waitFor((l) => l.event === 'listening')
  return Number(port)
}

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

describe('lab send', () => {
  it('sends GBK text and prints it decoded; --json shows the bytes on the wire', async () => {
    const port = await labServe()
    const r = await runLab(['send', 'tcp', '127.0.0.1', String(port), '你好', 'abc', '--encoding', 'gbk', '--json'])
    expect(r.code).toBe(0)
    const lines = jsonLines(r.stdout)
    expect(lines[0]).toMatchObject({ event: 'sent', bytes: 8, hex: 'c4e3bac3' + '20616263' })
    const last = lines.at(-1)!
    expect(last).toMatchObject({ ok: true, reply: '你好 ABC', replyHex: 'c4e3bac320414243', bytesSent: 8, bytesReceived: 8 })
  })

  it('sends hex, repeats with a gap, and waits for every reply', async () => {
    const port = await labServe()
    const r = await runLab(['send', 'tcp', '127.0.0.1', String(port), '61 62', '--hex', '--repeat', '3', '--gap', '20', '--nodelay'])
    expect(r).toMatchObject({ code: 0, stdout: 'ABABAB\n' })
  })

  it('frames each send and prints the framed replies one per line', async () => {
    // A course-style framed server: 4-byte little-endian length, then the upper-cased payload.
    const server = net.createServer((s) => {
      let buf = Buffer.alloc(0)
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d])
        while (buf.length >= 4 && buf.length >= 4 + buf.readInt32LE(0)) {
          const n = buf.readInt32LE(0)
          const body = Buffer.from(buf.subarray(4, 4 + n).toString().toUpperCase())
          const head = Buffer.alloc(4)
          head.writeInt32LE(body.length)
          s.write(Buffer.concat([head, body]))
          buf = buf.subarray(4 + n)
        }
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const r = await runLab(['send', 'tcp', '127.0.0.1', String(port), 'hi', '--frame', 'len32le', '--repeat', '2'])
    expect(r).toMatchObject({ code: 0, stdout: 'HI\nHI\n' })
  })

  it('sends UDP datagrams and prints each reply', async () => {
    const s = dgram.createSocket('udp4')
    s.on('message', (m, rinfo) => s.send(Buffer.from(m.toString().toUpperCase()), rinfo.port, rinfo.address))
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())))
    const r = await runLab(['send', 'udp', '127.0.0.1', String(s.address().port), 'ping', '--repeat', '2'])
    expect(r).toMatchObject({ code: 0, stdout: 'PING\nPING\n' })
    const silent = dgram.createSocket('udp4')
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => silent.close(() => r())))
    const none = await runLab(['send', 'udp', '127.0.0.1', String(silent.address().port), 'ping', '--timeout', '200'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/ERR_TIMEOUT/)
  })

  it('refuses bad hex, a bad encoding and an oversize datagram with clear errors', async () => {
    const bad = await runLab(['send', 'tcp', '127.0.0.1', '9', 'zz', '--hex'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/ERR_INVALID_INPUT: payload is not hex/)
    const enc = await runLab(['send', 'tcp', '127.0.0.1', '9', 'x', '--encoding', 'latin1'])
    expect(enc.code).toBe(2)
    expect(enc.stderr).toMatch(/--encoding must be one of utf8, gbk/)
    const big = await runLab(['send', 'udp', '127.0.0.1', '9', 'x'.repeat(65_508), '--json'])
    expect(big.code).toBe(1)
    expect(JSON.parse(big.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_DATAGRAM_TOO_LARGE' } })
  })
})

describe('lab bench', () => {
  it('loads the lab server with several clients and gets no wrong reply', async () => {
    const port = await labServe()
    const r = await runLab(['bench', 'tcp', '--port', String(port), '--clients', '4', '--messages', '200', '--bytes', '64', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, number>
    expect(out).toMatchObject({ ok: true, proto: 'tcp', clients: 4, completed: 800, wrong: 0, failedClients: 0 })
    expect(out.msgsPerSec).toBeGreaterThan(0)
    expect(out.p50Ms).toBeLessThanOrEqual(out.p99Ms!)
  })

  it('counts wrong replies from a server that does not upper-case, and exits 1', async () => {
    const server = net.createServer((s) => s.pipe(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const r = await runLab(['bench', 'tcp', '--port', String((server.address() as net.AddressInfo).port), '--clients', '2', '--messages', '10', '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, completed: 20, wrong: 20 })
  })

  it('benches a UDP upper-case server', async () => {
    const s = dgram.createSocket('udp4')
    s.on('message', (m, rinfo) => s.send(Buffer.from(m.toString().toUpperCase()), rinfo.port, rinfo.address))
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())))
    const r = await runLab(['bench', 'udp', '--port', String(s.address().port), '--clients', '3', '--messages', '100'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/messages\/s {2}\d+/)
    expect(r.stdout).toMatch(/wrong {7}0/)
  })

  it('needs --port and a protocol', async () => {
    expect((await runLab(['bench', 'tcp'])).code).toBe(2)
    expect((await runLab(['bench', 'sctp', '--port', '1'])).code).toBe(2)
  })
})

describe('lab sticky and lab concurrency', () => {
  it('lab sticky shows sends merged by a slow reader, and framing recovering them', async () => {
    const r = await runLab(['sticky', 'one', 'two', 'three', '--read-delay', '100', '--frame', 'line', '--udp'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/3 send\(\) → 1 recv\(1024\)/)
    expect(r.stdout).toMatch(/recovered 3 messages, 3 exactly as sent: \[one\] \[two\] \[three\]/)
    expect(r.stdout).toMatch(/3 sendto\(\) → 3 recvfrom/)
    const json = await runLab(['sticky', 'ab', '--recv-size', '1', '--read-delay', '0', '--json'])
    const out = JSON.parse(json.stdout) as { ok: boolean; recvs: { bytes: number }[]; split: number }
    expect(out.ok).toBe(true)
    expect(out.recvs.map((c) => c.bytes)).toEqual([1, 1])
    expect(out.split).toBe(1)
  })

  it('lab concurrency prints a row per mode with no wrong replies, and refuses unknown modes', async () => {
    const r = await runLab(['concurrency', '--clients', '2', '--messages', '2', '--modes', 'serial,async', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { modes: { mode: string; wrong: number; messages: number }[] }
    expect(out.modes.map((m) => [m.mode, m.messages, m.wrong])).toEqual([
      ['serial', 4, 0],
      ['async', 4, 0],
    ])
    const bad = await runLab(['concurrency', '--modes', 'serial,turbo'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--modes takes/)
  })
})
