import { afterEach, describe, expect, it } from 'vitest'
import { LabProcess, runLab } from '../helpers/cli'

describe('the lab command', () => {
  const running: LabProcess[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
  })

  it('serves TCP with JSON lines and answers `lab send` with HELLO', async () => {
    const server = new LabProcess(['serve', 'tcp', '--port', '0', '--json'])
    running.push(server)
    const first = await server.waitFor((l) => l.event === 'listening')
    expect(server.lines[0]).toEqual({ event: 'listening', proto: 'tcp', host: '127.0.0.1', port: first.port })
    const send = await runLab(['send', 'tcp', '127.0.0.1', String(first.port), 'hello'])
    expect(send).toMatchObject({ code: 0, stdout: 'HELLO\n' })
    const recv = await server.waitFor((l) => l.event === 'recv')
    expect(recv).toMatchObject({ bytes: 5, conn: 1, hex: '68656c6c6f' })
    await server.waitFor((l) => l.event === 'close')
    expect(server.lines.find((l) => l.event === 'connection')).toMatchObject({ conn: 1, remote: { address: '127.0.0.1' } })
    expect(await server.stop('SIGTERM')).toBe(0)
  })

  it('exits non-zero with the coded error when the connection is refused, or the port is taken', async () => {
    const server = new LabProcess(['serve', 'tcp', '--port', '0', '--json'])
    running.push(server)
    const { port } = await server.waitFor((l) => l.event === 'listening')
    const taken = await runLab(['serve', 'tcp', '--port', String(port), '--json'])
    expect(taken.code).toBe(1)
    expect(JSON.parse(taken.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_PORT_IN_USE' } })
    await server.stop('SIGTERM')
    const refused = await runLab(['send', 'tcp', '127.0.0.1', String(port), 'hi'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/ERR_CONNECTION_REFUSED/)
    expect(refused.stderr).toMatch(/hint:/)
  })

  it('explains itself: --help for the command and every subcommand', async () => {
    const main = await runLab(['--help'])
    expect(main.code).toBe(0)
    const names = [...main.stdout.matchAll(/^ {2}(\w+) {2}/gm)].map((m) => m[1]!)
    expect(names).toEqual(expect.arrayContaining(['serve', 'send', 'web']))
    for (const name of names) {
      const help = await runLab([name, '--help'])
      expect(help.code, name).toBe(0)
      expect(help.stdout, name).toMatch(new RegExp(`^lab ${name}`))
      expect(help.stdout, name).toMatch(/--json/)
    }
  })

  it('rejects bad usage with exit 2 and a message, never a stack trace', async () => {
    for (const args of [['nope'], ['serve', 'tcp', '--port', 'abc'], ['serve', 'tcp', '--port', '70000'], ['send', 'tcp'], ['serve', 'tcp', '--bogus']]) {
      const r = await runLab(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(/ERR_INVALID_INPUT/)
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /)
    }
  })
})
