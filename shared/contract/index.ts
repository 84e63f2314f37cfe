/**
 * The contract: every method the engine offers (input schema + output type) and every
 * event topic. The Electron IPC, the WebSocket bridge, the CLI and the renderer are all
 * generic over these maps; a new capability is one entry here.
 */
import type { Result } from '../errors'
import type { Infer } from '../schema'
import { labMethods, type LabEvents } from './lab'
import { netMethods, type NetEvents } from './net'
import { procMethods, type ProcEvents } from './proc'
import { netClientMethods, type NetClientEvents } from './net-clients'
import { netExperimentMethods } from './net-experiments'
import { osMethods, type OsEvents } from './os'
import { historyMethods, type HistoryEvents } from './history'
import { pythonMethods, type PythonEvents } from './python'
import { learnerMethods, type LearnerEvents } from './learner'
import { exerciseMethods, type ExerciseEvents } from './exercises'
import { netRelayMethods, type NetRelayEvents } from './net-relay'
import type { MethodSpec } from './spec'
import { runMethods, type RunEvents } from './runs'
import { netWorkbenchMethods, type NetWorkbenchEvents } from './net-workbench'
import { netLogMethods } from './net-log'
import { netSessionMethods } from './net-session'
import { netUdpSendMethods } from './net-udp-send'

export const methodSpecs = {
  ...labMethods,
  ...netMethods,
  ...procMethods,
  ...netClientMethods,
  ...netExperimentMethods,
  ...osMethods,
  ...historyMethods,
  ...pythonMethods,
  ...learnerMethods,
  ...exerciseMethods,
  ...netRelayMethods,
  ...runMethods,
  ...netWorkbenchMethods,
  ...netLogMethods,
  ...netSessionMethods,
  ...netUdpSendMethods,
} as const

export type MethodName = keyof typeof methodSpecs
export type Input<M extends MethodName> = Infer<(typeof methodSpecs)[M]['input']>
export type Output<M extends MethodName> = (typeof methodSpecs)[M] extends MethodSpec<unknown, infer O> ? O : never
export type Methods = { [M in MethodName]: { input: Input<M>; output: Output<M> } }

export const methodNames = Object.keys(methodSpecs) as MethodName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodSpecs, name)
}

export interface Events extends LabEvents, NetEvents, ProcEvents, NetClientEvents, OsEvents, HistoryEvents, PythonEvents, LearnerEvents, ExerciseEvents, NetRelayEvents, RunEvents, NetWorkbenchEvents {}
export type Topic = keyof Events
export type LabEvent = { [T in Topic]: { topic: T; payload: Events[T] } }[Topic]

/** The Electron IPC channel for a method: named here only, used by main and preload. */
export const ipcChannel = (method: MethodName): string => `lab:${method}`
export const IPC_EVENTS_CHANNEL = 'lab:events'

/** What a client of the engine holds, whatever the door. */
export interface LabCaller {
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>>
}

export * from './lab'
export * from './net'
export * from './proc'
export * from './net-clients'
export * from './net-experiments'
export * from './os'
export * from './history'
export * from './python'
export * from './learner'
export * from './exercises'
export * from './net-relay'
export * from './runs'
export * from './net-workbench'
export * from './net-log'
export * from './net-session'
export type { MethodSpec } from './spec'
export * from './net-udp-send'
