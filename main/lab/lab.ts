import os from 'node:os'
import {
  isMethodName,
  methodSpecs,
  type Events,
  type Input,
  type LabEvent,
  type LabInfo,
  type MethodName,
  type Output,
  type Topic,
} from '../../shared/contract'
import { errorData, type Result } from '../../shared/errors'
import type { Handler, Handlers, LabContext, LabDomain } from './context'
import { LabError, toErrorData } from './errors'
import { withField } from './error-fields'
import { createNetLab } from './net/net-lab'
import { createNetClientsLab } from './net/net-clients-lab'
import { createHistoryLab } from './store/history-lab'
import { createLearnerLab } from './store/learner-lab'
import { createExerciseLab } from './exercises/exercise-lab'
import { createPythonLab } from './python/python-lab'
import { findPython } from './python/find-python'
import { createProcLab } from './proc/proc-lab'
import { createOsLab } from './proc/os-lab'
import { createRelayLab } from './net/relay-lab'
import { createSavedMessagesLab } from './net/saved-messages-lab'
import { createEventLogLab } from './net/event-log-lab'
import { createLastSessionLab } from './net/last-session-lab'
import { RunRegistry } from './runs'

export interface LabOptions {
  workersDir: string
  dataDir?: string | null
  door: LabInfo['door']
  version?: string
  /** Where unexpected failures are reported (the CLI's stderr); the caller still gets a coded error. */
  log?: (line: string) => void
}

type Listener = (event: LabEvent) => void

/**
 * The engine's facade. Every door calls `call(method, input)`: the input is validated
 * against the contract's schema here, whichever door it came through, and every failure
 * comes back as `{ ok: false, error }`, never as a thrown object.
 */
export class Lab {
  private readonly listeners = new Set<Listener>()
  private readonly domains: LabDomain<MethodName>[] = []
  private readonly handlers: Handlers
  private readonly runs: RunRegistry
  private closing: Promise<void> | null = null

  constructor(private readonly options: LabOptions) {
    this.runs = new RunRegistry((p) => this.publish({ topic: 'run.progress', payload: p }))
    // The network event log sees (and numbers) every event before any door does (issue 14).
    const eventLog = createEventLogLab()
    const ctx: LabContext = {
      runs: this.runs,
      emit: <T extends Topic>(topic: T, payload: Events[T]) => {
        eventLog.note(topic, payload)
        this.publish({ topic, payload } as LabEvent)
      },
      workersDir: options.workersDir,
      dataDir: options.dataDir ?? null,
    }
    const net = createNetLab(ctx)
    this.domains.push(net as LabDomain<MethodName>)
    const netClients = createNetClientsLab(ctx)
    this.domains.push(netClients as LabDomain<MethodName>)
    const history = createHistoryLab(ctx)
    this.domains.push(history as LabDomain<MethodName>)
    const python = createPythonLab(ctx)
    this.domains.push(python as LabDomain<MethodName>)
    const proc = createProcLab(ctx)
    this.domains.push(proc as LabDomain<MethodName>)
    const osLab = createOsLab(ctx)
    this.domains.push(osLab as LabDomain<MethodName>)
    const learner = createLearnerLab(ctx)
    this.domains.push(learner as LabDomain<MethodName>)
    const exercises = createExerciseLab(ctx, learner.store)
    this.domains.push(exercises as LabDomain<MethodName>)
    const relays = createRelayLab(ctx)
    this.domains.push(relays as LabDomain<MethodName>)
    const saved = createSavedMessagesLab(ctx)
    this.domains.push(saved as LabDomain<MethodName>)
    this.domains.push(eventLog as LabDomain<MethodName>)
    // Sees the servers and clients started and stopped (issue 14: restore the last session); its wrapped handlers win below.
    const lastSession = createLastSessionLab(ctx, { ...net.handlers, ...netClients.handlers })
    this.domains.push(lastSession as LabDomain<MethodName>)
    this.handlers = {
      'lab.info': () => this.info(),
      ...net.handlers,
      ...netClients.handlers,
      ...history.handlers,
      ...python.handlers,
      ...proc.handlers,
      ...osLab.handlers,
      ...learner.handlers,
      ...exercises.handlers,
      ...relays.handlers,
      ...saved.handlers,
      ...eventLog.handlers,
      ...lastSession.handlers,
      'run.cancel': ({ runId }) => ({ runId, cancelled: this.runs.cancel(runId) }),
    }
  }

  /** Subscribe to every engine event; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private publish(event: LabEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A broken listener (a closed window, a dead socket) must not stop the engine.
      }
    }
  }

  call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>>
  call(method: string, input: unknown): Promise<Result<unknown>>
  async call(method: string, input: unknown): Promise<Result<unknown>> {
    // The one entry every door goes through: nothing thrown in here reaches a door.
    try {
      return await this.dispatch(method, input)
    } catch (err) {
      const error = typeof method === 'string' && isMethodName(method) ? withField(method, toErrorData(err)) : toErrorData(err)
      if (error.code === 'ERR_INTERNAL') this.options.log?.(`lab: ${typeof method === 'string' ? method.slice(0, 80) : typeof method} failed: ${String(err)}`)
      return { ok: false, error }
    }
  }

  private async dispatch(method: unknown, input: unknown): Promise<Result<unknown>> {
    if (this.closing) return { ok: false, error: errorData('ERR_BAD_STATE', 'the lab is shutting down') }
    if (typeof method !== 'string') {
      return { ok: false, error: errorData('ERR_UNKNOWN_METHOD', `a method name is a string, not ${method === null ? 'null' : typeof method}`) }
    }
    if (!isMethodName(method)) {
      return { ok: false, error: errorData('ERR_UNKNOWN_METHOD', `unknown method ${JSON.stringify(method).slice(0, 80)}`) }
    }
    const parsed = methodSpecs[method].input.parse(input)
    if (!parsed.ok) {
      // The first issue names the field; its code and parameters let the page say it in either language.
      const { path, message, code, params } = parsed.issue
      const more = parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : ''
      return {
        ok: false,
        error: errorData('ERR_INVALID_INPUT', `${method}: ${path} ${message}${more}`, {
          ...params,
          method,
          path,
          detail: message,
          reason: code,
          problems: parsed.issues.length,
        }, path === '(input)' ? undefined : path),
      }
    }
    const handler = this.handlers[method] as Handler<MethodName>
    return { ok: true, value: await handler(parsed.value as never) }
  }

  /** Like `call`, but throws a LabError on failure: for the CLI and tests. */
  async invoke<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
    const result = await this.call(method, input)
    if (result.ok) return result.value
    throw new LabError(result.error.code, result.error.message, result.error.params, result.error.field)
  }

  private async info(): Promise<LabInfo> {
    // Probed once, asynchronously, in a child process: never blocks the thread the doors run on.
    const python = await findPython()
    return {
      version: this.options.version ?? '0.0.0',
      platform: process.platform,
      arch: process.arch,
      pid: process.pid,
      cpus: os.availableParallelism(),
      node: process.versions.node,
      door: this.options.door,
      python: python?.version ?? null,
      dataDir: this.options.dataDir ?? null,
      memory: memoryNow(),
    }
  }

  /** Stops every server, client, worker and child. Safe to call twice. */
  close(): Promise<void> {
    // Long runs stop first, so each returns (its partial result) while its sockets and pools still exist.
    if (!this.closing) this.runs.cancelAll()
    this.closing ??= Promise.allSettled(this.domains.map((d) => d.close())).then(() => {
      this.listeners.clear()
    })
    return this.closing
  }
}

function memoryNow(): LabInfo['memory'] {
  // Only an engine started with --expose-gc (the soak bench starts it so) collects first, so that
  // heapUsed counts live objects and not garbage V8 has not collected yet.
  const gc = (globalThis as { gc?: () => void }).gc
  if (typeof gc === 'function') gc()
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, heapTotal, external, arrayBuffers, collected: typeof gc === 'function' }
}
