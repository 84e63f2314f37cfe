import os from 'node:os'
import path from 'node:path'
import type { procMethods } from '../../../shared/contract/proc'
import type { LabContext, LabDomain } from '../context'
import { LabError } from '../errors'
import { procComparePlan } from '../../../shared/run-estimate'
import { compareModes, parseOrThrow, runTasks, type RunnerDeps } from './runner'
import { schedule } from './scheduler'
import { listPools, type WorkerPool } from './worker-pool'

type ProcMethod = keyof typeof procMethods

/** The process lab's pool runs: one run (or comparison) at a time, each on a fresh pool. */
export function createProcLab(ctx: LabContext): LabDomain<ProcMethod> {
  let busy = false
  let stopRequested = false
  let closed = false
  let current: WorkerPool | null = null
  let nextRun = 1
  const runIds = new Set<string>()
  const deps: RunnerDeps = {
    entry: path.join(ctx.workersDir, 'pool-child.js'),
    cpus: os.availableParallelism(),
    emit: (p) => ctx.emit('proc.progress', p),
    onPool: (pool) => {
      current = pool
      if (pool && (stopRequested || closed)) void pool.close()
    },
  }
  const runId = () => {
    const id = `run-${nextRun++}`
    runIds.add(id)
    return id
  }
  // Every pool this domain started, including one still starting (listPools has it from the start).
  const ownPools = () => listPools().filter((p) => runIds.has(p.poolId))

  async function exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (closed) throw new LabError('ERR_BAD_STATE', 'the lab is shutting down')
    if (busy) throw new LabError('ERR_BAD_STATE', 'a run is already in progress; wait for it or stop it')
    busy = true
    stopRequested = false
    try {
      return await work()
    } finally {
      busy = false
    }
  }

  return {
    handlers: {
      'proc.run': (input) => exclusive(() => runTasks(deps, input, runId())),
      'proc.compare': ({ runId: requested, ...input }) =>
        exclusive(() =>
          ctx.runs.track('proc.compare', requested, procComparePlan(parseOrThrow(input.tasks), deps.cpus, input.workers), (run) => {
            // Cancel = the Stop that already exists (the pool closes), but the finished modes are returned.
            const cancel = () => {
              stopRequested = true
              void current?.close()
            }
            run.signal.addEventListener('abort', cancel, { once: true })
            let finished = 0
            const counted: RunnerDeps = {
              ...deps,
              emit: (p) => {
                deps.emit(p)
                if (p.event === 'task-finished') run.progress(++finished)
              },
            }
            return compareModes(counted, input, runId, () => stopRequested, run.cancelled).finally(() => run.signal.removeEventListener('abort', cancel))
          }),
        ),
      'proc.stop': async () => {
        if (!busy) return { stopped: false }
        stopRequested = true
        await current?.close()
        return { stopped: true }
      },
      'sim.schedule': (input) => schedule(input),
      'proc.pool.status': () => {
        const pools = listPools()
        return { pools: pools.map((p) => p.status()), children: pools.flatMap((p) => p.children()) }
      },
    },
    async close() {
      closed = true
      stopRequested = true
      await Promise.all([current, ...ownPools()].map((p) => p?.close()))
    },
  }
}
