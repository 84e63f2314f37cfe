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

export function forkLabChild(entry: string, options: { stdio: StdioOptions }): ChildProcess {
  return fork(entry, [], { env: childEnv(), execArgv: [], stdio: options.stdio, serialization: 'json' })
}
