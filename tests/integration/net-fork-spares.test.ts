/**
 * Issue 9, the `forking` mode's first reply: what a server does around the hand-over of a
 * connection to a ready spare child, with real children (out/main/workers/tcp-handler-child.cjs).
 * - The replacement is not forked at the hand-over: a child's start is tens of ms of CPU, and begun
 *   in the accept's own turn it competed with the taken child's first reply (fork-mode.ts).
 * - A spare warms its code before it says ready (tcp-handler-child.ts, warmCourseLoop) without writing
 *   anything: its event pipe is empty until it is given a connection.
 * Asserted: what was started, and what was written, never a time.
 */
import type { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { childSpares, ForkGuard } from '../../main/lab/net/fork-mode'
import { threadsCanOwnDescriptors } from '../../main/lab/net/node-handles'
import { WORKERS_DIR } from '../helpers/paths'

const linux = process.platform === 'linux' && threadsCanOwnDescriptors()

/** Resolves once `ready()` is true, asked whenever the pool says its ready count may have changed. */
function until(pool: ReturnType<typeof childSpares>, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) return resolve()
    const off = pool.onChange(() => {
      if (!ready()) return
      off()
      resolve()
    })
  })
}

describe.skipIf(!linux)('forking spares around the hand-over (Linux)', () => {
  it('taking the ready spare forks no replacement then: it waits (deferred), then starts and becomes ready', async () => {
    const pool = childSpares(WORKERS_DIR, 1, null)
    try {
      await until(pool, () => pool.readyCount === 1)
      const taken = pool.take()
      expect(taken.startMs).not.toBeNull()
      // At the hand-over the replacement exists but has not been forked.
      expect(pool.deferred).toBe(1)
      await until(pool, () => pool.readyCount === 1)
      expect(pool.deferred).toBe(0)
      await taken.stop()
    } finally {
      await pool.close()
    }
  })

  it('a ready spare (warmed up) has written nothing on its event pipe', async () => {
    const guard = new ForkGuard(WORKERS_DIR)
    const pool = childSpares(WORKERS_DIR, 1, guard)
    try {
      await until(pool, () => pool.readyCount === 1)
      const spare = pool.take()
      const pipe = spare.child.stdio[4] as Readable
      let bytes = 0
      pipe.on('data', (d: Buffer) => (bytes += d.length))
      // With no connection, the child's end of the pipe closes only when it exits: all it wrote arrives by then.
      const ended = new Promise((r) => pipe.once('close', r))
      await spare.stop()
      await ended
      expect(bytes).toBe(0)
    } finally {
      await pool.close()
      await guard.close()
    }
  })
})
