import type { Events, Input, MethodName, Output, Topic } from '../../shared/contract'
import type { RunRegistry } from './runs'

/** What every part of the engine gets from the facade. */
export interface LabContext {
  emit<T extends Topic>(topic: T, payload: Events[T]): void
  /** Folder holding the built worker entries (child processes and worker threads). */
  workersDir: string
  /** Where history is kept; null keeps nothing on disk. */
  dataDir: string | null
  /** The long runs in flight (cancel, progress, estimates): main/lab/runs.ts. */
  runs: RunRegistry
}

export type Handler<M extends MethodName> = (input: Input<M>) => Promise<Output<M>> | Output<M>
export type Handlers<K extends MethodName = MethodName> = { [M in K]: Handler<M> }

/** A part of the engine: the methods it answers and how to release what it holds. */
export interface LabDomain<K extends MethodName> {
  handlers: Handlers<K>
  close(): Promise<void>
}
