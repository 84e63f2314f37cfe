import type { ChildProcess } from 'node:child_process'
import type net from 'node:net'
import path from 'node:path'
import type { CloseReason } from '../../../shared/contract'
import { LabError } from '../errors'
import { forkLabChild } from '../proc/fork-child'
import { registerProcess } from '../proc/roles'
import type { FromForkChild, ToForkChild } from './fork-messages'
import type { SessionEvent, SessionOptions } from './session'

export interface ForkHooks {
  event(e: SessionEvent): void
  totals(bytesIn: number, bytesOut: number, messages: number): void
  closed(reason: CloseReason): void
}

/**
 * The `forking` mode's per-connection process. The parent never reads the socket (it was accepted
 * with `pauseOnConnect`); once the child says it is ready the socket is sent to it and closed here.
 */
export class ForkedConnection {
  readonly child: ChildProcess
  readonly pid: number
  readonly exited: Promise<void>
  private done = false
  private stopping = false

  constructor(workersDir: string, socket: net.Socket, handler: string, options: SessionOptions, private readonly hooks: ForkHooks) {
    this.child = forkLabChild(path.join(workersDir, 'tcp-handler-child.js'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.pid = this.child.pid ?? -1
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
    // Label the child in the process tree while it lives.
    void this.exited.then(registerProcess(this.pid, 'connection', 'connection process'))
    this.child.on('error', () => {}) // reported through 'exit'
    this.child.on('message', (m: FromForkChild) => {
      if (m.type === 'ready') {
        if (socket.destroyed || this.stopping) {
          this.finish(this.stopping ? 'server' : 'client')
          this.child.kill('SIGKILL')
          return
        }
        const msg: ToForkChild = { type: 'serve', handler, options }
        this.child.send(msg, socket, { keepOpen: false }, (err) => {
          if (!err) return
          this.hooks.event({ event: 'error', error: new LabError('ERR_INTERNAL', `could not hand the connection to process ${this.pid}: ${err.message}`).toData() })
          socket.destroy()
          this.child.kill('SIGKILL')
        })
      } else if (m.type === 'events') {
        for (const e of m.events) this.hooks.event(e)
        this.hooks.totals(m.bytesIn, m.bytesOut, m.messages)
      } else if (m.type === 'closed') {
        this.finish(m.reason)
      }
    })
    this.child.once('exit', (code, signal) => {
      socket.destroy()
      if (this.done) return
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
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}
