import { array, object, oneOf, optional, port, string } from '../schema'
import { DEFAULT_PORT } from './net'
import { method } from './spec'

/**
 * The lab's own Python programs. The page sends only one of these ids: the engine runs the
 * matching file from its fixed registry (`shared/python/`), never code sent by the page.
 */
export const PYTHON_PROGRAM_IDS = [
  'tcp_server_loops',
  'tcp_server_serial',
  'tcp_server_threading',
  'tcp_server_forking',
  'tcp_client',
  'udp_server',
  'udp_client',
  'sticky_server',
  'sticky_client',
  'framed_server',
  'framed_client',
  'thread_race',
] as const
export type PythonProgramId = (typeof PYTHON_PROGRAM_IDS)[number]

export interface PythonLine {
  at: number
  stream: 'stdout' | 'stderr'
  text: string
}

/** A Python program the lab started as a peer. */
export interface PythonPeer {
  id: string
  program: PythonProgramId
  pid: number | null
  /** The port it listens on (servers; the real one when 0 was asked) or connects to (clients). */
  port: number
  state: 'running' | 'exited'
  startedAt: number
  exitCode: number | null
  signal: string | null
  /** The newest lines it printed (bounded). */
  output: PythonLine[]
}

/** Lines kept per peer; older ones are dropped. */
export const PYTHON_OUTPUT_LINES = 200
/** Peers running at once. */
export const PYTHON_MAX_RUNNING = 6

export const pythonMethods = {
  /** Starts `python3 <program>.py <port> [messages…]` (argument array, no shell). Servers resolve once listening. */
  'python.run': method<PythonPeer>()(
    object({
      program: oneOf(PYTHON_PROGRAM_IDS),
      port: optional(port(), DEFAULT_PORT),
      messages: optional(array(string({ min: 1, max: 200 }), { max: 8 })),
    }),
  ),
  'python.stop': method<PythonPeer>()(object({ id: string({ min: 1, max: 64 }) })),
  'python.list': method<PythonPeer[]>()(object({})),
}

export interface PythonEvents {
  'python.output': { id: string; at: number; stream: 'stdout' | 'stderr'; text: string }
  'python.exit': { id: string; at: number; exitCode: number | null; signal: string | null }
}
