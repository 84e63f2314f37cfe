import { MAX_DEADLINE_MS, MAX_QUEUE_LIMIT, MAX_WORKERS, MIN_DEADLINE_MS, RUN_MODES, type ProcProgress, type RunMode, type RunResult } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command, type OptionValues } from '../command'
import { parseIntOption, usageError, type CliIo } from '../io'
import { DisposableStore } from '../../../shared/disposable'
import { MAX_TASK_MS, MAX_TASKS, MAX_TOTAL_MS } from '../../../shared/task-spec'

export const TASKS_HELP = `  --tasks SPEC  the task set, items separated by commas, "*N" repeats an item:
                 cpu:400ms        compute until 400 ms of CPU time is used
                 io:200ms         wait 200 ms on a timer, using almost no CPU
                 io:200ms@socket  wait on a TCP socket for a local server that answers after 200 ms
                 mixed:100/200    compute 100 ms, then wait 200 ms
                 crash:3, hang    test/teaching tasks: the child exits with code 3, or stops
                                  answering until its deadline (hang:noterm also ignores SIGTERM)
               at most ${MAX_TASKS} tasks, ${MAX_TASK_MS / 1000} s per task, ${MAX_TOTAL_MS / 1000} s in all; e.g. "cpu:400ms*4,io:200ms*8"`

/** The options `run` and `compare` share: tasks, workers and deadline, checked as usage errors. */
export function taskOptions(values: OptionValues): { tasks: string; workers?: number; deadlineMs?: number } {
  const tasks = values.tasks
  if (typeof tasks !== 'string' || tasks.trim() === '') throw usageError('--tasks is required, e.g. --tasks "cpu:400ms*4,io:200ms*8"', { option: 'tasks' })
  const out: { tasks: string; workers?: number; deadlineMs?: number } = { tasks }
  const workers = parseIntOption(values.workers as string | undefined, 'workers', 1, MAX_WORKERS)
  const deadlineMs = parseIntOption(values.deadline as string | undefined, 'deadline', MIN_DEADLINE_MS, MAX_DEADLINE_MS)
  if (workers !== undefined) out.workers = workers
  if (deadlineMs !== undefined) out.deadlineMs = deadlineMs
  return out
}

/** Runs `work` on a fresh CLI engine; Ctrl-C stops the run (its children end) instead of orphaning them. */
export async function withLab<T>(
  io: CliIo,
  onEvent: ((p: ProcProgress) => void) | null,
  work: (lab: Lab) => Promise<T>,
  /** false when `work` cancels its own run on Ctrl-C (long-run.ts) and keeps what finished. */
  stopOnSignal = true,
): Promise<T> {
  const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
  const owned = new DisposableStore()
  if (onEvent) owned.add(lab.onEvent((ev) => ev.topic === 'proc.progress' && onEvent(ev.payload)))
  let finished = false
  void io.untilStopped().then(() => {
    if (!finished && stopOnSignal) void lab.call('proc.stop', {})
  })
  try {
    return await work(lab)
  } finally {
    finished = true
    await lab.close()
    owned.dispose()
  }
}

const num = (x: number, digits = 1) => x.toFixed(digits)

/** A readable table of one run, for people. */
export function runTable(r: RunResult): string[] {
  const pin = r.pinned.ok ? `pinned to CPU ${r.pinned.cpu} (${r.pinned.method})` : `not pinned: ${r.pinned.reason}`
  const lines = [
    `${r.mode}: ${r.tasks.length} tasks on ${r.workers} child process${r.workers === 1 ? '' : 'es'} · wall ${num(r.wallMs)} ms · CPU ${num(r.cpuMsTotal)} ms · utilisation ${num(r.utilisation * 100)} % of ${r.cpusUsable} CPU${r.cpusUsable === 1 ? '' : 's'} (machine: ${r.cpus}) · ${pin}`,
    `  ${'id'.padStart(3)}  ${'task'.padEnd(18)} ${'pid'.padStart(7)} ${'cpu'.padStart(3)} ${'start'.padStart(8)} ${'end'.padStart(8)} ${'wall'.padStart(8)} ${'cpu ms'.padStart(8)} ${'vol'.padStart(5)} ${'invol'.padStart(6)} ${'rq ms'.padStart(8)}  result`,
  ]
  const opt = (v: number | undefined, digits?: number) => (v === undefined ? '-' : digits === undefined ? String(v) : num(v, digits))
  for (const t of r.tasks) {
    lines.push(
      `  ${String(t.id).padStart(3)}  ${t.spec.padEnd(18)} ${String(t.pid ?? '-').padStart(7)} ${String(t.cpu ?? '-').padStart(3)} ${num(t.startMs).padStart(8)} ${num(t.endMs).padStart(8)} ${num(t.wallMs).padStart(8)} ${num(t.cpuMs).padStart(8)} ${opt(t.voluntarySwitches).padStart(5)} ${opt(t.involuntarySwitches).padStart(6)} ${opt(t.runQueueWaitMs, 1).padStart(8)}  ${t.ok ? 'ok' : `${t.error?.code}: ${t.error?.message}`}`,
    )
  }
  const missing = r.tasks.find((t) => t.ok && t.countersMissing)?.countersMissing
  if (missing) lines.push(`  switch counts and run-queue wait (vol, invol, rq ms) are missing: ${missing.message}`)
  if (r.sampling?.ok) lines.push(`  CPU slices sampled every ${r.sampling.intervalMs} ms (${r.sampling.ticks} samples); the sampler used ${num(r.sampling.samplerCpuMs, 2)} ms CPU = ${num(r.sampling.samplerShare * 100, 2)} % of one CPU`)
  else if (r.sampling) lines.push(`  CPU slices not sampled: ${r.sampling.error.message}`)
  return lines
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run tasks on a pool of child processes: serial, concurrent or parallel',
  help: `lab run --tasks SPEC --mode serial|concurrent|parallel [--workers N] [--deadline MS] [--queue-limit N] [--events] [--json]

Runs the tasks on real child processes and prints, per task, its PID, the CPU it last ran
on, start and end (ms since the run started), wall time and the CPU time the OS counted.
  serial       one child runs the tasks one after another
  concurrent   one child per task, all at once, every child pinned to ONE CPU (taskset on Linux)
  parallel     N children (default: one per CPU) on every CPU

${TASKS_HELP}
  --mode M      serial, concurrent or parallel
  --workers N   children for parallel mode (default: the number of CPUs)
  --deadline MS each task's deadline once a child has it (default: generous, from the budgets)
  --queue-limit N  how many tasks may wait for a free child (default ${MAX_QUEUE_LIMIT}); the rest
                fail with ERR_QUEUE_FULL
  --events      also print progress as it happens (pool-ready with the PIDs, task-started, …)
  --json        print {"mode":…,"wallMs":…,"cpus":…,"pinned":…,"sampling":…,"tasks":[{"id":…,"kind":…,
                "pid":…,"cpu":…,"startMs":…,"endMs":…,"cpuMs":…,"wallMs":…,"ok":…,"ran":[[start,end],…],
                "voluntarySwitches":…,"involuntarySwitches":…,"runQueueWaitMs":…,"cpus":[…]}]};
                with --events, each event first as {"event":…} on its own line

vol / invol are the task thread's voluntary (it blocked) and involuntary (the OS took the CPU)
context switches, rq ms the time it was runnable but waited for a CPU: Linux /proc, this task
only; elsewhere they are absent and the table says why.

Exits 0 when every task succeeded, 1 when one failed (crashed, timed out), 2 on bad usage.`,
  options: {
    tasks: { type: 'string' },
    mode: { type: 'string' },
    workers: { type: 'string' },
    deadline: { type: 'string' },
    'queue-limit': { type: 'string' },
    events: { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run({ values, io }) {
    const json = values.json === true
    const mode = values.mode
    if (typeof mode !== 'string' || !(RUN_MODES as readonly string[]).includes(mode)) {
      throw usageError(`--mode must be one of ${RUN_MODES.join(', ')}${typeof mode === 'string' ? `, got ${JSON.stringify(mode)}` : ''}`, { option: 'mode' })
    }
    const options = taskOptions(values)
    const queueLimit = parseIntOption(values['queue-limit'] as string | undefined, 'queue-limit', 0, MAX_QUEUE_LIMIT)
    const onEvent = values.events === true ? (p: ProcProgress) => io.out(json ? JSON.stringify(p) : describeProgress(p)) : null
    const input = { ...options, mode: mode as RunMode, ...(queueLimit === undefined ? {} : { queueLimit }) }
    const result = await withLab(io, onEvent, (lab) => lab.invoke('proc.run', input))
    if (json) io.out(JSON.stringify(result))
    else for (const line of runTable(result)) io.out(line)
    return result.tasks.every((t) => t.ok) ? 0 : 1
  },
}

export function describeProgress(p: ProcProgress): string {
  switch (p.event) {
    case 'pool-ready':
      return `[${p.mode}] ${p.workers} children ready in ${num(p.startupMs)} ms (PIDs ${p.pids.join(', ')})${p.pinned.ok ? `, pinned to CPU ${p.pinned.cpu}` : ''}`
    case 'task-started':
      return `[${p.mode}] ${num(p.startMs).padStart(8)} ms  task ${p.taskId} started in PID ${p.pid}`
    case 'task-finished':
      return `[${p.mode}] ${num(p.task.endMs).padStart(8)} ms  task ${p.task.id} ${p.task.ok ? `finished (${num(p.task.cpuMs)} ms CPU)` : `failed: ${p.task.error?.code}`}`
    case 'child-replaced':
      return `[${p.mode}] child ${p.oldPid} replaced by ${p.newPid} (${p.reason})`
    case 'run-finished':
      return `[${p.mode}] done in ${num(p.wallMs)} ms`
  }
}
