import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClientEvent, LabEvent } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'
import { runLab } from '../helpers/cli'
import { REPO_ROOT } from '../helpers/paths'
import { hasPython } from '../helpers/python'

const python = hasPython
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'python')

const children: ChildProcess[] = []
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGKILL')
        }),
    ),
  )
})

/** Starts one of the course-style Python servers on a free port; resolves that port. */
function pythonServer(file: string): Promise<number> {
  const child = spawn('python3', [path.join(FIXTURES, file), '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start: ${stderr}`)), 10_000)
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve(Number((JSON.parse(line) as { port: number }).port))
    })
  })
}

describe.skipIf(!python)(`the lab's clients against the course's Python servers${python ? '' : ' (skipped: python3 not found)'}`, () => {
  it('a persistent lab client talks to socketserver.ThreadingTCPServer, in UTF-8 and GBK', async () => {
    const port = await pythonServer('course_tcp_server.py')
    const lab = createTestLab()
    const events: ClientEvent[] = []
    lab.onEvent((e: LabEvent) => e.topic === 'net.client' && events.push(e.payload))
    try {
      const c = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port, encoding: 'gbk', nodelay: true })
      await lab.invoke('net.tcpClient.send', { id: c.id, payload: 'hello 你好' })
      const want = Buffer.from('HELLO ').toString('hex') + 'c4e3bac3'
      const got = () => events.filter((e) => e.event === 'received').map((e) => (e.event === 'received' ? e.hex : '')).join('')
      for (let i = 0; i < 200 && got() !== want; i++) await new Promise((r) => setTimeout(r, 10))
      expect(got()).toBe(want)
      expect(events.filter((e) => e.event === 'received').map((e) => (e.event === 'received' ? e.text : '')).join('')).toBe('HELLO 你好')
      await lab.invoke('net.tcpClient.close', { id: c.id })
    } finally {
      await lab.close()
    }
  })

  it('`lab send` and `lab bench` work against the Python TCP server with no wrong reply', async () => {
    const port = await pythonServer('course_tcp_server.py')
    expect(await runLab(['send', 'tcp', '127.0.0.1', String(port), 'hello'])).toMatchObject({ code: 0, stdout: 'HELLO\n' })
    const bench = await runLab(['bench', 'tcp', '--port', String(port), '--clients', '4', '--messages', '100', '--json'])
    expect(bench.code).toBe(0)
    expect(JSON.parse(bench.stdout)).toMatchObject({ ok: true, completed: 400, wrong: 0 })
  })

  it("the lab's framed client (len32le) matches the course's struct.pack('i', n) server", async () => {
    const port = await pythonServer('course_framed_server.py')
    const r = await runLab(['send', 'tcp', '127.0.0.1', String(port), 'sticky', '--frame', 'len32le', '--repeat', '3', '--json'])
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { messages: string[] }
    expect(last.messages).toEqual(['STICKY', 'STICKY', 'STICKY'])
  })

  it('the UDP sender gets answers from socketserver.ThreadingUDPServer', async () => {
    const port = await pythonServer('course_udp_server.py')
    const lab = createTestLab()
    try {
      const r = await lab.invoke('net.udp.send', { host: '127.0.0.1', port, payload: 'ping', repeat: 3, gapMs: 5 })
      expect(r.replies.map((x) => x.text)).toEqual(['PING', 'PING', 'PING'])
    } finally {
      await lab.close()
    }
    const bench = await runLab(['bench', 'udp', '--port', String(port), '--clients', '2', '--messages', '50', '--json'])
    expect(JSON.parse(bench.stdout)).toMatchObject({ ok: true, wrong: 0 })
  })
})
