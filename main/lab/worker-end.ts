/**
 * Ending a `worker_threads` Worker without leaking a descriptor. `worker.terminate()` while the
 * thread's module loader still has a file read in flight leaves that file open in the lab's process
 * for good (measured on Node 20: 600 Workers terminated 0–60 ms after `new Worker` left 24 descriptors
 * on out/main/workers/*.js and out/main/chunks/*.js). So a thread that has not said it is loaded is let
 * finish loading — or exit — first; a loaded thread is terminated at once.
 */
import type { Worker } from 'node:worker_threads'

/** `loaded` settles when the thread's first message (its "ready") arrives or it fails; `exited` when it is gone. */
export async function endWorker(worker: Worker, loaded: Promise<unknown>, exited: Promise<void>): Promise<void> {
  await Promise.race([loaded.then(noop, noop), exited])
  await worker.terminate()
  await exited
}

function noop(): void {}
