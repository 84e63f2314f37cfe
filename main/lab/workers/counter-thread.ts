/**
 * Worker-thread entry for the threads-vs-processes counter: N of these increment ONE counter
 * in a SharedArrayBuffer. Each reports its OS thread id first (so the tree can label it), waits
 * at a barrier until every thread is ready (so they really run at the same time), counts, reports,
 * and then stays alive `holdMs` so the learner can see it in the tree.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { incrementAtomic, incrementRacy, SLOT, type CounterMessage } from '../proc/counter-shared'
import { currentThreadId } from '../proc/roles'

interface Data {
  shared: SharedArrayBuffer
  increments: number
  atomic: boolean
  holdMs: number
}

const port = parentPort
if (!port) throw new Error('counter-thread must run as a worker thread')
const { shared, increments, atomic, holdMs } = workerData as Data
const cells = new Int32Array(shared)

const post = (m: CounterMessage) => port.postMessage(m)
post({ type: 'ready', pid: process.pid, tid: currentThreadId() })
Atomics.add(cells, SLOT.ready, 1)
// The barrier: sleep until the engine sets `go` (it notifies once every thread is ready).
while (Atomics.load(cells, SLOT.go) === 0) Atomics.wait(cells, SLOT.go, 0, 1_000)

let final = 0
for (let i = 0; i < increments; i++) final = atomic ? incrementAtomic(cells) : incrementRacy(cells)
post({ type: 'done', final, increments })
setTimeout(() => process.exit(0), holdMs)
