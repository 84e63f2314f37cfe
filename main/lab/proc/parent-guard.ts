/**
 * Forked children never outlive the lab (docs/SECURITY.md item 24). The engine starts every child with
 * `childEnv()`, which names its own PID; the child calls `watchParent()` first thing.
 *
 * Why not just `process.ppid` at start-up and the 'disconnect' event: an ESM child loads its
 * modules asynchronously, so if the lab is killed (`kill -9`) during that window the child's
 * first look at `process.ppid` already sees its new parent (1, or a subreaper), and the IPC
 * 'disconnect' has fired before anyone listened. Comparing with the PID the lab wrote down,
 * and checking `process.connected`, closes that window.
 */
export const PARENT_PID_ENV = 'LAB_PARENT_PID'

/** The environment for a forked child: ours, plus the lab's PID. */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, [PARENT_PID_ENV]: String(process.pid) }
}

/** The PID of the lab that started this child (falls back to the current parent). */
export function labParentPid(): number {
  const named = Number(process.env[PARENT_PID_ENV])
  return Number.isInteger(named) && named > 0 ? named : process.ppid
}

/** True once the lab that started this child is gone. */
export function parentGone(parentPid = labParentPid()): boolean {
  return !process.connected || process.ppid !== parentPid
}

/** Exits now if the lab is already gone, and later when it goes. */
export function watchParent(intervalMs = 250): number {
  const parentPid = labParentPid()
  if (parentGone(parentPid)) process.exit(0)
  process.on('disconnect', () => process.exit(0))
  setInterval(() => {
    if (parentGone(parentPid)) process.exit(0)
  }, intervalMs).unref()
  return parentPid
}
