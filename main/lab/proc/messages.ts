/**
 * The typed messages between the engine and a pool child (main/lab/workers/pool-child.ts),
 * carried over the IPC channel `child_process.fork` opens. Times are absolute
 * (`performance.timeOrigin + performance.now()`, ms since the epoch with sub-ms precision):
 * both sides read the same system clock, so the engine can put a child's times on its run clock.
 */
import type { LabErrorData } from '../../../shared/errors'
import type { TaskSpec } from '../../../shared/task-spec'
import type { ThreadCounters } from './sched-counters'

/** Engine → child. */
export type ToChild = {
  type: 'run'
  taskId: number
  task: TaskSpec
  /** For `@socket` I/O: the port of the engine's slow peer on 127.0.0.1 (see slow-peer.ts). */
  peerPort?: number
}

/** One CPU or I/O stretch of a task, in absolute ms. */
export interface ChildPhase {
  phase: 'cpu' | 'io'
  startAt: number
  endAt: number
  cpuMs: number
  /** cpu phases: the stretches [start, end] in which the process was running (absolute ms). */
  slices?: [number, number][]
}

/** Child → engine. */
export type FromChild =
  | { type: 'ready'; pid: number }
  | { type: 'started'; taskId: number; at: number }
  | {
      type: 'done'
      taskId: number
      startAt: number
      endAt: number
      /** user + system CPU time the child used for the task (process.cpuUsage), ms. */
      cpuMs: number
      /** The CPU the child last ran on (/proc/self/stat field 39), null where unknown. */
      cpu: number | null
      phases: ChildPhase[]
      /** The main thread's scheduler counters at the task's start and end (Linux), or why not. */
      counters: { ok: true; start: ThreadCounters; end: ThreadCounters } | { ok: false; error: LabErrorData }
    }
  | { type: 'failed'; taskId: number; message: string }

export function isFromChild(m: unknown): m is FromChild {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string'
}

/** Absolute time in ms with sub-ms precision; comparable between processes on one machine. */
export function nowAbs(): number {
  return performance.timeOrigin + performance.now()
}
