/**
 * The server panel's send on a `threading` connection whose own thread blocks in recv() (issue 14,
 * owned-send.ts): the lab's main thread writes between the thread's replies, under the send lock,
 * only into an empty send queue and at most PANEL_SEND_OWNED_MAX_BYTES; otherwise it refuses with a
 * code and never blocks. Real sockets; the clients that do not read run in their own process, so that
 * a main thread that did block would be stuck only until that client's watchdog ends it (and the test
 * then sees the wrong outcome instead of hanging).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import type { Readable, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { PANEL_SEND_OWNED_MAX_BYTES } from '../../shared/budgets'
import type { ServerEvent } from '../../shared/contract'
import { LabError } from '../../main/lab/errors'
import { descriptorOf } from '../../main/lab/net/node-handles'
import { kernelSendQueue } from '../../main/lab/net/owned-send'
import { parseProcNetBytes } from '../../main/lab/net/socket-table-linux'
import { useServerLab, waitUntil } from '../helpers/server-probe'

const linux = process.platform === 'linux'
const t = useServerLab()

async function connOf(serverId: string, localPort: number): Promise<number> {
  let conn = 0
  await waitUntil(() => {
    void t.lab.invoke('net.server.list', {}).then((list) => {
      conn = list.find((s) => s.id === serverId)?.connections.find((c) => c.remote.port === localPort)?.conn ?? 0
    })
    return conn > 0
  }, `the server to list the connection from port ${localPort}`)
  return conn
}

const sendResult = (p: Promise<unknown>) => p.then(() => null, (e: LabError) => e)

/** A client process that prints `port N` once connected and leaves when its stdin closes. */
function clientProcess(child: ChildProcessByStdio<Writable, Readable, null>) {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const localPort = new Promise<number>((resolve) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /port (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
  })
  let alive = true
  void exited.then(() => (alive = false))
  return { localPort, alive: () => alive, end: () => (child.stdin.end(), exited) }
}

/**
 * A client in its own process that never reads: it prints its local port. It leaves when its stdin closes, or after 20 s
 * (the watchdog: a main thread blocked in send() is released then, by the reset).
 */
function deafClient(port: number) {
  const script = `
    const net = require('net'); const s = net.connect(${port}, '127.0.0.1'); s.pause()
    s.on('connect', () => process.stdout.write('port ' + s.localPort + '\\n'))
    s.on('error', () => {})
    process.stdin.on('end', () => process.exit(0)); process.stdin.resume()
    setTimeout(() => process.exit(0), 20000)`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  return clientProcess(child)
}

/**
 * A client in its own process (python3) that writes without end and never reads, with a small
 * receive window (SO_RCVBUF 4 KiB, set before connecting): an echo's reply blocks in send() once
 * the server's send buffer is full, however much that is (measured here: 2.7–4.2 MB, the kernel's
 * autotuned buffers, so no fixed amount is sure to be enough, nor quick to send under load). It
 * prints its local port and leaves when its stdin closes; its watchdog counts from its writes
 * stalling, not from its start, so a slow fill on a busy machine never ends it early: 20 s after
 * the last write went through it leaves (a main thread blocked in send() is released then, by the reset).
 */
function floodingDeafClient(port: number) {
  const script = [
    'import os, socket, sys, threading, time',
    's = socket.socket()',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    `s.connect(('127.0.0.1', ${port}))`,
    "print('port', s.getsockname()[1], flush=True)",
    'last = [time.monotonic()]',
    'def flood():',
    '    chunk = b"a" * 16384',
    '    try:',
    '        while True:',
    '            s.sendall(chunk)',
    '            last[0] = time.monotonic()',
    '    except OSError: pass',
    'def watchdog():',
    '    while time.monotonic() - last[0] < 20: time.sleep(0.2)',
    '    os._exit(0)',
    'threading.Thread(target=flood, daemon=True).start()',
    'threading.Thread(target=watchdog, daemon=True).start()',
    'sys.stdin.read()',
    'os._exit(0)',
  ].join('\n')
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  return clientProcess(child)
}

describe.skipIf(!linux)('threading: the server panel sends on a connection its own thread serves', () => {
  it('to one of two clients: only that one receives it, marked "from the panel"; the handler still answers afterwards', async () => {
    const server = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', handler: 'upper', spares: 2 })
    expect(server.threadIo).toBe('thread')
    const a = await t.connect(server.port)
    const b = await t.connect(server.port)
    const connA = await connOf(server.id, a.socket.localPort!)
    const connB = await connOf(server.id, b.socket.localPort!)
    // Both threads serve (one round each) before the panel speaks.
    a.send('a1')
    b.send('b1')
    await waitUntil(() => a.text === 'A1' && b.text === 'B1', 'the first replies')

    const r = await t.lab.invoke('net.server.send', { id: server.id, to: connA, payload: 'from the panel' })
    expect(r.sent).toEqual([{ conn: connA, bytes: 14 }])
    await waitUntil(() => a.text === 'A1from the panel', 'A to receive the panel message')
    a.send('after')
    b.send('b2')
    await waitUntil(() => a.text === 'A1from the panelAFTER' && b.text === 'B1B2', 'the handler to answer again')
    expect(b.text).toBe('B1B2')

    const panel = (e: ServerEvent) => e.event === 'send' && e.by === 'panel'
    await t.probe.until(() => t.probe.of('send', server.id).filter((e) => e.conn === connA).length === 3, "A's three sends in the events")
    const sendsA = t.probe.of('send', server.id).filter((e) => e.conn === connA)
    // In the order they were written: the handler's reply, the panel's message, the handler's reply.
    expect(sendsA.map((e) => (panel(e) ? 'panel' : 'handler'))).toEqual(['handler', 'panel', 'handler'])
    expect(sendsA[1]!.hex).toBe(Buffer.from('from the panel').toString('hex'))
    expect(t.probe.of('send', server.id).some((e) => e.conn === connB && panel(e))).toBe(false)
    // The panel's bytes count in the connection's bytes out.
    let outA = 0
    await waitUntil(() => {
      void t.lab.invoke('net.server.list', {}).then((list) => (outA = list[0]!.connections.find((c) => c.conn === connA)!.bytesOut))
      return outA === 2 + 14 + 5
    }, "A's bytes out to count the panel's")

    const all = await t.lab.invoke('net.server.send', { id: server.id, to: 'all', payload: '!' })
    expect(all.sent.map((s) => s.conn).sort()).toEqual([connA, connB].sort())
    await waitUntil(() => a.text.endsWith('AFTER!') && b.text === 'B1B2!', 'both to receive the message to all')
  })

  it(`a message over PANEL_SEND_OWNED_MAX_BYTES (${PANEL_SEND_OWNED_MAX_BYTES}) is refused with ERR_LIMIT naming it; nothing is written`, async () => {
    const server = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', spares: 1 })
    const a = await t.connect(server.port)
    const conn = await connOf(server.id, a.socket.localPort!)
    const err = await sendResult(t.lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'x'.repeat(PANEL_SEND_OWNED_MAX_BYTES + 1) }))
    expect(err).toMatchObject({ code: 'ERR_LIMIT', params: { budget: 'PANEL_SEND_OWNED_MAX_BYTES', max: PANEL_SEND_OWNED_MAX_BYTES, used: PANEL_SEND_OWNED_MAX_BYTES + 1, conn } })
    await t.lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'x'.repeat(PANEL_SEND_OWNED_MAX_BYTES) })
    await a.receive(PANEL_SEND_OWNED_MAX_BYTES)
    expect(a.received.length).toBe(PANEL_SEND_OWNED_MAX_BYTES)
  })

  it('a client that does not read: once its send queue would pass the budget the panel is refused (ERR_SEND_WOULD_BLOCK, queued), and the main thread goes on serving', async () => {
    const server = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', handler: 'upper', spares: 2 })
    const deaf = deafClient(server.port)
    try {
      const conn = await connOf(server.id, await deaf.localPort)
      const b = await t.connect(server.port)
      const connB = await connOf(server.id, b.socket.localPort!)
      const chunk = 'p'.repeat(PANEL_SEND_OWNED_MAX_BYTES)
      let accepted = 0
      let refusal: LabError | null = null
      // The client's receive buffer takes some first (tens of KB); then its window closes and bytes stay in our queue.
      for (let i = 0; i < 2_000 && !refusal; i++) {
        refusal = await sendResult(t.lab.invoke('net.server.send', { id: server.id, to: conn, payload: chunk }))
        if (!refusal) accepted++
      }
      expect(accepted).toBeGreaterThan(0)
      expect(refusal).toMatchObject({ code: 'ERR_SEND_WOULD_BLOCK', params: { conn, why: 'queued' } })
      expect(refusal!.params!.queued as number).toBeGreaterThan(0)
      // It is still connected (a main thread stuck in send() would have been freed only by its leaving).
      expect(deaf.alive()).toBe(true)
      // The other connection is served, from its thread and from the panel.
      b.send('still here')
      await t.lab.invoke('net.server.send', { id: server.id, to: connB, payload: '+panel' })
      await waitUntil(() => b.text === 'STILL HERE+panel' || b.text === '+panelSTILL HERE', 'the other client to be answered')
      // To all: the deaf one is passed over with its reason, the other gets it.
      const all = await t.lab.invoke('net.server.send', { id: server.id, to: 'all', payload: chunk })
      expect(all.sent).toEqual([{ conn: connB, bytes: chunk.length }])
      expect(all.skipped).toEqual([{ conn, code: 'ERR_SEND_WOULD_BLOCK' }])
    } finally {
      await deaf.end()
    }
  })

  it('a reply blocked in send() holds the send lock: the panel is refused (ERR_SEND_WOULD_BLOCK, replying) after its tries, never waiting', async () => {
    const server = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', handler: 'echo', spares: 2 })
    // A client that floods and does not read: the thread's echo blocks once the server's send buffer is full.
    const deaf = floodingDeafClient(server.port)
    try {
      const conn = await connOf(server.id, await deaf.localPort)
      const b = await t.connect(server.port)
      let refusal: LabError | null = null
      // Tried until the thread is stuck in its reply (before that a send may be refused as 'queued',
      // or even taken), or until the client left: its watchdog, when a blocked main thread held us here.
      while (deaf.alive()) {
        refusal = await sendResult(t.lab.invoke('net.server.send', { id: server.id, to: conn, payload: 'x' }))
        if (refusal?.params?.why === 'replying') break
      }
      expect(refusal).toMatchObject({ code: 'ERR_SEND_WOULD_BLOCK', params: { conn, why: 'replying' } })
      expect(deaf.alive()).toBe(true)
      b.send('ping')
      await waitUntil(() => b.text === 'ping', 'the other client to be answered while the first thread is stuck')
    } finally {
      await deaf.end()
    }
  }, 60_000)
})

describe.skipIf(!linux)("the send queue's reading (owned-send.ts kernelSendQueue)", () => {
  it('finds a socket by its inode at any chunk size, the same tx_queue as the whole table says; a closed descriptor is no socket', async () => {
    // A pair on loopback whose receiver never reads: the sender's queue keeps what its window refused.
    const server = net.createServer({ pauseOnConnect: true })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
    const sender = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    await new Promise<void>((resolve) => sender.once('connect', resolve))
    const receiver = await accepted
    try {
      const fd = descriptorOf(sender)!
      // Written until Node itself keeps some back: the kernel's buffers are full then, and stay so.
      while (sender.write(Buffer.alloc(64 * 1024, 0x62)));
      const whole = () => {
        const text = readFileSync('/proc/self/net/tcp')
        const inode = fstatSync(fd).ino
        return parseProcNetBytes(text, text.length, 'tcp', 4, os.endianness() === 'LE', (i) => i === inode)[0]!.sendQueueBytes
      }
      // The kernel still moves bytes until the receiver's buffer is full and Node's own queue is in:
      // each reading is checked between two readings of the whole table that agree with it.
      const agrees = async (chunkBytes?: number) => {
        for (let tries = 0; tries < 100; tries++) {
          const before = whole()
          const read = await kernelSendQueue(fd, chunkBytes)
          if (read === before && whole() === before) return read
        }
        return 'never the same as the whole table'
      }
      // 97 bytes a read: every row straddles reads; 64 KiB: the lab's size.
      const small = await agrees(97)
      expect(small).toBeGreaterThan(0)
      expect(await agrees()).toBeGreaterThan(0)
    } finally {
      sender.destroy()
      receiver.destroy()
      server.close()
    }
    const closed = openSync('/dev/null', 'r')
    closeSync(closed)
    await expect(kernelSendQueue(closed)).resolves.toBe(null)
  })
})
