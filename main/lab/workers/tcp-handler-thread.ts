/**
 * Worker-thread entry for the `threading` server mode: one thread per connection, started ahead of
 * time as a spare. Two designs (docs/ARCHITECTURE.md):
 * - `owns` (Linux): the main thread posts the connection's descriptor; this thread runs the course's
 *   blocking `recv`/`send` loop on it and says when it is done; the main thread then closes it.
 *   Events and totals go through shared memory (shared-conn.ts), so serving costs the main thread
 *   no system calls.
 * - `relay` (where no descriptor can be handed over): the socket stays on the main thread; each read
 *   is posted here, the handler runs on this thread, and the reply is posted back.
 * Either way the thread reports its real OS thread id, and exits when its connection ends.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runBlockingLoop, warmCourseLoop } from '../net/blocking-loop'
import { SharedBudget } from '../net/shared-budget'
import { applyHandler, parseHandler } from '../net/handlers'
import { currentTid } from '../net/server-events'
import { SharedConn } from '../net/shared-conn'
import type { SpareThreadData } from '../net/thread-messages'

interface Job {
  id: number
  data: Uint8Array
}

const port = parentPort
if (!port) throw new Error('tcp-handler-thread must run as a worker thread')
const plan = parseHandler(String((workerData as { handler: string }).handler))
/** Warm-up rounds before saying ready (blocking-loop.ts, warmCourseLoop): one compiles everything the first reply needs. */
const WARM_ROUNDS = 2

const data = workerData as { handler: string } & Partial<SpareThreadData>
if (data.shared && data.options) {
  // The `owns` design (Linux): warmed on /dev/zero, never on a socket; then ready, and blocked in
  // one futex wait (no event loop runs) until the main thread hands over a descriptor.
  const shared = new SharedConn(data.shared)
  const budget = new SharedBudget(data.bufferLimit!, data.bufferBudget)
  warmCourseLoop(plan, new SharedConn(), WARM_ROUNDS, data.options)
  port.postMessage({ ready: true, tid: currentTid() })
  const fd = shared.waitForConnection()
  if (fd !== null) {
    // The shared memory is the loop's recorder itself (shared-conn.ts; its send lock too): no closure between them per message.
    const reason = runBlockingLoop(fd, data.options, plan, shared, budget)
    port.postMessage({ done: true, reason })
  }
  port.close()
} else {
  // The relay design: each read is posted here and the reply posted back.
  const run = (job: Job) => {
    const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength)
    const out = applyHandler(plan.name, input)
    // Exact-size copy, transferred: `out` may be a view into Node's shared buffer pool.
    const data = new Uint8Array(out.length)
    data.set(out)
    port.postMessage({ id: job.id, data }, [data.buffer])
  }
  // A delayed reply keeps this thread's handler busy, not the main thread.
  port.on('message', (job: Job) => (plan.delayMs > 0 ? setTimeout(() => run(job), plan.delayMs) : run(job)))
  port.postMessage({ ready: true, tid: currentTid() })
}
