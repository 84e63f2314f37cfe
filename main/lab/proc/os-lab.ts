/**
 * The OS part of the process lab: the process/thread tree (one-off and watched), any PID,
 * the lab's sockets as the kernel sees them, the threads-vs-processes counter, and the
 * multiprogramming simulator.
 */
import { osMethods, type OsTree, type OsTreeSnapshot, type OsWatchInfo } from '../../../shared/contract/os'
import type { LabContext, LabDomain } from '../context'
import { LabError, toErrorData } from '../errors'
// Past OS_MAX_WATCHES watches the oldest is ended to make room: a browser tab that reloads or
// closes cannot always stop its watch, and such leftovers must not lock the tree out.
import { OS_MAX_WATCHES } from '../../../shared/budgets'
import { CounterLab } from './counter'
import { ProcessTree } from './process-tree'
import { SocketTable } from '../net/socket-table'
import { simulate } from './simulator'

type OsMethod = keyof typeof osMethods

/** Watches of the same root sampled within this long share one sample. */
const SHARE_MS = 100

interface Watch {
  id: string
  intervalMs: number
  rootPid: number | undefined
  timer: NodeJS.Timeout | null
  seq: number
  pids: Set<number>
  tids: Set<number>
  busy: boolean
}

export function createOsLab(ctx: LabContext, tree = new ProcessTree(), sockets = new SocketTable()): LabDomain<OsMethod> {
  const counter = new CounterLab(ctx.workersDir)
  const watches = new Map<string, Watch>()
  let nextWatch = 1
  const recent = new Map<number | undefined, { at: number; tree: Promise<OsTree> }>()

  /** One OS sample per root per SHARE_MS, however many watches ask. */
  const sampleRoot = (rootPid: number | undefined): Promise<OsTree> => {
    const now = Date.now()
    const hit = recent.get(rootPid)
    if (hit && now - hit.at < SHARE_MS) return hit.tree
    const tree$ = tree.tree(rootPid)
    recent.set(rootPid, { at: now, tree: tree$ })
    tree$.catch(() => recent.delete(rootPid))
    return tree$
  }

  const snapshot = (w: Watch, t: OsTree): OsTreeSnapshot => {
    const pids = new Set(t.processes.map((p) => p.pid))
    const tids = new Set(t.processes.flatMap((p) => p.threads.map((th) => th.tid)))
    const first = w.seq === 0
    const snap: OsTreeSnapshot = {
      ...t,
      watchId: w.id,
      at: Date.now(),
      seq: ++w.seq,
      added: [...pids].filter((pid) => first || !w.pids.has(pid)),
      exited: [...w.pids].filter((pid) => !pids.has(pid)),
      addedThreads: [...tids].filter((tid) => first || !w.tids.has(tid)),
      exitedThreads: [...w.tids].filter((tid) => !tids.has(tid)),
    }
    w.pids = pids
    w.tids = tids
    return snap
  }

  const sample = async (w: Watch): Promise<void> => {
    if (w.busy) return // a slow sample (PowerShell) is never overlapped by the next
    w.busy = true
    try {
      const t = await sampleRoot(w.rootPid)
      if (watches.get(w.id) === w) ctx.emit('os.tree', snapshot(w, t))
    } catch (err) {
      if (toErrorData(err).code !== 'ERR_NOT_FOUND' || watches.get(w.id) !== w) return
      // The watched root exited: one last, empty snapshot says which PIDs went, then the watch ends.
      const empty: OsTree = { processes: [], rootPid: w.rootPid ?? tree.enginePid, enginePid: tree.enginePid, sampledAt: Date.now(), platform: process.platform, source: tree.source, sampleMs: 0, limits: [] }
      ctx.emit('os.tree', snapshot(w, empty))
      stopWatch(w.id)
    } finally {
      w.busy = false
    }
  }

  const stopWatch = (id: string): void => {
    const w = watches.get(id)
    if (!w) return
    if (w.timer) clearInterval(w.timer)
    watches.delete(id)
  }

  return {
    handlers: {
      'os.tree': (input) => tree.tree(input.pid),
      'os.process': (input) => tree.process(input.pid),
      'os.sockets': (input) => sockets.read(input.pid, input.all === true),
      'os.watch.start': async (input): Promise<OsWatchInfo> => {
        if (watches.size >= OS_MAX_WATCHES) stopWatch(watches.keys().next().value!)
        // Fail now, not in the first event, if the PID does not exist.
        if (input.pid !== undefined) await tree.process(input.pid)
        const w: Watch = {
          id: `watch-${nextWatch++}`,
          intervalMs: input.intervalMs ?? osMethods['os.watch.start'].input.shape.intervalMs.default,
          rootPid: input.pid,
          timer: null,
          seq: 0,
          pids: new Set(),
          tids: new Set(),
          busy: false,
        }
        watches.set(w.id, w)
        w.timer = setInterval(() => void sample(w), w.intervalMs)
        void sample(w)
        return { watchId: w.id, intervalMs: w.intervalMs, active: watches.size }
      },
      'os.watch.stop': (input) => {
        if (input.watchId === undefined) for (const id of [...watches.keys()]) stopWatch(id)
        else if (!watches.has(input.watchId)) throw new LabError('ERR_NOT_FOUND', `no tree watch with id ${input.watchId}`, { id: input.watchId })
        else stopWatch(input.watchId)
        return { active: watches.size }
      },
      'proc.counter.run': (input) => counter.run(input),
      'sim.run': (input) => simulate(input),
    },
    async close() {
      recent.clear()
      for (const id of [...watches.keys()]) stopWatch(id)
      await counter.close()
    },
  }
}
