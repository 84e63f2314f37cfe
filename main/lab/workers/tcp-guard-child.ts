/**
 * One per forking server (Linux): kills the server's connection processes if the lab dies.
 *
 * A connection process runs the course's blocking loop: it sits in `recv` and runs no event loop, so
 * it cannot watch the lab itself the way every other lab child does (parent-guard.ts). If the lab is
 * killed (`kill -9`), this process notices (its IPC channel closes, or its parent changes) and
 * SIGKILLs every connection process the lab told it about, then exits. Python's ForkingTCPServer
 * children get the same from lab_peer.py, which kills its process group.
 */
import { labParentPid, parentGone } from '../proc/parent-guard'

const pids = new Set<number>()

function killAll(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  process.exit(0)
}

process.on('message', (m: { add?: number; remove?: number }) => {
  if (typeof m.add === 'number') pids.add(m.add)
  if (typeof m.remove === 'number') pids.delete(m.remove)
})
// The same two checks as watchParent(), which only exits: this one must kill first.
const parentPid = labParentPid()
process.on('disconnect', killAll)
setInterval(() => parentGone(parentPid) && killAll(), 250)
if (parentGone(parentPid)) killAll()
process.send!({ type: 'ready' })
