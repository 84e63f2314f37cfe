/**
 * The socket table against real sockets and against `ss`, the kernel's own netlink view: a
 * listener's accept queue and its limit, bytes waiting in a sleeping reader's receive queue,
 * TIME_WAIT on the side that closed first, and coded results for PIDs that are not there.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { Worker } from 'node:worker_threads'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OsSocket, OsSocketTable } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { noteListenBacklog, SocketTable } from '../../main/lab/net/socket-table'
import { runLab } from '../helpers/cli'
import { createTestLab } from '../helpers/lab'
import { hasPython } from '../helpers/python'

const linux = process.platform === 'linux'
const hasSs = linux && (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

interface SsRow {
  state: string
  recvQ: number
  sendQ: number
  local: string
  peer: string
}

/** ss's state names (ESTAB, TIME-WAIT, FIN-WAIT-1 …) in the kernel's spelling, the table's. */
const ssState = (name: string) => (name === 'ESTAB' ? 'ESTABLISHED' : name.replace(/-/g, '_').replace(/^FIN_WAIT_(\d)$/, 'FIN_WAIT$1'))

/** `ss -tanH`: State Recv-Q Send-Q Local:Port Peer:Port (ss writes SYN-RECV, TIME-WAIT …). */
function ss(args: string[] = ['-tanH']): SsRow[] {
  return execFileSync('ss', args, { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [state, recvQ, sendQ, local, peer] = line.trim().split(/\s+/)
      return { state: ssState(state!), recvQ: Number(recvQ), sendQ: Number(sendQ), local: local!, peer: peer! }
    })
}

const at = (e: OsSocket['local']) => `${e.address}:${e.port}`

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

function listen(server: net.Server, backlog?: number): Promise<number> {
  return new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0, ...(backlog ? { backlog } : {}) }, () => resolve((server.address() as net.AddressInfo).port)))
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

describe.skipIf(!linux)('socket table (Linux /proc)', () => {
  let lab: Lab
  const cleanup: (() => void)[] = []
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    for (const f of cleanup.splice(0)) f()
    await lab.close()
  })

  const table = (input: { pid?: number } = {}) => lab.invoke('os.sockets', input)
  const find = (t: OsSocketTable, pred: (s: OsSocket) => boolean) => t.sockets.find(pred)

  it.skipIf(!hasSs)('a LISTEN socket: the accept-queue limit is the backlog asked for, as ss says', async () => {
    const server = net.createServer()
    cleanup.push(() => server.close())
    const port = await listen(server, 7)
    const t = await table()
    const l = find(t, (s) => s.state === 'LISTEN' && s.local.port === port)
    expect(l).toMatchObject({ proto: 'tcp', family: 4, pid: process.pid, match: 'fd', acceptQueue: 0, acceptQueueLimit: 7, acceptQueueLimitSource: 'ss', recvQueueBytes: null })
    const row = ss(['-ltnH']).find((r) => r.local === `127.0.0.1:${port}`)!
    expect(row.sendQ).toBe(7)
    expect(t.pids).toContain(process.pid)
    expect(t.somaxconn).toBeGreaterThan(0)
  })

  it("a lab server's listen backlog (request_queue_size, default 5, or as set) is the kernel's accept-queue limit", async () => {
    const five = await lab.invoke('net.tcpServer.start', { host: '127.0.0.1', port: 0, mode: 'serial' })
    const three = await lab.invoke('net.tcpServer.start', { host: '127.0.0.1', port: 0, mode: 'serial', requestQueueSize: 3 })
    const t = await table()
    expect(find(t, (s) => s.state === 'LISTEN' && s.local.port === five.port)).toMatchObject({ acceptQueue: 0, acceptQueueLimit: 5, acceptQueueLimitSource: linux ? 'requested' : expect.anything() })
    expect(find(t, (s) => s.state === 'LISTEN' && s.local.port === three.port)).toMatchObject({ acceptQueueLimit: 3 })
    // The figure the lab recorded is the kernel's own (netlink, via ss).
    if (hasSs) {
      expect(ss(['-ltnH']).find((r) => r.local === `127.0.0.1:${five.port}`)?.sendQ).toBe(5)
      expect(ss(['-ltnH']).find((r) => r.local === `127.0.0.1:${three.port}`)?.sendQ).toBe(3)
    }
    await lab.invoke('net.server.stop', { id: three.id })
    // Stopped: no listener, and no recorded backlog left behind for a port someone else may take.
    expect(find(await table(), (s) => s.state === 'LISTEN' && s.local.port === three.port)).toBeUndefined()
  })

  it('without ss the limit is the backlog the lab asked for, capped by somaxconn, and says so', async () => {
    const server = net.createServer()
    cleanup.push(() => server.close())
    const port = await listen(server, 9)
    noteListenBacklog(port, 9)
    cleanup.push(() => noteListenBacklog(port, null))
    const t = await new SocketTable(undefined, { ss: false }).read()
    expect(find(t, (s) => s.state === 'LISTEN' && s.local.port === port)).toMatchObject({ acceptQueueLimit: Math.min(9, t.somaxconn!), acceptQueueLimitSource: 'requested' })
  })

  it.skipIf(!hasPython || !hasSs)('a listener that never accepts: connections wait in the kernel accept queue (one more than the backlog), the rest stay SYN_SENT', async () => {
    // Node accepts whatever arrives; a Python program that never calls accept() shows the kernel's queue.
    const py: ChildProcess = spawn('python3', ['-c', "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(3); print(s.getsockname()[1], flush=True); time.sleep(60)"], { stdio: ['ignore', 'pipe', 'inherit'] })
    cleanup.push(() => py.kill())
    const port = await new Promise<number>((resolve) => py.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))
    const clients = Array.from({ length: 6 }, () => net.connect({ host: '127.0.0.1', port }).on('error', () => {}))
    cleanup.push(() => clients.forEach((c) => c.destroy()))
    const l = await until(async () => {
      const t = await table({ pid: py.pid! })
      const s = find(t, (x) => x.state === 'LISTEN' && x.local.port === port)
      return s && s.acceptQueue === 4 ? s : undefined
    }, 'four connections in the accept queue')
    expect(l).toMatchObject({ pid: py.pid, acceptQueueLimit: 3, acceptQueueLimitSource: 'ss' })
    expect(ss(['-ltnH']).find((r) => r.local === `127.0.0.1:${port}`)).toMatchObject({ recvQ: 4, sendQ: 3 })
    // The Python side: four completed connections no process holds yet.
    const theirs = await table({ pid: py.pid! })
    expect(theirs.sockets.filter((s) => s.match === 'accept-queue' && s.local.port === port)).toHaveLength(4)
    // The clients are the test's own sockets (this process is the engine here): four connected, two still handshaking.
    const mine = (await table()).sockets.filter((s) => s.remote.port === port)
    expect(mine.filter((s) => s.state === 'ESTABLISHED')).toHaveLength(4)
    expect(mine.filter((s) => s.state === 'SYN_SENT')).toHaveLength(2)
  })

  it('Node can leave connections unaccepted only while the loop that owns the listener is not running: a worker blocked in Atomics.wait holds 3 in the kernel accept queue, then accepts them all', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4))
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads')
      const net = require('node:net')
      let accepted = 0
      const server = net.createServer((c) => { accepted++; c.on('error', () => {}); parentPort.postMessage({ accepted }) })
      server.listen({ host: '127.0.0.1', port: 0, backlog: 5 }, () => {
        parentPort.postMessage({ port: server.address().port })
        // Like Python's serial server inside a handler: this thread's loop does not turn, so nobody calls accept().
        parentPort.once('message', () => { parentPort.postMessage({ blocking: true }); Atomics.wait(new Int32Array(workerData), 0, 0); parentPort.postMessage({ woke: true }) })
      })`,
      { eval: true, workerData: flag.buffer },
    )
    cleanup.push(() => void worker.terminate())
    const messages: Record<string, number | boolean>[] = []
    worker.on('message', (m: Record<string, number | boolean>) => messages.push(m))
    const port = await until(() => messages.find((m) => m.port)?.port as number | undefined, 'the worker listening')
    worker.postMessage('block')
    await until(() => (messages.some((m) => m.blocking) ? true : undefined), 'the worker blocking')
    const clients = await Promise.all([connect(port), connect(port), connect(port)]) // the kernel completes the handshakes
    cleanup.push(() => clients.forEach((c) => c.destroy()))
    const l = await until(async () => {
      const s = find(await table(), (x) => x.state === 'LISTEN' && x.local.port === port)
      return s?.acceptQueue === 3 ? s : undefined
    }, 'three connections in the kernel accept queue')
    expect(l).toMatchObject({ pid: process.pid, acceptQueue: 3 })
    expect(messages.some((m) => m.accepted)).toBe(false)
    if (hasSs) expect(ss(['-ltnH']).find((r) => r.local === `127.0.0.1:${port}`)).toMatchObject({ recvQ: 3, sendQ: 5 })
    // The loop runs again: it accepts everything at once, and the kernel's queue is empty.
    Atomics.store(flag, 0, 1)
    Atomics.notify(flag, 0)
    await until(() => (messages.some((m) => m.accepted === 3) ? true : undefined), 'three accepts')
    expect(find(await table(), (x) => x.state === 'LISTEN' && x.local.port === port)?.acceptQueue).toBe(0)
  })

  it('a sleeping reader: the bytes sent wait in its kernel receive queue, as ss counts them', async () => {
    const accepted: net.Socket[] = []
    const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s))
    cleanup.push(() => server.close())
    const port = await listen(server)
    const client = await connect(port)
    cleanup.push(() => client.destroy())
    client.write('hello world, sticky!') // 20 bytes nobody reads
    await until(() => accepted[0], 'the accept')
    cleanup.push(() => accepted[0]!.destroy())
    const side = await until(async () => {
      const s = find(await table(), (x) => x.local.port === port && x.remote.port === client.localPort && x.state === 'ESTABLISHED')
      return s && s.recvQueueBytes === 20 ? s : undefined
    }, 'twenty bytes waiting')
    expect(side).toMatchObject({ pid: process.pid, match: 'fd', sendQueueBytes: 0 })
    if (hasSs) expect(ss().find((r) => r.local === at(side.local) && r.peer === at(side.remote))).toMatchObject({ state: 'ESTABLISHED', recvQ: 20, sendQ: 0 })
    // Reading drains it.
    accepted[0]!.resume()
    await until(async () => (find(await table(), (x) => x.local.port === port && x.remote.port === client.localPort)?.recvQueueBytes === 0 ? true : undefined), 'the queue drained')
  })

  for (const first of ['server', 'client'] as const) {
    it(`the side that closes first (${first}) shows TIME_WAIT, though no process holds it any more`, async () => {
      const server = net.createServer((s) => {
        s.on('error', () => {})
        s.on('end', () => s.end())
        if (first === 'server') s.end()
      })
      cleanup.push(() => server.close())
      const port = await listen(server)
      const client = await connect(port)
      const clientPort = client.localPort!
      client.on('end', () => client.end())
      if (first === 'client') client.end()
      await new Promise((r) => client.once('close', r))
      const closer = first === 'server' ? { local: port, remote: clientPort, match: 'listen-port' } : { local: clientPort, remote: port, match: 'peer-port' }
      const tw = await until(async () => find(await table(), (x) => x.state === 'TIME_WAIT' && x.local.port === closer.local && x.remote.port === closer.remote), 'TIME_WAIT')
      expect(tw).toMatchObject({ pid: null, match: closer.match, inode: 0 })
      expect(tw.timerMs).toBeGreaterThan(0)
      expect(tw.timerMs).toBeLessThanOrEqual(60_000)
      // The other side is gone completely (it got the last FIN and sent the last ACK).
      const t = await table()
      expect(find(t, (x) => x.local.port === closer.remote && x.remote.port === closer.local)).toBeUndefined()
      if (hasSs) expect(ss().find((r) => r.local === at(tw.local) && r.peer === at(tw.remote))?.state).toBe('TIME_WAIT')
    })
  }

  it('IPv6: a connection over ::1 closed by the client stays visible in TIME_WAIT after every IPv6 socket is gone (tcp6 is not skipped too early)', async () => {
    await table() // not the first read: the reader may now skip tables that hold nothing
    const server = net.createServer((s) => {
      s.on('error', () => {})
      s.on('end', () => s.end())
    })
    const port = await new Promise<number>((resolve) => server.listen({ host: '::1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port)))
    const client = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect({ host: '::1', port }, () => resolve(c))
      c.once('error', reject)
    })
    const clientPort = client.localPort!
    expect(find(await table(), (x) => x.family === 6 && x.local.port === clientPort && x.state === 'ESTABLISHED')).toMatchObject({ pid: process.pid, match: 'fd' })
    client.on('end', () => client.end())
    client.end()
    await new Promise((r) => client.once('close', r))
    await new Promise((r) => server.close(r))
    // No IPv6 socket is open any more (sockstat6 may say 0): the client's TIME_WAIT is still the lab's, and still shown.
    const tw = await until(async () => find(await table(), (x) => x.family === 6 && x.state === 'TIME_WAIT' && x.local.port === clientPort), 'the IPv6 TIME_WAIT')
    expect(tw).toMatchObject({ pid: null, match: 'seen', local: { address: '::1' }, remote: { address: '::1', port } })
    if (hasSs) expect(ss(['-6tanH']).find((r) => r.local === `[::1]:${clientPort}`)?.state).toBe('TIME_WAIT')
  })

  it.skipIf(!hasSs)('every TCP figure agrees with ss -tan', async () => {
    const accepted: net.Socket[] = []
    const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s))
    cleanup.push(() => server.close())
    const port = await listen(server, 4)
    const clients = await Promise.all([connect(port), connect(port)])
    cleanup.push(() => clients.forEach((c) => c.destroy()))
    clients[0]!.write('x'.repeat(1000))
    clients[1]!.write('y'.repeat(3))
    await until(() => (accepted.length === 2 ? true : undefined), 'two accepts')
    cleanup.push(() => accepted.forEach((c) => c.destroy()))
    const t = await until(async () => {
      const x = await table()
      const q = x.sockets.filter((s) => s.local.port === port && s.state === 'ESTABLISHED').map((s) => s.recvQueueBytes)
      return q.sort().join() === '1000,3' ? x : undefined
    }, 'both queues filled')
    const rows = ss()
    const ours = t.sockets.filter((s) => s.proto === 'tcp' && (s.local.port === port || s.remote.port === port))
    expect(ours.length).toBe(5) // the listener, two accepted ends, two client ends
    for (const s of ours) {
      const r = rows.find((x) => x.local === at(s.local) && x.peer === (s.state === 'LISTEN' ? '0.0.0.0:*' : at(s.remote)))
      expect(r, `${s.state} ${at(s.local)} ${at(s.remote)}`).toBeDefined()
      expect(r!.state).toBe(s.state)
      expect(r!.recvQ).toBe(s.state === 'LISTEN' ? s.acceptQueue : s.recvQueueBytes)
      expect(r!.sendQ).toBe(s.state === 'LISTEN' ? s.acceptQueueLimit : s.sendQueueBytes)
    }
  })

  it('UDP sockets of the lab: unconnected, with the datagram memory waiting in the kernel', async () => {
    const started = await lab.invoke('net.udpServer.start', { host: '127.0.0.1', port: 0 })
    const t = await table()
    expect(find(t, (s) => s.proto === 'udp' && s.local.port === started.port)).toMatchObject({ state: 'UNCONN', pid: process.pid, match: 'fd', recvQueueBytes: 0 })
  })

  it('a PID that does not exist, and a thread id, are ERR_NOT_FOUND; a read never throws past the door', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((r) => child.once('exit', r))
    const gone = await lab.call('os.sockets', { pid: child.pid! })
    expect(gone.ok ? null : gone.error.code).toBe('ERR_NOT_FOUND')
    const bad = await lab.call('os.sockets', { pid: 0 } as never)
    expect(bad.ok ? null : bad.error.code).toBe('ERR_INVALID_INPUT')
  })
})

describe.skipIf(!linux)('lab sockets (the command)', () => {
  it('prints the listener of another process, its unread bytes, and exits 1 with ERR_NOT_FOUND for a missing PID', async () => {
    const accepted: net.Socket[] = []
    const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s))
    const port = await listen(server, 6)
    const client = await connect(port)
    client.write('abcde')
    try {
      await until(() => accepted[0], 'the accept')
      const json = await runLab(['sockets', '--pid', String(process.pid), '--json'])
      expect(json.code).toBe(0)
      const t = JSON.parse(json.stdout) as OsSocketTable
      expect(t.rootPid).toBe(process.pid)
      expect(t.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port)).toMatchObject({ pid: process.pid, ...(hasSs ? { acceptQueueLimit: 6 } : {}) })
      expect(t.sockets.find((s) => s.local.port === port && s.remote.port === client.localPort)?.recvQueueBytes).toBe(5)
      const text = await runLab(['sockets', '--pid', String(process.pid)])
      expect(text.stdout).toMatch(new RegExp(`LISTEN\\s+0\\s+${hasSs ? 6 : '-'}\\s+127\\.0\\.0\\.1:${port}\\s+0\\.0\\.0\\.0:\\*\\s+pid ${process.pid}`))
      expect(text.stdout).toMatch(new RegExp(`ESTABLISHED\\s+5\\s+0\\s+127\\.0\\.0\\.1:${port}\\s+127\\.0\\.0\\.1:${client.localPort}`))
      const missing = await runLab(['sockets', '--pid', String(2 ** 31 - 2), '--json'])
      expect(missing.code).toBe(1)
      expect(missing.stdout).toContain('ERR_NOT_FOUND')
    } finally {
      client.destroy()
      accepted.forEach((s) => s.destroy())
      server.close()
    }
  })
})

describe.skipIf(!linux)('sticky packets: the kernel\'s evidence', () => {
  let lab: Lab
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(() => lab.close())

  it('while the reader sleeps all 16 bytes wait in its kernel receive buffer; one recv() takes them; the sender, closing first, is left in TIME_WAIT', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200 })
    expect(r.recvs).toHaveLength(1)
    expect(r.recvs[0]).toMatchObject({ bytes: 16, kernelBytes: 16, bufferedBytes: 0 })
    expect(r.close).toMatchObject({ closedFirst: 'sender', senderState: 'TIME_WAIT', receiverState: null })
    expect(r.close!.timerMs).toBeGreaterThan(0)
  })

  it('recv(4) after a sleep: the kernel holds what the earlier reads left, less each time', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['hello', 'world'], gapMs: 0, recvSize: 4, readDelayMs: 50 })
    expect(r.recvs.map((x) => x.bytes)).toEqual([4, 4, 2])
    // Node reads everything the kernel has in one go; what recv(4) does not take waits in the lab's own buffer.
    expect(r.recvs[0]).toMatchObject({ kernelBytes: 10, bufferedBytes: 0 })
    for (const x of r.recvs.slice(1)) expect(x.kernelBytes! + x.bufferedBytes).toBe(10 - x.offset)
  })

  it('UDP: while the receiver sleeps 200 ms all three datagrams wait in its kernel buffer; each recvfrom() then takes one, and the kernel holds one fewer', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, udp: true })
    const udp = r.udp!
    expect(udp.slept).toBe(true)
    expect(udp.received).toBe(3)
    expect(udp.datagrams.map((d) => d.text)).toEqual(['hello', 'world', 'sticky'])
    // What the lab counted as sent and not yet taken, before each recvfrom(): 3, 2, 1 datagrams.
    expect(udp.datagrams.map((d) => d.waitingDatagrams)).toEqual([3, 2, 1])
    expect(udp.datagrams.map((d) => d.waitingBytes)).toEqual([16, 11, 6])
    // What the kernel showed at the same moments: memory for all of them (each datagram's buffer, more than its payload), less after each read.
    const mem = udp.datagrams.map((d) => d.kernelBytes!)
    expect(mem[0]).toBeGreaterThanOrEqual(16)
    expect(mem[0]).toBeGreaterThan(mem[1]!)
    expect(mem[1]).toBeGreaterThan(mem[2]!)
    expect(mem[2]).toBeGreaterThan(0)
    // The receiver slept before each read: one read per 200 ms, never earlier.
    for (let i = 1; i < 3; i++) expect(udp.datagrams[i]!.receivedAt! - udp.datagrams[i - 1]!.receivedAt!).toBeGreaterThanOrEqual(195)
  })

  it('UDP with recvfrom(4) after a sleep: each read takes one datagram, cut to 4 bytes, and the kernel keeps the others whole', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['hello', 'world'], gapMs: 0, recvSize: 4, readDelayMs: 50, udp: true })
    const [a, b] = r.udp!.datagrams
    expect(a).toMatchObject({ received: 4, discarded: 1, text: 'hell', waitingDatagrams: 2 })
    expect(b).toMatchObject({ received: 4, discarded: 1, text: 'worl', waitingDatagrams: 1, waitingBytes: 5 })
    expect(b!.kernelBytes).toBeGreaterThan(0)
    expect(a!.kernelBytes).toBeGreaterThan(b!.kernelBytes!)
  })

  it('no reader delay: nothing is read from the kernel, and the result says so (null)', async () => {
    const r = await lab.invoke('net.sticky.run', { messages: ['a', 'b'], gapMs: 0, recvSize: 1024, readDelayMs: 0 })
    expect(r.recvs.every((x) => x.kernelBytes === null)).toBe(true)
  })
})
