import type { CounterResult } from '../../../shared/contract'
import { COUNTER_MAX_INCREMENTS, COUNTER_MAX_WORKERS, methodSpecs } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, parseIntOption, usageError } from '../io'

/** The contract's fields: the limits and the defaults below are read from them. */
const COUNTER = methodSpecs['proc.counter.run'].input.shape

export function counterText(r: CounterResult): string[] {
  if (r.kind === 'threads') {
    const pct = r.expected ? ((100 * r.lost) / r.expected).toFixed(1) : '0.0'
    return [
      `${r.n} thread${r.n === 1 ? '' : 's'} × ${r.increments} increments of ONE shared counter (${r.atomic ? 'Atomics.add' : 'read, add 1, write back: not atomic'})`,
      `expected ${r.expected}, final ${r.final}, lost ${r.lost} (${pct} %) in ${r.elapsedMs} ms`,
      ...r.perWorker.map((w) => `  thread ${w.tid ?? '?'} of pid ${w.pid}: ${w.increments} increments, the counter read ${w.final} after its last write`),
    ]
  }
  return [
    `${r.n} process${r.n === 1 ? '' : 'es'} × ${r.increments} increments of "the same" counter (each its own memory)`,
    `the parent's counter is still ${r.final} (${r.expected} if the memory were shared) after ${r.elapsedMs} ms`,
    ...r.perWorker.map((w) => `  child pid ${w.pid}: its own counter reached ${w.final}`),
  ]
}

export const counterCommand: Command = {
  name: 'counter',
  summary: 'threads vs processes: N of them increment one counter',
  help: `lab counter --threads N | --processes N [--increments K] [--atomic] [--hold MS] [--json]

  --threads N      N worker threads increment ONE counter in shared memory. Without --atomic
                   each increment is read, add 1, write back: two threads that read the same
                   value both write value+1, and one update is lost. The result counts them.
  --processes N    N child processes run the same increment on "the same" counter, but each in
                   its own memory: the parent's counter stays 0.
  --increments K   increments per thread or process (default ${COUNTER.increments.default}, at most ${COUNTER_MAX_INCREMENTS})
  --atomic         threads use Atomics.add: no update is lost
  --hold MS        keep the threads/processes alive MS after counting (to see them in lab tree)
  --json           print {"kind":…,"n":…,"increments":…,"expected":…,"final":…,"lost":…,
                   "atomic":…,"perWorker":[{"pid":…,"tid":…,"final":…,"increments":…}],"elapsedMs":…}

N is 1 to ${COUNTER_MAX_WORKERS}. How many updates are lost depends on timing: with one CPU, or
few increments, it may be 0.`,
  options: { threads: { type: 'string' }, processes: { type: 'string' }, increments: { type: 'string' }, atomic: { type: 'boolean' }, hold: { type: 'string' }, ...JSON_OPTION },
  async run({ values, io }) {
    const threads = parseIntOption(values.threads as string | undefined, 'threads', 1, COUNTER_MAX_WORKERS)
    const processes = parseIntOption(values.processes as string | undefined, 'processes', 1, COUNTER_MAX_WORKERS)
    if ((threads === undefined) === (processes === undefined)) throw usageError('give exactly one of --threads N or --processes N', { option: 'threads' })
    if (processes !== undefined && values.atomic === true) throw usageError('--atomic applies to --threads only: processes share no memory', { option: 'atomic' })
    const increments = intOption(values.increments as string | undefined, 'increments', COUNTER.increments)
    const holdMs = intOption(values.hold as string | undefined, 'hold', COUNTER.holdMs)
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const r = await lab.invoke('proc.counter.run', {
        kind: threads !== undefined ? 'threads' : 'processes',
        n: (threads ?? processes)!,
        ...(increments === undefined ? {} : { increments }),
        ...(values.atomic === true ? { atomic: true } : {}),
        ...(holdMs === undefined ? {} : { holdMs }),
      })
      if (values.json === true) io.out(JSON.stringify(r))
      else for (const line of counterText(r)) io.out(line)
    } finally {
      await lab.close()
    }
    return 0
  },
}
