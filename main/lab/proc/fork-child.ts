/**
 * The one way the engine starts a child process (docs/SECURITY.md item 34). Every fork runs one
 * of our own entry files with an argument array (no shell) and gets:
 * - `execArgv: []`: a child must not inherit the parent's Node flags. Without it, `npm run dev`,
 *   a debugger or a test runner started with `--inspect` hands the flag to every child, which then
 *   fails to bind the same inspector port or waits for a debugger; and in the packaged app the
 *   children would be started with whatever flags Electron's main process had.
 * - the parent-guard environment, so the child exits when the lab is gone (item 24);
 * - JSON serialisation: messages are plain data, the same on every Node version.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process'
import { childEnv } from './parent-guard'

/**
 * What a `lean` child (a forking server's connection process and its guard: one start per
 * connection, so its start-up is the mode's cost, issue 9) is not given of the lab's environment:
 * - NODE_EXTRA_CA_CERTS: Node 20 reads and parses every certificate of that file as it starts,
 *   before any code runs (Node 24 only when TLS is first used). Set to a system bundle (as on this
 *   project's machines) it cost each child ~50 ms of CPU of ~90 (measured, /proc and wait4); a
 *   connection process never opens a TLS connection.
 * - NODE_OPTIONS: the environment's form of the Node flags `execArgv: []` keeps from children;
 *   a `--require` there would be loaded by every connection process.
 */
export const LEAN_CHILD_DROPS = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'] as const

export interface ForkOptions {
  stdio: StdioOptions
  /** Started once per connection: leave out what only slows its start-up (LEAN_CHILD_DROPS). */
  lean?: boolean
  /**
   * V8 flags of our own (never inherited ones) that a child needs to measure what it is meant to;
   * e.g. the process pool's (worker-pool.ts, POOL_CHILD_V8_FLAGS).
   */
  v8Flags?: readonly string[]
}

export function forkLabChild(entry: string, options: ForkOptions): ChildProcess {
  const env = childEnv()
  if (options.lean) for (const name of LEAN_CHILD_DROPS) delete env[name]
  return fork(entry, [], { env, execArgv: [...(options.v8Flags ?? [])], stdio: options.stdio, serialization: 'json' })
}
