import dgram from 'node:dgram'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'

describe('lab relay', () => {
  const cleanup: (() => unknown)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('relays TCP with a delay and reports each message as a JSON line', async () => {
    const server = net.createServer((s) => s.on('data', (d) => s.write(d.toString().toUpperCase())))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    cleanup.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const relay = new LabProcess(['relay', '--listen', '0', '--to', `127.0.0.1:${port}`, '--delay', '25', '--json'])
    cleanup.push(() => relay.stop())
    const listening = await relay.waitFor((l) => l.event === 'listening')
    const relayPort = (listening.listen as { port: number }).port
    const client = net.connect({ host: '127.0.0.1', port: relayPort })
    cleanup.push(() => client.destroy())
    client.write('hello')
    const reply = await new Promise<string>((r) => client.once('data', (d) => r(d.toString())))
    expect(reply).toBe('HELLO')
    const msg = await relay.waitFor((l) => l.event === 'in' && l.dir === 'up')
    expect(msg).toMatchObject({ seq: 1, bytes: 5, delayMs: 25, action: 'forward' })
    await relay.waitFor((l) => l.event === 'out' && l.dir === 'up')
  })

  it('with no condition lists the first messages one by one and prints the rest as summary lines that account for every read', async () => {
    const server = net.createServer((s) => s.on('data', (d) => s.write(d)))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    cleanup.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const relay = new LabProcess(['relay', '--listen', '0', '--to', `127.0.0.1:${port}`, '--json'])
    cleanup.push(() => relay.stop())
    const listening = await relay.waitFor((l) => l.event === 'listening')
    const client = net.connect({ host: '127.0.0.1', port: (listening.listen as { port: number }).port })
    client.setNoDelay(true)
    cleanup.push(() => client.destroy())
    await new Promise((r) => client.once('connect', r))
    // One round trip at a time (each its own read), until the relay has printed a summary.
    let sent = 0
    while (sent < 20_000 && !relay.lines.some((l) => l.event === 'summary')) {
      client.write('x')
      await new Promise((r) => client.once('data', r))
      sent++
    }
    client.end()
    await relay.waitFor((l) => l.event === 'close')
    const up = relay.lines.filter((l) => l.dir === 'up')
    const listed = up.filter((l) => l.event === 'in').length
    const summed = up.filter((l) => l.event === 'summary').reduce((n, l) => n + (l.messages as number), 0)
    expect(summed).toBeGreaterThan(0)
    expect(listed + summed).toBe(sent)
  }, 120_000)

  it('with --quiet prints no line per message, but still the connection and its close', async () => {
    const server = net.createServer((s) => s.on('data', (d) => s.write(d)))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    cleanup.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    const relay = new LabProcess(['relay', '--listen', '0', '--to', `127.0.0.1:${port}`, '--quiet', '--json'])
    cleanup.push(() => relay.stop())
    const listening = await relay.waitFor((l) => l.event === 'listening')
    const client = net.connect({ host: '127.0.0.1', port: (listening.listen as { port: number }).port })
    client.write('hello')
    expect(await new Promise<string>((r) => client.once('data', (d) => r(d.toString())))).toBe('hello')
    client.end()
    await relay.waitFor((l) => l.event === 'close')
    expect(relay.lines.map((l) => l.event)).toContain('connection')
    expect(relay.lines.filter((l) => l.event === 'in' || l.event === 'out')).toEqual([])
  })

  it('drops UDP datagrams with --loss 100 and says so', async () => {
    const sink = dgram.createSocket('udp4')
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => sink.close())
    const relay = new LabProcess(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${sink.address().port}`, '--udp', '--loss', '100', '--json'])
    cleanup.push(() => relay.stop())
    const listening = await relay.waitFor((l) => l.event === 'listening')
    const client = dgram.createSocket('udp4')
    cleanup.push(() => client.close())
    client.send('x', (listening.listen as { port: number }).port, '127.0.0.1')
    expect(await relay.waitFor((l) => l.event === 'in')).toMatchObject({ action: 'dropped', proto: 'udp' })
  })

  it('says, in its text log, that the UDP server port is not listening, counts the refusals and keeps relaying', async () => {
    const closed = dgram.createSocket('udp4')
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()))
    const deadPort = closed.address().port
    await new Promise<void>((r) => closed.close(() => r()))
    const relay = new LabProcess(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${deadPort}`, '--udp', '--quiet'])
    cleanup.push(() => relay.stop())
    const listening = await relay.waitFor((l) => typeof l.text === 'string' && /relaying udp/.test(l.text))
    const relayPort = Number(/127\.0\.0\.1:(\d+) →/.exec(listening.text as string)![1])
    const client = dgram.createSocket('udp4')
    cleanup.push(() => client.close())
    const refusal = (n: number) => (l: Record<string, unknown>) => typeof l.text === 'string' && l.text.includes(`; ${n} refusal${n === 1 ? '' : 's'} so far`)
    for (let i = 1; i <= 2; i++) {
      client.send(`d${i}`, relayPort, '127.0.0.1')
      await relay.waitFor(refusal(i))
    }
    const line = (await relay.waitFor(refusal(2))).text as string
    expect(line).toMatch(new RegExp(`#1 the server's UDP port 127\\.0\\.0\\.1:${deadPort} is not listening: its OS refused the datagram \\(ICMP port unreachable; 2 refusals so far\\)`))
    expect(line).toMatch(/the relay keeps running/)
    expect(relay.lines.filter((l) => typeof l.text === 'string' && /\berror\b/.test(l.text))).toEqual([])
    expect(relay.child.exitCode).toBeNull()
  })

  it('refuses a UDP condition on a TCP relay and a missing --to, with the option named', async () => {
    const loss = await runLab(['relay', '--to', '127.0.0.1:9', '--loss', '10'])
    expect(loss.code).toBe(2)
    expect(loss.stderr).toMatch(/--loss applies to UDP/)
    expect(loss.stderr).toMatch(/hint: Check --loss/)
    const noTo = await runLab(['relay', '--json'])
    expect(noTo.code).toBe(2)
    expect(JSON.parse(noTo.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT', params: { option: 'to' } } })
    const help = await runLab(['relay', '--help'])
    expect(help.stdout).toMatch(/tc qdisc add dev lo root netem/)
  })
})
