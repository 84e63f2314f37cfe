import os from 'node:os'
import type { CompareResult, ProcProgress } from '../../../shared/contract'
import { procComparePlan, planMs } from '../../../shared/run-estimate'
import { parseTaskSpec } from '../../../shared/task-spec'
import { JSON_OPTION, type Command } from '../command'
import { CANCELLED_EXIT, cancellable, cancelledLine } from '../long-run'
import { describeProgress, runTable, taskOptions, TASKS_HELP, withLab } from './run'

/** The comparison as a table for people: one row per mode, measured against ideal. */
export function compareTable(c: CompareResult): string[] {
  const head = `${'mode'.padEnd(11)} ${'children'.padStart(8)} ${'wall ms'.padStart(9)} ${'CPU ms'.padStart(9)} ${'util %'.padStart(7)} ${'speedup'.padStart(8)} ${'ideal ms'.padStart(9)} ${'ideal ×'.padStart(8)}  pinned`
  const rows = c.runs.map((r) => {
    const speedup = (r.mode === 'serial' ? 1 : c.speedup[r.mode]) ?? Number.NaN
    const idealSpeedup = r.mode === 'serial' ? 1 : c.ideal.speedup[r.mode]
    const pinned = r.mode !== 'concurrent' ? '-' : r.pinned.ok ? `CPU ${r.pinned.cpu}` : `no (${r.pinned.reason})`
    return `${r.mode.padEnd(11)} ${String(r.workers).padStart(8)} ${r.wallMs.toFixed(1).padStart(9)} ${r.cpuMsTotal.toFixed(1).padStart(9)} ${(r.utilisation * 100).toFixed(1).padStart(7)} ${speedup.toFixed(2).padStart(8)} ${c.ideal.wallMs[r.mode].toFixed(1).padStart(9)} ${idealSpeedup.toFixed(2).padStart(8)}  ${pinned}`
  })
  const failed = c.runs.flatMap((r) => r.tasks.filter((t) => !t.ok).map((t) => `  ${r.mode} task ${t.id} (${t.spec}): ${t.error?.code}: ${t.error?.message}`))
  return [head, ...rows, ...(failed.length ? ['failed tasks:', ...failed] : []), ...(c.cancelled ? [cancelledLine(c.cancelled, 'tasks')] : [])]
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'run the same tasks serial, concurrent (one CPU) and parallel, and compare',
  help: `lab compare --tasks SPEC [--workers N] [--deadline MS] [--verbose] [--events] [--json]

Runs the task set three times on fresh pools of real child processes — serial, concurrent
(one child per task, all pinned to one CPU) and parallel (one child per CPU) — and prints
wall time, total CPU time, CPU utilisation, speedup against serial and against the ideal.

${TASKS_HELP}
  --workers N   children for the parallel run (default: the number of CPUs)
  --deadline MS each task's deadline once a child has it
  --verbose     also print every run's per-task table
  --events      also print progress as it happens
  --json        print {"runs":[serial, concurrent, parallel],"speedup":{…},"ideal":{…}};
                each run as \`lab run --json\` prints it

Ctrl-C cancels: the modes that finished are printed (with --json, "cancelled" says how far it got).
Exits 0 when every task succeeded, 1 when one failed, 2 on bad usage, 130 when cancelled.`,
  options: { tasks: { type: 'string' }, workers: { type: 'string' }, deadline: { type: 'string' }, verbose: { type: 'boolean' }, events: { type: 'boolean' }, ...JSON_OPTION },
  async run({ values, io }) {
    const json = values.json === true
    const options = taskOptions(values)
    const onEvent = values.events === true ? (p: ProcProgress) => io.out(json ? JSON.stringify(p) : describeProgress(p)) : null
    const parsed = parseTaskSpec(options.tasks)
    const estimate = parsed.ok ? planMs(procComparePlan(parsed.tasks, os.availableParallelism(), options.workers)) : 0
    const result = await withLab(io, onEvent, (lab) => cancellable(io, lab, estimate, json, (runId) => lab.invoke('proc.compare', { ...options, runId })), false)
    if (json) io.out(JSON.stringify(result))
    else {
      if (values.verbose === true) for (const r of result.runs) io.out([...runTable(r), ''].join('\n'))
      for (const line of compareTable(result)) io.out(line)
    }
    if (result.cancelled) return CANCELLED_EXIT
    return result.runs.every((r) => r.tasks.every((t) => t.ok)) ? 0 : 1
  },
}
