// The floor for the lab's threading and forking rows (issue 9): the design the issue prescribes, with
// nothing of the lab's around it. Every connection is handed to a spare thread (a Worker blocked in
// Atomics.wait, given the descriptor) or a spare child (child.send(socket)) started before the run; it
// runs the course's loop (recv, upper-case, send) with blocking readSync/writeSync on the descriptor
// and ends with its connection. No events, no counters, no send lock, no budget, no replacement
// spares during the run: what a thread or a process per connection costs on this Node, and no more.
// Like the lab's, it sets the accepted socket blocking through Node's private handle (`_handle.fd`,
// `setBlocking`); in the product that is said only in main/lab/net/node-handles.ts, whose unit test
// fails if a Node upgrade moves those fields. Linux.
//
//   node bare-owned-server.mjs PORT thread|fork BACKLOG SPARES
// Prints {"event":"listening","port":N} once every spare is ready; a connection beyond SPARES waits
// for a new one to start.
import { fork } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

/** The course's loop on a blocking descriptor, as a Python ThreadingTCPServer or ForkingTCPServer handler runs it. */
function courseLoop(fd, buf) {
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return
      for (let i = 0; i < n; i++) if (buf[i] >= 0x61 && buf[i] <= 0x7a) buf[i] -= 0x20
      for (let at = 0; at < n; ) at += fs.writeSync(fd, buf, at, n - at)
    }
  } catch {
    // The client reset: the connection is over.
  }
}

const role = process.env.BARE_OWNED_ROLE
if (role === 'child') {
  // A spare child: one connection, then exit (as ForkingMixIn's child does).
  process.on('message', (m, socket) => {
    socket.pause()
    socket._handle.setBlocking(true)
    courseLoop(socket._handle.fd, Buffer.allocUnsafe(64 * 1024))
    socket.destroy()
    process.exit(0)
  })
  process.send('ready')
} else {
  const [, , portArg = '0', kind = 'thread', backlogArg = '5', sparesArg = '32'] = process.argv
  const self = fileURLToPath(import.meta.url)
  const threadSource = `
    const { parentPort, workerData } = require('node:worker_threads')
    const fs = require('node:fs')
    ${courseLoop.toString()}
    const ctl = new Int32Array(workerData.sab)
    parentPort.postMessage('ready')
    while (Atomics.load(ctl, 0) === 0) Atomics.wait(ctl, 0, 0)
    courseLoop(Atomics.load(ctl, 0) - 1, Buffer.allocUnsafe(64 * 1024))
    parentPort.postMessage('done')
  `
  /** One spare: resolves `ready`; `serve(socket)` gives it the connection. */
  function spare() {
    if (kind === 'fork') {
      const child = fork(self, [], { env: { ...process.env, BARE_OWNED_ROLE: 'child' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      const ready = new Promise((resolve) => child.once('message', resolve))
      return { ready, serve: (socket) => child.send('conn', socket) }
    }
    const sab = new SharedArrayBuffer(4)
    const ctl = new Int32Array(sab)
    const worker = new Worker(threadSource, { eval: true, workerData: { sab } })
    const ready = new Promise((resolve) => worker.once('message', resolve))
    return {
      ready,
      serve(socket) {
        socket._handle.setBlocking(true)
        worker.once('message', () => socket.destroy())
        Atomics.store(ctl, 0, socket._handle.fd + 1)
        Atomics.notify(ctl, 0)
      },
    }
  }
  const spares = Array.from({ length: Number(sparesArg) }, spare)
  await Promise.all(spares.map((s) => s.ready))
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => {})
    const s = spares.shift() ?? spare()
    void s.ready.then(() => s.serve(socket))
  })
  server.listen({ host: '127.0.0.1', port: Number(portArg), backlog: Number(backlogArg) }, () => {
    console.log(JSON.stringify({ event: 'listening', port: server.address().port }))
  })
  process.on('SIGTERM', () => process.exit(0))
}
