/**
 * Child-process entry for the `forking` server mode: one process per connection, like
 * `ForkingMixIn`. The parent accepts with `pauseOnConnect` (so it reads nothing) and hands the
 * socket over with `child.send(msg, socket)`; this process runs the communication loop on it,
 * reports what happens over IPC, and exits when the connection closes. It never outlives the
 * lab: it exits when the IPC channel closes, or when its parent PID changes (`kill -9` of the lab).
 */
import type net from 'node:net'
import { applyHandler, parseHandler } from '../net/handlers'
import type { FromForkChild, ToForkChild } from '../net/fork-messages'
import { Session, type SessionEvent } from '../net/session'
import { watchParent } from '../proc/parent-guard'

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

function serve(msg: Extract<ToForkChild, { type: 'serve' }>, socket: net.Socket): void {
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

process.on('message', (msg: ToForkChild, handle?: unknown) => {
  if (msg.type === 'serve') {
    if (!handle) process.exit(1)
    serve(msg, handle as net.Socket)
  } else if (msg.type === 'stop') {
    if (session) session.stop()
    else process.exit(0)
  }
})
send({ type: 'ready', pid: process.pid })
