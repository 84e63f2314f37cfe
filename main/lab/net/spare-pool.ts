/**
 * Spare connection threads or processes (issue 9), one pool per threading or forking server: `count`
 * of them kept ready ahead of connections, each used by ONE connection and then gone (it exits after
 * that connection, as a `ThreadingMixIn` thread or a `ForkingMixIn` child does); a new spare is
 * started as one is used. What a spare costs is never hidden: each connection's `startup` says
 * whether it found one ready, how long it waited, and what starting its thread or process took.
 *
 * Starting is what costs: a Node Worker ~20 ms of CPU, a Node child ~40 ms (a Python thread 0.09 ms,
 * a fork ~1 ms). A thread or process a connection waits for is started at once (in arrival order);
 * replacement spares start at most `atOnce` at a time (one per CPU), so that a burst of connections
 * does not also start a burst of replacements competing with them for the CPUs.
 */
import { availableParallelism } from 'node:os'
import { LabError } from '../errors'

/** A thread or process that is created (`begin`) only when the pool gives it a start slot. */
export interface Startable {
  /** begin() was called. */
  readonly begun: boolean
  /** ms from begin() to ready; null until ready. */
  readonly startMs: number | null
  readonly ready: Promise<unknown>
  readonly exited: Promise<void>
  begin(): void
  /** Ends it (started or not); resolves once it is gone. */
  stop(): Promise<void>
}

export const STARTING_AT_ONCE = Math.max(1, availableParallelism())

export class SparePool<T extends Startable> {
  /** Not yet given to a connection: ready, starting or waiting to start. */
  private readonly idle: T[] = []
  /** Not begun yet, in the order they will start. */
  private readonly queue: T[] = []
  private starting = 0
  private closed = false
  /** Taken by connections that wait for them: they start at once, in arrival order. */
  private claimed = 0
  /** The lab-wide budget refused a spare: the pool keeps fewer than `count` until the next take() finds budget again. */
  private short = false
  private readonly watchers = new Set<() => void>()

  /** `create` takes from a lab-wide budget and returns null when it is spent; `overBudget` is the error then. */
  constructor(
    private readonly create: () => T | null,
    private readonly overBudget: () => LabError,
    readonly count: number,
    private readonly atOnce = STARTING_AT_ONCE,
  ) {
    this.topUp()
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && (this.claimed > 0 || this.starting < this.atOnce)) {
      const t = this.queue.shift()!
      if (this.claimed > 0) this.claimed--
      this.starting++
      t.begin()
      const done = () => {
        this.starting--
        this.pump()
        this.changed()
      }
      t.ready.then(done, done)
    }
  }

  private topUp(): void {
    this.short = false
    while (!this.closed && this.idle.length < this.count) {
      const t = this.create()
      if (!t) {
        this.short = true
        break
      }
      this.idle.push(t)
      this.queue.push(t)
      void t.exited.then(() => {
        const i = this.idle.indexOf(t)
        if (i >= 0) {
          this.idle.splice(i, 1)
          this.changed()
        }
      })
    }
    this.pump()
  }

  // ---- "spares ready": what a benchmark, a test or the UI waits for, never a sleep ----

  /** Spares ready now: started, said ready, not given to a connection yet. */
  get readyCount(): number {
    return this.idle.filter((t) => t.startMs !== null).length
  }

  /**
   * Every spare the pool keeps is ready: none starting, none waiting for a start slot (fewer than
   * `count` only when the lab-wide budget refused one). False once closed.
   */
  get warm(): boolean {
    return !this.closed && this.queue.length === 0 && (this.short || this.idle.length === this.count) && this.idle.every((t) => t.startMs !== null)
  }

  /** Calls `fn` whenever `readyCount` may have changed (a spare became ready, was taken, exited). Returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.watchers.add(fn)
    return () => this.watchers.delete(fn)
  }

  /** Resolves true as soon as the pool is `warm` (at once if it is), false if it closes first. */
  whenWarm(): Promise<boolean> {
    if (this.warm) return Promise.resolve(true)
    if (this.closed) return Promise.resolve(false)
    return new Promise((resolve) => {
      const off = this.onChange(() => {
        if (!this.warm && !this.closed) return
        off()
        resolve(this.warm)
      })
    })
  }

  private changed(): void {
    for (const fn of [...this.watchers]) fn()
  }

  /**
   * One for a connection: a ready spare if there is one, otherwise the one closest to ready (starting,
   * then waiting to start, moved to the front of the line), otherwise a new one at the front.
   */
  take(): T {
    // After close() nothing may start: a connection accepted while the server stops gets no thread.
    if (this.closed) throw new LabError('ERR_BAD_STATE', 'the server is stopping: no new thread or process is started')
    let i = this.idle.findIndex((t) => t.startMs !== null)
    if (i < 0) i = this.idle.findIndex((t) => t.begun)
    if (i < 0 && this.idle.length > 0) i = 0
    let t: T | null = i >= 0 ? this.idle.splice(i, 1)[0]! : null
    if (t && !t.begun) this.queue.splice(this.queue.indexOf(t), 1)
    t ??= this.create()
    if (!t) throw this.overBudget()
    // A connection waits for it: behind those already waiting, before every replacement spare.
    if (!t.begun) this.queue.splice(this.claimed++, 0, t)
    this.topUp()
    this.changed()
    return t
  }

  /** Ends every spare not given to a connection (those belong to their connections now). */
  async close(): Promise<void> {
    this.closed = true
    this.queue.splice(0)
    const all = this.idle.splice(0)
    this.changed()
    this.watchers.clear()
    await Promise.all(all.map((t) => t.stop()))
  }
}
