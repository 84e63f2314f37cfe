/**
 * Worker-thread entry for the UDP `threading` mode (like `ThreadingUDPServer`, whose handler runs in
 * a thread of its own for each datagram). The main thread does the `recvfrom` and posts the
 * datagram here; this thread runs the handler — a `delay:<ms>` handler really blocks this thread,
 * as `time.sleep` blocks Python's — and posts the reply back, which the main thread sends with
 * `sendto` (Node gives a thread no way to send on another thread's UDP socket). One datagram at a
 * time per thread: a thread is busy until its datagram is answered.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { applyHandler, parseHandler } from '../net/handlers'
import { currentTid } from '../net/server-events'
import type { FromUdpThread, ToUdpThread } from '../net/udp-threads'

const port = parentPort
if (!port) throw new Error('udp-handler-thread must run as a worker thread')
const data = workerData as { handler: string; stop: SharedArrayBuffer }
const plan = parseHandler(String(data.handler))
/** Set to 1 by the main thread when the server stops: a sleeping handler wakes at once. */
const stop = new Int32Array(data.stop)

port.on('message', (job: ToUdpThread) => {
  if (plan.delayMs > 0 && Atomics.load(stop, 0) === 0) Atomics.wait(stop, 0, 0, plan.delayMs)
  const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength)
  const out = applyHandler(plan.name, input)
  // Exact-size copy, transferred: `out` may be a view into Node's shared buffer pool.
  const reply = new Uint8Array(out.length)
  reply.set(out)
  const msg: FromUdpThread = { id: job.id, data: reply }
  port.postMessage(msg, [reply.buffer])
})
const ready: FromUdpThread = { ready: true, tid: currentTid() }
port.postMessage(ready)
