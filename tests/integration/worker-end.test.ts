/**
 * Ending a thread that is still loading leaks nothing (main/lab/worker-end.ts). Terminating a Worker
 * while its module loader reads a file left that file's descriptor open in the lab for good (a
 * clean-clone CI run ended with an fd on out/main/chunks/errors-*.js after a threading server
 * stopped). Here the lab's real datagram-thread entry (an ES module, loaded asynchronously; the
 * connection thread is now one CommonJS file, read synchronously) is started and ended at many points of its
 * start-up; whatever the timing, the process's descriptors return to where they were.
 */
import { readdirSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { DATAGRAM_THREAD_FILE } from '../../main/lab/net/udp-threads'
import { endWorker } from '../../main/lab/worker-end'
import { WORKERS_DIR } from '../helpers/paths'

const fds = () => readdirSync('/proc/self/fd')
const onFile = (f: string) => {
  try {
    return readlinkSync(`/proc/self/fd/${f}`).startsWith('/')
  } catch {
    return false
  }
}
const ENDS = 80
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.runIf(process.platform === 'linux')('endWorker', () => {
  it('a thread ended at any point of its start-up leaves no descriptor open', async () => {
    const start = () => {
      const w = new Worker(path.join(WORKERS_DIR, DATAGRAM_THREAD_FILE), { workerData: { handler: 'upper', stop: new SharedArrayBuffer(4) }, stdout: false, stderr: false })
      w.on('error', () => {})
      const exited = new Promise<void>((r) => w.once('exit', () => r()))
      const loaded = new Promise((r) => w.once('message', r))
      return { w, exited, loaded }
    }
    // How long one start-up takes on this machine now, so that the ends below fall all over it.
    const probe = start()
    const t0 = performance.now()
    // A thread that cannot start (a wrong entry) fails here at once instead of being waited for.
    expect(await Promise.race([probe.loaded.then(() => 'loaded'), probe.exited.then(() => 'exited')])).toBe('loaded')
    const loadMs = performance.now() - t0
    await endWorker(probe.w, probe.loaded, probe.exited)
    const before = fds().filter(onFile).length
    // 80 ends, one after another: each waits for a start-up, which takes seconds on a busy machine
    // (200 of them passed 120 s in a loaded CI run), and 80 still leave several fds without the fix.
    for (let i = 0; i < ENDS; i++) {
      const { w, exited, loaded } = start()
      // Ended from 0 to 1.2× a start-up after it was created: before, during and after its modules load.
      await sleep(((i * 37) % ENDS) / ENDS * 1.2 * loadMs)
      await endWorker(w, loaded, exited)
    }
    const left = fds().filter(onFile).map((f) => readlinkSync(`/proc/self/fd/${f}`))
    expect(left.length, left.join('\n')).toBeLessThanOrEqual(before)
  }, 600_000)
})
