import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SAVED_EXPORT_FORMAT, SAVED_EXPORT_VERSION, savedMessageFields } from '../../shared/contract'
import { runLab } from '../helpers/cli'
import { limitsOf } from '../../shared/schema'

let dir: string
const cleanups: (() => unknown)[] = []
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-cli-saved-'))
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  rmSync(dir, { recursive: true, force: true })
})

const lab = (...args: string[]) => runLab(['saved', ...args, '--data-dir', dir])
const json = async (...args: string[]) => {
  const r = await lab(...args, '--json')
  return { code: r.code, value: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, stderr: r.stderr }
}

describe('lab saved (the real CLI, spawned)', () => {
  it('adds a UDP message with {{COUNTER}}; three sends from three processes arrive as 1, 2, 3 (the counter is kept in the data folder)', async () => {
    const udp = dgram.createSocket('udp4')
    const datagrams: string[] = []
    udp.on('message', (m, r) => {
      datagrams.push(m.toString())
      udp.send(Buffer.from(m.toString().toUpperCase()), r.port, r.address)
    })
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())))

    const added = await json('add', 'ping', 'n={{COUNTER}}', '--proto', 'udp', '--port', String(udp.address().port), '--macros', '--group', 'demo')
    expect(added).toMatchObject({ code: 0, value: { ok: true, message: { name: 'ping', proto: 'udp', macros: true, group: 'demo', counter: 1 } } })
    for (let i = 1; i <= 3; i++) {
      const sent = await json('send', 'ping')
      expect(sent).toMatchObject({ code: 0, value: { ok: true, name: 'ping', sent: 1, replies: [`N=${i}`], nextCounter: i + 1 } })
    }
    expect(datagrams).toEqual(['n=1', 'n=2', 'n=3'])
    const list = await lab('list')
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^\[demo\] ping {2}udp 127\.0\.0\.1:\d+ {2}"n=\{\{COUNTER\}\}" {2}\(next \{\{COUNTER\}\} 4\)/)
  })

  it('sends a TCP line-framed message and prints the replies', async () => {
    const server = net.createServer((s) => s.on('data', (c: Buffer) => s.write(c.toString().toUpperCase())).on('error', () => {}))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise((r) => server.close(r)))
    const port = (server.address() as net.AddressInfo).port
    expect((await lab('add', 'hello', 'hi', 'there', '--port', String(port), '--frame', 'line', '--repeat', '2')).code).toBe(0)
    const sent = await lab('send', 'hello')
    expect(sent.code).toBe(0)
    expect(sent.stdout.split('\n').slice(1, 3)).toEqual(['HI THERE', 'HI THERE'])
  })

  it('exports the app\'s file format and imports it into another data folder; a damaged import names the field and saves nothing', async () => {
    await lab('add', 'a', 'x', '--port', '8081')
    await lab('add', 'b', 'c4e3', '--hex', '--proto', 'udp', '--port', '8082', '--group', 'g')
    const exported = await lab('export')
    expect(exported.code).toBe(0)
    const file = JSON.parse(exported.stdout) as { format: string; version: number; messages: Record<string, unknown>[] }
    expect(file).toMatchObject({ format: SAVED_EXPORT_FORMAT, version: SAVED_EXPORT_VERSION })
    expect(file.messages.map((m) => m.name)).toEqual(['a', 'b'])
    // Only the fields a message holds (no id, time or counter), each one the contract knows.
    for (const m of file.messages) expect(savedMessageFields.parse(m).ok).toBe(true)

    const out = path.join(dir, 'export.json')
    writeFileSync(out, exported.stdout)
    const other = mkdtempSync(path.join(os.tmpdir(), 'lab-cli-saved-other-'))
    cleanups.push(() => rmSync(other, { recursive: true, force: true }))
    const imported = await runLab(['saved', 'import', out, '--data-dir', other, '--json'])
    expect(JSON.parse(imported.stdout)).toEqual({ ok: true, added: 2, total: 2 })
    expect(readFileSync(path.join(other, 'saved-messages.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2)

    const bad = path.join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ ...file, messages: [file.messages[0], { ...file.messages[1], port: 70000 }] }))
    const refused = await runLab(['saved', 'import', bad, '--data-dir', other, '--json'])
    expect(refused.code).toBe(2)
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/messages\[1\]\.port/) } })
    expect((await runLab(['saved', 'list', '--data-dir', other, '--json'])).stdout).toContain('"damaged":0')
    expect(JSON.parse((await runLab(['saved', 'list', '--data-dir', other, '--json'])).stdout).messages).toHaveLength(2)
  })

  it('bad input is a coded error naming the option, with the contract\'s own limits; --help lists the actions', async () => {
    const { max } = limitsOf(savedMessageFields.shape.repeat)
    const tooMany = await json('add', 'r', 'x', '--port', '8081', '--repeat', String(max + 1))
    expect(tooMany).toMatchObject({ code: 2, value: { ok: false, error: { code: 'ERR_INVALID_INPUT', message: `--repeat must be between 1 and ${max}, got ${max + 1}` } } })
    expect((await json('add', 'r', 'x')).value).toMatchObject({ error: { code: 'ERR_INVALID_INPUT', params: { option: 'port' } } })
    expect((await json('add', 'r', 'x', '--port', '8081', '--proto', 'udp', '--frame', 'line')).value).toMatchObject({ error: { params: { option: 'frame' } } })
    expect((await json('send', 'nobody')).value).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
    expect((await json('frobnicate')).code).toBe(2)
    const help = await runLab(['saved', '--help'])
    expect(help.code).toBe(0)
    for (const action of ['list', 'add', 'send', 'export', 'import']) expect(help.stdout).toContain(`lab saved ${action}`)
    // The range as the contract says it (the default may follow it in the same parentheses).
    expect(help.stdout).toContain(`(1-${max}`)
    expect((await runLab(['--help'])).stdout).toMatch(/saved\s+list, add, send, export and import saved messages/)
  })
})
