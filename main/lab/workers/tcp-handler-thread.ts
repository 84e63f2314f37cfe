/**
 * Worker-thread entry for the `threading` server mode: one thread per connection. The socket stays
 * on the main thread (Node cannot move a socket to a worker); each read or message is posted here,
 * the handler runs on this thread, and the reply is posted back. The thread reports its real OS
 * thread id so the learner can find it in the process tree.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { applyHandler, parseHandler } from '../net/handlers'
import { currentTid } from '../net/server-events'

interface Job {
  id: number
  data: Uint8Array
}

const port = parentPort
if (!port) throw new Error('tcp-handler-thread must run as a worker thread')
const plan = parseHandler(String((workerData as { handler: string }).handler))

port.on('message', (job: Job) => {
  const run = () => {
    const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength)
    const out = applyHandler(plan.name, input)
    // Exact-size copy, transferred: `out` may be a view into Node's shared buffer pool.
    const data = new Uint8Array(out.length)
    data.set(out)
    port.postMessage({ id: job.id, data }, [data.buffer])
  }
  // A delayed reply keeps this thread's handler busy, not the main thread.
  if (plan.delayMs > 0) setTimeout(run, plan.delayMs)
  else run()
})
port.postMessage({ ready: true, tid: currentTid() })
