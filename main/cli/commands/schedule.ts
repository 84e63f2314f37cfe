import { methodSpecs, SCHED_LIST_PATTERN, SCHED_MAX_JOBS, SCHED_MAX_LENGTH, SCHED_POLICIES, type SchedInput, type SchedPolicy } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { formatSchedule } from '../../lab/proc/scheduler'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, usageError } from '../io'

/** The contract's fields: the limits and the defaults (scheduler.py's own) below are read from them. */
const SCHED = methodSpecs['sim.schedule'].input.shape

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'a SIMULATION of FIFO, SJF and RR scheduling (OSTEP scheduler.py)',
  help: `lab schedule --policy FIFO|SJF|RR [--list 5,3,8 | --jobs N --seed S --maxlen M] [--quantum Q] [--json]

A simulation, not a measurement: jobs of given lengths, all arriving at time 0, scheduled
with the rules of OSTEP's cpu-sched/scheduler.py. The text output is exactly what
\`scheduler.py -c\` prints for the same arguments (-p, -l, -j, -s, -m, -q).

  --policy P    FIFO (in order), SJF (shortest job first) or RR (round robin)
  --list L      job lengths, comma-separated (scheduler.py -l), at most ${SCHED_MAX_JOBS}, each ≤ ${SCHED_MAX_LENGTH}
  --jobs N      otherwise N random jobs (-j, default ${SCHED.jobs.default}) …
  --seed S      … drawn with Python's random.seed(S) (-s, default ${SCHED.seed.default}) …
  --maxlen M    … each 1 to M long (-m, default ${SCHED.maxlen.default})
  --quantum Q   RR's time slice (-q, default ${SCHED.quantum.default})
  --json        print {"simulation":true,"policy":…,"jobs":[…],"runs":[{"job":…,"start":…,"length":…,
                "done":…}],"stats":[{"job":…,"response":…,"turnaround":…,"wait":…}],"average":{…}}`,
  options: { policy: { type: 'string' }, list: { type: 'string' }, jobs: { type: 'string' }, seed: { type: 'string' }, maxlen: { type: 'string' }, quantum: { type: 'string' }, ...JSON_OPTION },
  async run({ values, io }) {
    const policy = values.policy
    if (typeof policy !== 'string' || !(SCHED_POLICIES as readonly string[]).includes(policy))
      throw usageError(`--policy must be one of ${SCHED_POLICIES.join(', ')}${typeof policy === 'string' ? `, got ${JSON.stringify(policy)}` : ''}`, { option: 'policy' })
    const list = values.list as string | undefined
    const jobs = intOption(values.jobs as string | undefined, 'jobs', SCHED.jobs)
    const seed = intOption(values.seed as string | undefined, 'seed', SCHED.seed)
    const maxlen = intOption(values.maxlen as string | undefined, 'maxlen', SCHED.maxlen)
    const quantum = intOption(values.quantum as string | undefined, 'quantum', SCHED.quantum)
    if (list !== undefined && (jobs !== undefined || seed !== undefined || maxlen !== undefined)) throw usageError('give either --list or --jobs/--seed/--maxlen, not both', { option: 'list' })
    if (list !== undefined && !SCHED_LIST_PATTERN.test(list)) throw usageError(`--list must look like 5,3,8 (at most ${SCHED_MAX_JOBS} plain numbers), got ${JSON.stringify(list)}`, { option: 'list' })
    const input: SchedInput = { policy: policy as SchedPolicy }
    if (list !== undefined) input.list = list
    if (jobs !== undefined) input.jobs = jobs
    if (seed !== undefined) input.seed = seed
    if (maxlen !== undefined) input.maxlen = maxlen
    if (quantum !== undefined) input.quantum = quantum
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const r = await lab.invoke('sim.schedule', input)
      if (values.json === true) io.out(JSON.stringify(r))
      else io.out(formatSchedule(r).replace(/\n$/, ''))
    } finally {
      await lab.close()
    }
    return 0
  },
}
