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
import { SparePool, type Startable } from './spare-pool'

export interface ForkHooks {
  event(e: SessionEvent): void
  totals(bytesIn: number, bytesOut: number, messages: number): void
  closed(reason: CloseReason): void
}

/**
 * A connection process forked ahead of time (`tcp-handler-child`), or for a connection that found no
 * spare: it starts, says it is ready, and waits for one socket. Each serves exactly one connection
 * and exits, as ForkingMixIn's children do; only the start-up is done before the connection comes.
 * It is forked only when `begin()` is called (the pool starts a few at a time, spare-pool.ts).
 */
export class SpareChild implements Startable {
  private c: ChildProcess | null = null
  /** fork() time (performance clock); null while it waits for a start slot. */
  startedAt: number | null = null
  /** Milliseconds from fork to the child saying it is ready. */
  startMs: number | null = null
  readonly ready: Promise<void>
  readonly exited: Promise<void>
  private settleReady!: { resolve(): void; reject(e: Error): void }
  private resolveExited!: () => void
  private cancelled = false

  constructor(private readonly workersDir: string) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }))
    this.ready.catch(() => {})
  }

  get begun(): boolean {
    return this.startedAt !== null
  }

  get child(): ChildProcess {
    if (!this.c) throw new LabError('ERR_INTERNAL', 'the connection process has not started')
    return this.c
  }

  get pid(): number {
    return this.c?.pid ?? -1
  }

  begin(): void {
    if (this.c || this.cancelled) return
    this.startedAt = performance.now()
    const child = forkLabChild(path.join(this.workersDir, 'tcp-handler-child.js'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.c = child
    const pid = child.pid ?? -1
    child.once('exit', () => this.resolveExited())
    // Label the child in the process tree while it lives.
    void this.exited.then(registerProcess(pid, 'connection', 'connection process'))
    child.on('error', () => {}) // reported through 'exit'
    const onMessage = (m: FromForkChild) => {
      if (m.type !== 'ready') return
      child.off('message', onMessage)
      this.startMs = performance.now() - this.startedAt!
      this.settleReady.resolve()
    }
    child.on('message', onMessage)
    void this.exited.then(() => this.settleReady.reject(new LabError('ERR_INTERNAL', `the connection process ${pid} exited before it was ready`)))
  }

  kill(): void {
    const c = this.c
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }

  async stop(): Promise<void> {
    if (!this.c) {
      this.cancelled = true
      this.settleReady.reject(new LabError('ERR_INTERNAL', 'the connection process was not started: the server stopped'))
      this.resolveExited()
      return
    }
    this.kill()
    await this.exited
  }
}

/** Each forking server's spare processes, from the lab-wide process budget (spare-pool.ts). */
export function childSpares(workersDir: string, count: number): SparePool<SpareChild> {
  return new SparePool(
    () => {
      if (!childBudget.take(1)) return null
      const c = new SpareChild(workersDir)
      void c.exited.then(() => childBudget.give(1))
      return c
    },
    () => budgetError('processes', childBudget.limit),
    count,
  )
}

/**
 * The `forking` mode's per-connection process. The parent never reads the socket (it was accepted
 * with `pauseOnConnect`); once the child is ready the socket is sent to it and closed here.
 */
export class ForkedConnection {
  private done = false
  private stopping = false

  constructor(
    readonly spare: SpareChild,
    socket: net.Socket,
    handler: string,
    options: SessionOptions,
    private readonly hooks: ForkHooks,
  ) {
    // The spare may still be waiting for its start slot: nothing touches its process before it is ready.
    void spare.exited.then(() => {
      socket.destroy()
      if (this.done) return
      if (!this.stopping && spare.begun) {
        const { exitCode: code, signalCode: signal } = spare.child
        this.hooks.event({
          event: 'error',
          error: new LabError('ERR_INTERNAL', `the process serving this connection (pid ${spare.pid}) exited with ${signal ?? `code ${code}`}`, {
            pid: spare.pid,
          }).toData(),
        })
      }
      this.finish(this.stopping ? 'server' : 'error')
    })
    spare.ready.then(
      () => this.handOver(socket, handler, options),
      () => {},
    )
  }

  private handOver(socket: net.Socket, handler: string, options: SessionOptions): void {
    const { spare } = this
    if (socket.destroyed || this.stopping) {
      this.finish(this.stopping ? 'server' : 'client')
      spare.kill()
      return
    }
    spare.child.on('message', (m: FromForkChild) => {
      if (m.type === 'events') {
        for (const e of m.events) this.hooks.event(e)
        this.hooks.totals(m.bytesIn, m.bytesOut, m.messages)
      } else if (m.type === 'closed') {
        this.finish(m.reason)
      }
    })
    const msg: ToForkChild = { type: 'serve', handler, options }
    spare.child.send(msg, socket, { keepOpen: false }, (err) => {
      if (!err) return
      this.hooks.event({ event: 'error', error: new LabError('ERR_INTERNAL', `could not hand the connection to process ${spare.pid}: ${err.message}`).toData() })
      socket.destroy()
      spare.kill()
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
    if (!this.spare.begun) return void this.spare.stop()
    if (this.spare.child.connected) this.spare.child.send({ type: 'stop' } satisfies ToForkChild)
  }

  kill(): void {
    this.stopping = true
    void this.spare.stop()
  }
}
