/**
 * Child-process entry for the `forking` server mode: one process per connection, like
 * `ForkingMixIn`. The parent accepts with `pauseOnConnect` (so it reads nothing) and hands the
 * socket over with `child.send(msg, socket)`. On Linux (`blocking`) this process runs the course's
 * blocking loop on the descriptor, as a ForkingTCPServer child does (blocking-loop.ts): its events
 * go to the parent as binary records on its event pipe (fd 4), one write per round; the parent
 * keeps its own copy of the socket to say goodbye (FIN) or abort it. Elsewhere it runs the
 * event-loop Session and reports over IPC. It exits when its connection ends. It never outlives
 * the lab: while idle it watches the lab (parent-guard.ts); while blocked in recv, the server's
 * guard process kills it if the lab dies (tcp-guard-child.ts).
 */
import fs from 'node:fs'
import v8 from 'node:v8'
import type net from 'node:net'
import type { SessionOptions } from '../net/session'
import { runBlockingLoop, warmCourseLoop, type LoopIo } from '../net/blocking-loop'
import { IoKind, RecordBatch } from '../net/event-records'
import { applyHandler, parseHandler } from '../net/handlers'
import { descriptorOf, setBlocking } from '../net/node-handles'
import type { FromForkChild, ToForkChild } from '../net/fork-messages'
import type { Session, SessionEvent } from '../net/session'
import { watchParent } from '../proc/parent-guard'

/**
 * No TurboFan in a connection process. It serves one connection and exits, and V8's optimising
 * compiler, started for the loop's hot functions a few hundred rounds in, cost more than it gave
 * back over the course's 2,000 rounds: measured (one child at a time, CPU from /proc schedstat of all
 * its threads), 51–59 µs of CPU per round with it, 35–40 µs without, on Node 20 and 24.14 alike;
 * a warm TurboFan loop is ~25 µs, reached only after thousands of rounds. The interpreter and
 * Sparkplug (and Maglev on Node 24) still run it; the system calls are the same.
 */
v8.setFlagsFromString('--no-turbofan')
watchParent()
let session: Session | null = null
let batch: SessionEvent[] = []
let flushing = false

function send(message: FromForkChild, then?: () => void): void {
  if (process.connected) process.send!(message, undefined, undefined, then)
  else then?.()
}

function flush(): void {
  flushing = false
  if (!session) return
  const events = batch
  batch = []
  send({ type: 'events', events, bytesIn: session.bytesIn, bytesOut: session.bytesOut, messages: session.messages })
}

/**
 * The event-loop Session, loaded only where the blocking loop cannot run: it brings the whole
 * contract with it (~13 ms of every child's start-up, measured), which a Linux child never needs.
 */
async function serve(msg: Extract<ToForkChild, { type: 'serve' }>, socket: net.Socket): Promise<void> {
  const { Session } = await import('../net/session')
  const plan = parseHandler(msg.handler)
  const handle =
    plan.delayMs > 0
      ? async (p: Buffer) => {
          await s.sleep(plan.delayMs)
          return applyHandler(plan.name, p)
        }
      : (p: Buffer) => applyHandler(plan.name, p)
  const s = new Session(socket, msg.options, handle, plan.delayMs === 0 ? 'sync' : 'sequential', {
    event(e) {
      batch.push(e)
      if (!flushing) {
        flushing = true
        setImmediate(flush)
      }
    },
    closed(reason) {
      flush()
      send({ type: 'closed', reason }, () => process.exit(0))
    },
  })
  session = s
  s.start()
}

/** Warm-up rounds before saying ready (blocking-loop.ts, warmCourseLoop): enough for V8 to compile each function a round calls. */
const WARM_ROUNDS = 16

/** The blocking loop's recorder: each call adds a record to `batch`; `flush` writes the batch out. */
function recorder(batch: RecordBatch, flush: () => void): LoopIo {
  const nap = new Int32Array(new SharedArrayBuffer(4))
  return {
    // What happened so far is sent before a sleep (the parent shows the recv while the handler waits).
    // A stop reaches this process as the parent's FIN or, after the grace period, SIGKILL.
    sleep: (ms) => {
      flush()
      Atomics.wait(nap, 0, 0, ms)
      return true
    },
    recv: (n, data) => batch.add(IoKind.Recv, n, data, null),
    message: (n, data) => batch.add(IoKind.Message, n, data, null),
    sent: (n, data) => batch.add(IoKind.Send, n, data, null),
    event: (e) => batch.add(IoKind.Json, 0, null, Buffer.from(JSON.stringify(e))),
    // Once per round, after the reply: the round's events and totals in one write.
    count: (i, o, m, held) => {
      batch.totals(i, o, m, held)
      flush()
    },
    // Never called: a child takes no budget itself; the lab enforces it from the held bytes it reports.
    overBudget: () => {},
  }
}

/** The event pipe the parent opened as this process's fd 4 (fork-mode.ts). */
const EVENTS_FD = 4

/** The blocking loop on the descriptor; false (nothing done) where it cannot run, so the Session serves instead. */
function serveBlocking(msg: Extract<ToForkChild, { type: 'serve' }>, socket: net.Socket): boolean {
  socket.pause()
  const fd = descriptorOf(socket)
  // Bytes Node already read would be lost to the loop: then the Session serves (never seen so far).
  if (fd === null || socket.readableLength > 0 || !setBlocking(socket)) return false
  const batch = new RecordBatch()
  const flush = () => {
    const out = batch.take()
    for (let at = 0; at < out.length; ) at += fs.writeSync(EVENTS_FD, out, at, out.length - at)
  }
  const io = recorder(batch, flush)
  const reason = runBlockingLoop(fd, msg.options, parseHandler(msg.handler), io)
  flush()
  socket.destroy()
  send({ type: 'closed', reason }, () => process.exit(0))
  return true
}

process.on('message', (msg: ToForkChild, handle?: unknown) => {
  if (msg.type === 'serve') {
    if (!handle) process.exit(1)
    if (msg.blocking && serveBlocking(msg, handle as net.Socket)) return
    void serve(msg, handle as net.Socket)
  } else if (msg.type === 'warm') {
    // The lab's end of this process's own event pipe (fork-messages.ts): closed here, never read.
    ;(handle as net.Socket | undefined)?.destroy()
    send({ type: 'warmed' })
  } else if (msg.type === 'stop') {
    if (session) session.stop()
    else process.exit(0)
  }
})
// The course's loop, run on /dev/zero into a recorder whose batch is thrown away (nothing reaches the
// event pipe, no socket is touched), as a spare thread warms: the connection's first round then does
// not also pay for compiling it (measured: the CPU from hand-over to first reply ~2.5 → ~2 ms).
/** The course's loop as a server runs it by default (no framing, no read delay), for the warm-up's one call of runBlockingLoop. */
const COURSE_OPTIONS: SessionOptions = { recvSize: null, readDelayMs: 0, frame: 'none', maxFrameBytes: 0, idleTimeoutMs: 0, maxBufferedBytes: 0 }
warmCourseLoop(parseHandler('upper'), recorder(new RecordBatch(), () => {}), WARM_ROUNDS, COURSE_OPTIONS)
send({ type: 'ready', pid: process.pid })
