import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { LabError } from '../errors'
import { registerThread } from '../proc/roles'

interface Pending {
  resolve(b: Buffer): void
  reject(e: Error): void
}

/**
 * The `threading` mode's per-connection thread: a real `worker_threads` thread that runs the handler
 * for one connection and is terminated when the connection closes (like `ThreadingMixIn`, where the
 * thread lives as long as `handle()` runs).
 */
export class ThreadHandler {
  readonly ready: Promise<number | null>
  readonly exited: Promise<void>
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private failure: Error | null = null

  constructor(workersDir: string, handler: string) {
    this.worker = new Worker(path.join(workersDir, 'tcp-handler-thread.js'), {
      workerData: { handler },
      // One thread per connection: keep each one's heap small.
      resourceLimits: { maxOldGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    })
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { ready?: boolean; tid?: number | null }) => {
        if (m.ready) resolve(m.tid ?? null)
        this.worker.on('message', (r: { id: number; data: Uint8Array }) => this.replied(r))
      })
      this.worker.once('error', reject)
      this.worker.once('exit', () => reject(new LabError('ERR_INTERNAL', 'the handler thread exited before it started')))
    })
    this.ready.catch(() => {})
    this.worker.on('error', (err) => this.failAll(err))
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()))
    this.exited.then(() => this.failAll(new LabError('ERR_INTERNAL', 'the handler thread ended')))
    // Label the thread in the process tree while it lives (Node names every thread "node").
    this.ready.then(
      (tid) => {
        const unregister = registerThread(tid, 'connection', 'connection thread')
        void this.exited.then(unregister)
      },
      () => {},
    )
  }

  private replied(r: { id: number; data: Uint8Array }): void {
    const p = this.pending.get(r.id)
    if (!p) return
    this.pending.delete(r.id)
    p.resolve(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength))
  }

  private failAll(err: Error): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }

  handle(payload: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // A Buffer is often a view into a larger (pooled or 64 KB read) ArrayBuffer, and structured
      // cloning copies the whole of it: hand over an exact copy, transferred, instead.
      const data = new Uint8Array(payload.length)
      data.set(payload)
      this.worker.postMessage({ id, data }, [data.buffer])
    })
  }

  /** Ends the thread; resolves once the OS thread is gone. Safe to call twice. */
  async stop(): Promise<void> {
    await this.worker.terminate()
    await this.exited
  }
}
