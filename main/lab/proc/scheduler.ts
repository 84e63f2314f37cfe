/**
 * A SIMULATION of CPU scheduling policies, a port of OSTEP's `cpu-sched/scheduler.py`
 * (Remzi and Andrea Arpaci-Dusseau, github.com/remzi-arpacidusseau/ostep-homework, commit
 * 6c6cfc7e). Nothing runs: jobs are lengths, all arriving at time 0; FIFO runs them in order,
 * SJF shortest first (a stable sort, as Python's `sorted`), RR one quantum at a time from a
 * FIFO run list. Random jobs are drawn as that program does — `random.seed(seed)`, then
 * `int(maxlen * random.random()) + 1` per job — with the same Mersenne Twister (PyRandom), so a
 * seed gives the same jobs. `formatSchedule` prints what `scheduler.py … -c` prints, character
 * for character (tests/unit/scheduler.test.ts against fixtures recorded with the original).
 */
import { procMethods, SCHED_LENGTH_PATTERN, SCHED_MAX_JOBS, SCHED_MAX_LENGTH, type SchedInput, type SchedJob, type SchedResult, type SchedRun } from '../../../shared/contract/proc'
import { LabError } from '../errors'
import { PyRandom, pyFixed2 } from './simulator'

/** What an absent field means: `sim.schedule`'s schema defaults (scheduler.py's own). */
const SCHED = procMethods['sim.schedule'].input.shape

const invalid = (message: string, option: string) => new LabError('ERR_INVALID_INPUT', message, { option })


/** Python's `str(float)` (repr): shortest round-trip digits, ".0" on whole numbers, exponent form below 1e-4 or from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16)) {
    const [mant, exp] = x.toExponential().split('e') as [string, string]
    const sign = exp.startsWith('-') ? '-' : '+'
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0')
    return `${mant}e${sign}${digits}`
  }
  return String(x)
}

/** Python's `'%3d' % x` for a float: int() truncates toward zero, then pads to 3. */
const pyD3 = (x: number) => String(Math.trunc(x)).padStart(3)
/** `'%3.2f'` = `'%.2f'` padded to 3 (never shorter here) with Python's half-even ties. */
const pyF = (x: number) => pyFixed2(x).padStart(3)

/** The job list: from `list` ("5,3,8") or drawn from the seed like scheduler.py. */
export function scheduleJobs(input: SchedInput): SchedJob[] {
  if (input.list !== undefined) {
    const parts = input.list.split(',')
    if (parts.length > SCHED_MAX_JOBS) throw invalid(`at most ${SCHED_MAX_JOBS} jobs`, 'list')
    return parts.map((text, id) => {
      if (!SCHED_LENGTH_PATTERN.test(text)) throw invalid(`job ${id}: ${JSON.stringify(text)} is not a length; write a number such as 5 or 2.5`, 'list')
      const length = Number(text)
      if (length > SCHED_MAX_LENGTH) throw invalid(`job ${id}: at most ${SCHED_MAX_LENGTH} per job`, 'list')
      return { id, length, lengthText: pyFloatRepr(length) }
    })
  }
  const jobs = input.jobs ?? SCHED.jobs.default
  const maxlen = input.maxlen ?? SCHED.maxlen.default
  const rng = new PyRandom(input.seed ?? SCHED.seed.default)
  return Array.from({ length: jobs }, (_, id) => {
    const length = Math.trunc(maxlen * rng.random()) + 1
    return { id, length, lengthText: String(length) }
  })
}

/** Runs the policy. Pure: the same input gives the same result. */
export function schedule(input: SchedInput): SchedResult {
  const policy = input.policy
  const quantum = input.quantum ?? SCHED.quantum.default
  if (input.list !== undefined && (input.jobs !== undefined || input.seed !== undefined || input.maxlen !== undefined))
    throw invalid('give either list or jobs/seed/maxlen, not both', 'list')
  const jobs = scheduleJobs(input)
  const runs: SchedRun[] = []
  const response: number[] = []
  const turnaround: number[] = []
  const wait: number[] = []
  /** The order the statistics are printed in: the run order for FIFO/SJF, job ids for RR. */
  let statOrder: number[]

  if (policy === 'FIFO' || policy === 'SJF') {
    const order = policy === 'SJF' ? [...jobs].sort((a, b) => a.length - b.length) : jobs
    let time = 0
    for (const job of order) {
      runs.push({ job: job.id, start: time, length: job.length, done: true })
      time += job.length
    }
    // scheduler.py recomputes the times for the statistics in a second loop, with t = 0.0.
    let t = 0.0
    for (const job of order) {
      response[job.id] = t
      turnaround[job.id] = t + job.length
      wait[job.id] = t
      t += job.length
    }
    statOrder = order.map((j) => j.id)
  } else {
    const lastRan = jobs.map(() => 0.0)
    const runList = jobs.map((j) => ({ id: j.id, left: j.length }))
    for (const j of jobs) {
      wait[j.id] = 0.0
      turnaround[j.id] = 0.0
      response[j.id] = -1
    }
    let count = jobs.length
    let time = 0.0
    while (count > 0) {
      const job = runList.shift()!
      if (response[job.id] === -1) response[job.id] = time
      wait[job.id]! += time - lastRan[job.id]!
      let ranFor: number
      if (job.left > quantum) {
        ranFor = quantum
        runs.push({ job: job.id, start: time, length: ranFor, done: false })
        runList.push({ id: job.id, left: job.left - quantum })
      } else {
        ranFor = job.left
        runs.push({ job: job.id, start: time, length: ranFor, done: true })
        turnaround[job.id] = time + ranFor
        count--
      }
      time += ranFor
      lastRan[job.id] = time
    }
    statOrder = jobs.map((j) => j.id)
  }

  const stats = statOrder.map((id) => ({ job: id, response: response[id]!, turnaround: turnaround[id]!, wait: wait[id]! }))
  // Summed in the printed order, as the original does, so the float averages are bit-identical.
  let rs = 0.0
  let ts = 0.0
  let ws = 0.0
  for (const s of stats) {
    rs += s.response
    ts += s.turnaround
    ws += s.wait
  }
  const n = stats.length
  return {
    simulation: true,
    policy,
    quantum,
    source: input.list !== undefined ? { list: input.list } : { jobs: input.jobs ?? SCHED.jobs.default, seed: input.seed ?? SCHED.seed.default, maxlen: input.maxlen ?? SCHED.maxlen.default },
    jobs,
    runs,
    stats,
    average: { response: rs / n, turnaround: ts / n, wait: ws / n },
  }
}

/** What `scheduler.py` prints with the same arguments and `-c`. */
export function formatSchedule(r: SchedResult): string {
  const out: string[] = []
  const print = (...parts: (string | number)[]) => out.push(parts.join(' '))
  print('ARG policy', r.policy)
  if ('list' in r.source) print('ARG jlist', r.source.list)
  else {
    print('ARG jobs', r.source.jobs)
    print('ARG maxlen', r.source.maxlen)
    print('ARG seed', r.source.seed)
  }
  print('')
  print('Here is the job list, with the run time of each job: ')
  for (const j of r.jobs) print('  Job', j.id, `( length = ${j.lengthText} )`)
  print('\n')
  print('** Solutions **\n')
  print('Execution trace:')
  const rr = r.policy === 'RR'
  for (const run of r.runs) {
    if (!rr) out.push(`  [ time ${pyD3(run.start)} ] Run job ${run.job} for ${pyFixed2(run.length)} secs ( DONE at ${pyFixed2(run.start + run.length)} )`)
    else if (run.done) out.push(`  [ time ${pyD3(run.start)} ] Run job ${pyD3(run.job)} for ${pyFixed2(run.length)} secs ( DONE at ${pyFixed2(run.start + run.length)} )`)
    else out.push(`  [ time ${pyD3(run.start)} ] Run job ${pyD3(run.job)} for ${pyFixed2(run.length)} secs`)
  }
  print('\nFinal statistics:')
  for (const s of r.stats) out.push(`  Job ${pyD3(s.job)} -- Response: ${pyF(s.response)}  Turnaround ${pyF(s.turnaround)}  Wait ${pyF(s.wait)}`)
  out.push(`\n  Average -- Response: ${pyF(r.average.response)}  Turnaround ${pyF(r.average.turnaround)}  Wait ${pyF(r.average.wait)}\n`)
  return `${out.join('\n')}\n`
}
