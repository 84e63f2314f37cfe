/**
 * Spare connection threads or processes (issue 9), one pool per threading or forking server: `count`
 * of them kept ready ahead of connections, each used by ONE connection and then gone (it exits after
 * that connection, as a `ThreadingMixIn` thread or a `ForkingMixIn` child does); a new spare is
 * started as one is used. What a spare costs is never hidden: each connection's `startup` says
 * whether it found one ready, how long it waited, and what starting its thread or process took.
 *
 * Starting is what costs: a Node Worker ~50 ms of CPU, a Node child ~150 ms (a Python thread 0.09 ms,
 * a fork ~1 ms). A thread or process a connection waits for is started at once (in arrival order);
 * replacement spares start at most `atOnce` at a time (one per CPU), and only while `mayStart()`
 * says the CPUs are not all busy serving connections (rechecked every RECHECK_MS): measured, a
 * burst of 32 connections that also started 32 replacements spent a third of the server's CPU on
 * them, taken from the connections being served.
 *
 * A replacement also waits `settleMs` after a spare is taken (threading): starting a Worker is
 * ~50 ms of CPU on another thread, and begun at once it competed with the taken thread's first
 * reply — measured, one connection at a time with a ready spare, first reply p50 36 ms (Python 3.7
 * ms) with the replacement starting at the hand-over.
 *
 * A connection that ends before its thread or process got it (a client that connected and reset)
 * gives it back (`giveBack`): it never served anything, so it is still a fresh spare, and an RST
 * storm does not burn a start per dead connection (issue 12).
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
/** How often deferred replacement spares ask `mayStart()` again (ms). */
export const RECHECK_MS = 100

export class SparePool<T extends Startable> {
  /** Not yet given to a connection: ready, starting or waiting to start. */
  private readonly idle: T[] = []
  /** Not begun yet, in the order they will start. */
  private readonly queue: T[] = []
  private starting = 0
  private closed = false
  /** Taken by connections that wait for them: they start at once, in arrival order (the queue's front). */
  private readonly claimed = new Set<T>()
  private recheck: NodeJS.Timeout | null = null
  /** The lab-wide budget refused a spare: the pool keeps fewer than `count` until the next take() finds budget again. */
  private short = false
  private readonly watchers = new Set<() => void>()
  /** A notification of the watchers is scheduled (changed()). */
  private telling = false
  /** performance.now() of the last take(); replacements wait until settleMs after it. */
  private takenAt = -Infinity

  /** `create` takes from a lab-wide budget and returns null when it is spent; `overBudget` is the error then. */
  constructor(
    private readonly create: () => T | null,
    private readonly overBudget: () => LabError,
    readonly count: number,
    private readonly atOnce = STARTING_AT_ONCE,
    /** False while the CPUs are busy serving: replacement spares wait (those a connection waits for never do). */
    private readonly mayStart: () => boolean = () => true,
    /** After a take, replacements wait this long (ms): the taken spare's first reply goes first. */
    private readonly settleMs = 0,
  ) {
    this.topUp()
  }

  /** Replacements waiting for the CPUs to be free of serving (shown in the UI as "waiting to start"). */
  get deferred(): number {
    return this.recheck ? this.queue.length - this.claimed.size : 0
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const t = this.queue[0]!
      const claimed = this.claimed.delete(t)
      if (!claimed) {
        if (this.starting >= this.atOnce) break
        if (!this.mayStart() || performance.now() - this.takenAt < this.settleMs) {
          this.deferRest()
          break
        }
      }
      this.queue.shift()
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

  /** Asks again in RECHECK_MS whether the replacements may start (one timer, unreferenced). */
  private deferRest(): void {
    if (this.recheck) return
    const settling = this.settleMs - (performance.now() - this.takenAt)
    this.recheck = setTimeout(
      () => {
        this.recheck = null
        this.pump()
        this.changed()
      },
      settling > 0 ? Math.min(RECHECK_MS, Math.ceil(settling)) : RECHECK_MS,
    )
    this.recheck.unref()
    this.changed()
  }

  /** A new one from the budget, watched: it leaves `idle` when it exits. */
  private make(): T | null {
    const t = this.create()
    if (!t) return null
    void t.exited.then(() => {
      const i = this.idle.indexOf(t)
      if (i >= 0) {
        this.idle.splice(i, 1)
        this.changed()
      }
    })
    return t
  }

  private topUp(): void {
    this.short = false
    while (!this.closed && this.idle.length < this.count) {
      const t = this.make()
      if (!t) {
        this.short = true
        break
      }
      this.idle.push(t)
      this.queue.push(t)
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
    // Told once, just after the current turn, however many changes it made: a take's watchers (the
    // server's "spares" event) then run after the taker has handed its connection over (measured:
    // told at once, they were 0.15–0.3 ms of the main thread between accept and a ready spare's wake).
    if (this.telling) return
    this.telling = true
    queueMicrotask(() => {
      this.telling = false
      for (const fn of [...this.watchers]) fn()
    })
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
    t ??= this.make()
    if (!t) throw this.overBudget()
    this.takenAt = performance.now()
    // A connection waits for it: behind those already waiting, before every replacement spare.
    if (!t.begun) {
      this.queue.splice(this.claimed.size, 0, t)
      this.claimed.add(t)
    }
    this.topUp()
    this.changed()
    return t
  }

  /**
   * The connection that took `t` ended before `t` got it (the client reset while it waited): `t`
   * never served anything, so it is still a fresh spare. It goes back to the pool (a start it
   * was waiting for becomes a replacement's), or ends if the pool already has `count` without it.
   */
  giveBack(t: T): void {
    if (this.closed) return void t.stop()
    if (!t.begun) {
      this.claimed.delete(t)
      const q = this.queue.indexOf(t)
      if (q >= 0) this.queue.splice(q, 1)
    }
    if (this.idle.includes(t)) return
    this.idle.push(t)
    if (!t.begun) this.queue.push(t)
    // Over `count` now: end the one furthest from ready (never started, then still starting).
    while (this.idle.length > this.count) {
      const rank = (x: T) => (x.startMs !== null ? 2 : x.begun ? 1 : 0)
      const worst = this.idle.reduce((a, b) => (rank(b) < rank(a) ? b : a))
      this.idle.splice(this.idle.indexOf(worst), 1)
      const q = this.queue.indexOf(worst)
      if (q >= 0) this.queue.splice(q, 1)
      void worst.stop()
    }
    this.pump()
    this.changed()
  }

  /** Ends every spare not given to a connection (those belong to their connections now). */
  async close(): Promise<void> {
    this.closed = true
    if (this.recheck) clearTimeout(this.recheck)
    this.recheck = null
    this.queue.splice(0)
    this.claimed.clear()
    const all = this.idle.splice(0)
    // Told now, not after the turn: the watchers are let go just below.
    for (const fn of [...this.watchers]) fn()
    this.watchers.clear()
    await Promise.all(all.map((t) => t.stop()))
  }
}
