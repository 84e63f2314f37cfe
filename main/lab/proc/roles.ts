/**
 * Which processes and threads the lab itself created, and what for. The OS cannot tell us:
 * Node 20 names every thread "node" and cannot rename a thread, and a forked child's command
 * line only says which entry file it runs. So whoever starts a child process or a worker
 * thread records it here, and the process tree labels it.
 *
 *   // a worker thread reports its own TID (Linux: readlink('/proc/thread-self') → "PID/task/TID")
 *   const unregister = registerThread(tid, 'connection', 'connection #3')
 *   …
 *   unregister() // when the thread exits (a TID can be reused afterwards)
 *
 *   registerProcess(child.pid, 'pool', 'pool child 2')
 *
 * One registry per engine process (module state): the tree sampler reads it on every sample.
 */
import { readlinkSync } from 'node:fs'
import type { ProcessRole, ThreadRole } from '../../../shared/contract/os'

export interface RoleEntry<R> {
  role: R
  label?: string
}

const processes = new Map<number, RoleEntry<ProcessRole>>()
const threads = new Map<number, RoleEntry<ThreadRole>>()

function register<R>(map: Map<number, RoleEntry<R>>, id: number, role: R, label?: string): () => void {
  if (!Number.isInteger(id) || id <= 0) return () => {}
  const entry: RoleEntry<R> = label === undefined ? { role } : { role, label }
  map.set(id, entry)
  // Only remove our own entry: the id may have been reused and registered again since.
  return () => {
    if (map.get(id) === entry) map.delete(id)
  }
}

/** Labels a process the lab started. Returns the function that removes the label (call it on exit). */
export function registerProcess(pid: number | undefined, role: ProcessRole, label?: string): () => void {
  return register(processes, pid ?? 0, role, label)
}

/** Labels a thread the lab started, by its OS thread id. Returns the function that removes the label. */
export function registerThread(tid: number | null | undefined, role: ThreadRole, label?: string): () => void {
  return register(threads, tid ?? 0, role, label)
}

export function processRole(pid: number): RoleEntry<ProcessRole> | undefined {
  return processes.get(pid)
}

export function threadRole(tid: number): RoleEntry<ThreadRole> | undefined {
  return threads.get(tid)
}

/**
 * The calling thread's OS thread id, or null where the OS does not expose it this way
 * (only Linux has /proc/thread-self). Call it INSIDE a worker thread and post the result
 * to the parent, which registers it.
 */
export function currentThreadId(): number | null {
  if (process.platform !== 'linux') return null
  try {
    const match = /task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** For tests: forget every label. */
export function clearRoles(): void {
  processes.clear()
  threads.clear()
}
