import type { ChildProcess } from 'node:child_process'
import type net from 'node:net'
import path from 'node:path'
import type { CloseReason } from '../../../shared/contract'
import { LabError } from '../errors'
import { forkLabChild } from '../proc/fork-child'
import { registerProcess } from '../proc/roles'
import { budgetError, childBudget } from './budgets'
import type { FromForkChild, ToForkChild } from './fork-messages'
import type { SessionEvent, SessionOptions } from './session'

export interface ForkHooks {
  event(e: SessionEvent): void
  totals(bytesIn: number, bytesOut: number, messages: number): void
  closed(reason: CloseReason): void
}

/**
 * A connection process forked ahead of time (`tcp-handler-child`): it starts, says it is ready, and
 * waits for one socket. Each serves exactly one connection and exits, as ForkingMixIn's children do;
 * only the start-up is done before the connection comes, not after.
 */
export class SpareChild {
  readonly child: ChildProcess
  readonly pid: number
  readonly startedAt = performance.now()
  /** Milliseconds from fork to the child saying it is ready. */
  startMs: number | null = null
  readonly ready: Promise<void>
  readonly exited: Promise<void>

  constructor(workersDir: string) {
    this.child = forkLabChild(path.join(workersDir, 'tcp-handler-child.js'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.pid = this.child.pid ?? -1
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
    // Label the child in the process tree while it lives.
    void this.exited.then(registerProcess(this.pid, 'connection', 'connection process'))
    this.child.on('error', () => {}) // reported through 'exit'
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromForkChild) => {
        if (m.type !== 'ready') return
        this.child.off('message', onMessage)
        this.startMs = performance.now() - this.startedAt
        resolve()
      }
      this.child.on('message', onMessage)
      void this.exited.then(() => reject(new LabError('ERR_INTERNAL', `the connection process ${this.pid} exited before it was ready`)))
    })
    this.ready.catch(() => {})
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}

/** Each forking server keeps `count` spare children ready, from the lab-wide process budget; a new one starts as one is used. */
export class ChildSpares {
  private readonly spares: SpareChild[] = []
  private closed = false

  constructor(
    private readonly workersDir: string,
    private readonly count: number,
  ) {
    this.topUp()
  }

  private start(): SpareChild | null {
    if (!childBudget.take(1)) return null
    const c = new SpareChild(this.workersDir)
    void c.exited.then(() => childBudget.give(1))
    return c
  }

  private topUp(): void {
    while (!this.closed && this.spares.length < this.count) {
      const c = this.start()
      if (!c) return
      this.spares.push(c)
      void c.exited.then(() => {
        const i = this.spares.indexOf(c)
        if (i >= 0) this.spares.splice(i, 1)
      })
    }
  }

  /** A process for one connection: a ready spare, else the oldest still starting, else a new one; ERR_LIMIT over the budget. */
  take(): SpareChild {
    const ready = this.spares.findIndex((c) => c.startMs !== null)
    const c = ready >= 0 ? this.spares.splice(ready, 1)[0]! : (this.spares.shift() ?? this.start())
    if (!c) throw budgetError('processes', childBudget.limit)
    this.topUp()
    return c
  }

  async close(): Promise<void> {
    this.closed = true
    const all = this.spares.splice(0)
    for (const c of all) c.kill()
    await Promise.all(all.map((c) => c.exited))
  }
}

/**
 * The `forking` mode's per-connection process. The parent never reads the socket (it was accepted
 * with `pauseOnConnect`); once the child is ready the socket is sent to it and closed here.
 */
export class ForkedConnection {
  readonly child: ChildProcess
  readonly pid: number
  readonly exited: Promise<void>
  private done = false
  private stopping = false

  constructor(
    readonly spare: SpareChild,
    socket: net.Socket,
    handler: string,
    options: SessionOptions,
    private readonly hooks: ForkHooks,
  ) {
    this.child = spare.child
    this.pid = spare.pid
    this.exited = spare.exited
    const handOver = () => {
      if (socket.destroyed || this.stopping) {
        this.finish(this.stopping ? 'server' : 'client')
        spare.kill()
        return
      }
      const msg: ToForkChild = { type: 'serve', handler, options }
      this.child.send(msg, socket, { keepOpen: false }, (err) => {
        if (!err) return
        this.hooks.event({ event: 'error', error: new LabError('ERR_INTERNAL', `could not hand the connection to process ${this.pid}: ${err.message}`).toData() })
        socket.destroy()
        spare.kill()
      })
    }
    spare.ready.then(handOver, () => {})
    this.child.on('message', (m: FromForkChild) => {
      if (m.type === 'events') {
        for (const e of m.events) this.hooks.event(e)
        this.hooks.totals(m.bytesIn, m.bytesOut, m.messages)
      } else if (m.type === 'closed') {
        this.finish(m.reason)
      }
    })
    void this.exited.then(() => {
      socket.destroy()
      if (this.done) return
      const { exitCode: code, signalCode: signal } = this.child
      if (!this.stopping) {
        this.hooks.event({
          event: 'error',
          error: new LabError('ERR_INTERNAL', `the process serving this connection (pid ${this.pid}) exited with ${signal ?? `code ${code}`}`, {
            pid: this.pid,
          }).toData(),
        })
      }
      this.finish(this.stopping ? 'server' : 'error')
    })
  }

  private finish(reason: CloseReason): void {
    if (this.done) return
    this.done = true
    this.hooks.closed(reason)
  }

  /** Server stopping: the child says goodbye to its client and exits. */
  stop(): void {
    this.stopping = true
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToForkChild)
  }

  kill(): void {
    this.stopping = true
    this.spare.kill()
  }
}
