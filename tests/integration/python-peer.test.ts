import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { processRole } from '../../main/lab/proc/roles'
import type { PythonPeer } from '../../shared/contract'
import type { WsMessage } from '../../shared/transport'
import WebSocket from 'ws'
import { LabProcess } from '../helpers/cli'
import { createTestLab } from '../helpers/lab'
import { hasPython } from '../helpers/python'


const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** PIDs in a process group (Linux /proc), to see that forked children went with their parent. */
const groupMembers = (pgid: number): number[] => {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' })
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid && !String(f[2]).startsWith('Z'))
    .map((f) => Number(f[0]))
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.skipIf(!hasPython)('Python peers', () => {
  let lab: Lab
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    await lab.close()
  })

  it('runs the lab’s ThreadingTCPServer program; net.tcp.send gets the upper-cased reply; stop leaves no process', async () => {
    const peer = await lab.invoke('python.run', { program: 'tcp_server_threading', port: 0 })
    expect(peer.state).toBe('running')
    expect(peer.port).toBeGreaterThan(0)
    expect(peer.pid).toBeGreaterThan(0)
    expect(processRole(peer.pid!)).toMatchObject({ role: 'python-peer' })

    // It is a child of the engine in the process tree, labelled as a Python peer.
    if (process.platform === 'linux') {
      const tree = await lab.invoke('os.tree', {})
      expect(tree.processes.find((p) => p.pid === peer.pid)).toMatchObject({ ppid: process.pid, role: 'python-peer' })
    }

    const reply = await lab.invoke('net.tcp.send', { host: '127.0.0.1', port: peer.port, message: 'hello from the lab' })
    expect(reply.reply).toBe('HELLO FROM THE LAB')

    const listed = await lab.invoke('python.list', {})
    expect(listed.map((p) => p.id)).toContain(peer.id)
    const stopped = await lab.invoke('python.stop', { id: peer.id })
    expect(stopped.state).toBe('exited')
    expect(stopped.output.some((l) => l.text.includes("received b'hello from the lab'"))).toBe(true)
    expect(alive(peer.pid!)).toBe(false)
    expect(processRole(peer.pid!)).toBeUndefined()
  })

  it('stops a ForkingTCPServer together with the child serving an open connection', async () => {
    const peer = await lab.invoke('python.run', { program: 'tcp_server_forking', port: 0 })
    const sock = net.connect(peer.port, '127.0.0.1')
    await new Promise((r) => sock.once('connect', r))
    sock.write('x')
    await new Promise((r) => sock.once('data', r))
    await until(() => groupMembers(peer.pid!).length >= 2)
    await lab.invoke('python.stop', { id: peer.id })
    await until(() => groupMembers(peer.pid!).length === 0)
    sock.destroy()
  })

  it('runs the client program against the lab’s own TCP server and shows its output', async () => {
    const server = await lab.invoke('net.tcpServer.start', { host: '127.0.0.1', port: 0 })
    const outputs: string[] = []
    const exits: unknown[] = []
    lab.onEvent((e) => {
      if (e.topic === 'python.output') outputs.push(e.payload.text)
      if (e.topic === 'python.exit') exits.push(e.payload)
    })
    const peer = await lab.invoke('python.run', { program: 'tcp_client', port: server.port, messages: ['abc', 'def'] })
    await until(() => exits.length === 1)
    const [done] = (await lab.invoke('python.list', {})).filter((p: PythonPeer) => p.id === peer.id)
    expect(done, JSON.stringify(done)).toMatchObject({ state: "exited", exitCode: 0 })
    expect(outputs).toContain("sent 'abc'  got 'ABC'")
    expect(outputs).toContain("sent 'def'  got 'DEF'")
  })

  it('reports a busy port as ERR_PORT_IN_USE and refuses unknown programs', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const r = await lab.call('python.run', { program: 'tcp_server_serial', port })
      expect(r).toMatchObject({ ok: false, error: { code: 'ERR_PORT_IN_USE' } })
    } finally {
      blocker.close()
    }
    const bad = await lab.call('python.run', { program: 'rm -rf /' as never })
    expect(bad).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    const code = await lab.call('python.run', { program: 'tcp_client', source: 'print(1)' } as never)
    expect(code).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
  })

  it('a peer exits by itself when the lab is killed with SIGKILL (its stdin closes)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-py-'))
    const web = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir])
    try {
      const line = await web.waitFor((l) => l.event === 'web')
      const u = new URL(String(line.url))
      const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: `http://${u.host}` })
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      const reply = new Promise<WsMessage>((resolve) =>
        ws.on('message', (d) => {
          const m = JSON.parse(String(d)) as WsMessage
          if (m.type === 'result') resolve(m)
        }),
      )
      ws.send(JSON.stringify({ id: 1, method: 'python.run', input: { program: 'tcp_server_threading', port: 0 } }))
      const msg = await reply
      if (msg.type !== 'result' || !msg.result.ok) throw new Error(JSON.stringify(msg))
      const pid = (msg.result.value as PythonPeer).pid!
      expect(alive(pid)).toBe(true)
      ws.terminate()
      web.child.kill('SIGKILL')
      await until(() => !alive(pid), 5_000)
    } finally {
      if (web.child.exitCode === null && web.child.signalCode === null) await web.stop('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('a peer exits by itself when the lab closes', async () => {
    const peer = await lab.invoke('python.run', { program: 'udp_server', port: 0 })
    await lab.close()
    expect(alive(peer.pid!)).toBe(false)
  })
})
