import { seededRandom } from './seeded-random'
/**
 * Practice problems for the multiprogramming simulator, in the manner of OSTEP's homework:
 * a seed gives a problem (the programs as process-run's `-P`, the switch policy, the I/O
 * length); the learner answers the totals, or the totals and every process's state at every tick; the engine's `sim.run`
 * computes the truth when they reveal. Pure and seeded, so a problem can be said again.
 */

export interface SimProblem {
  seed: number
  /** process-run's `-P`: processes separated by ':', steps cN or i. */
  program: string
  switchOn: 'io' | 'end'
  ioLength: number
  /** The tick whose process states the learner predicts. */
  askTick: number
}

/** The states a process can be in at a tick (process-run's columns). */
export const SIM_STATES = ['RUN:cpu', 'RUN:io', 'RUN:io_done', 'READY', 'BLOCKED', 'DONE'] as const

/** The lab's one seeded generator: the same seed gives the same problem everywhere. */
const generator = seededRandom

export function simProblem(seed: number): SimProblem {
  const rand = generator(seed)
  const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const processes = pick(2, 3)
  const programs: string[] = []
  for (let p = 0; p < processes; p++) {
    const steps: string[] = [`c${pick(1, 3)}`]
    if (rand() < 0.7) {
      steps.push('i')
      if (rand() < 0.6) steps.push(`c${pick(1, 2)}`)
    }
    programs.push(steps.join(','))
  }
  // At least one process does I/O, or there is nothing to practise.
  if (!programs.some((p) => p.includes('i'))) programs[0] = `${programs[0]},i`
  return { seed, program: programs.join(':'), switchOn: rand() < 0.5 ? 'io' : 'end', ioLength: pick(2, 4), askTick: pick(2, 4) }
}

/**
 * How many tick rows the learner's answer grid offers: enough for any schedule of the problem.
 * Every tick at least one process advances (it runs, or its I/O counts down), so the problem
 * ends within the sum of its steps: cN is N ticks, i is issuing it, ioLength ticks blocked and
 * io_done. The rows past the real end stay blank, so the grid does not give the total away.
 */
export function tickBound(problem: Pick<SimProblem, 'program' | 'ioLength'>): number {
  let ticks = 0
  for (const step of problem.program.split(/[:,]/)) ticks += step === 'i' ? problem.ioLength + 2 : Number(step.slice(1))
  return ticks
}

/**
 * Marks a per-tick answer against the simulator's trace: one mark per process per tick of the
 * trace (rows past its end are not asked). `answers[t][p]` is the state given for tick t + 1.
 */
export function markTicks(answers: readonly (readonly string[])[], trace: readonly { tick: number; states: readonly string[] }[]): boolean[][] {
  return trace.map((row, t) => row.states.map((state, p) => answers[t]?.[p] === state))
}

/** A fresh seed for the next problem. */
export function nextSeed(): number {
  return Math.floor(Math.random() * 2 ** 31)
}

/** A scheduling problem as OSTEP's cpu-sched homework: three jobs, a policy, RR's quantum. */
export interface SchedProblem {
  seed: number
  policy: 'FIFO' | 'SJF' | 'RR'
  /** Job lengths as scheduler.py's -l, e.g. "5,2,7". */
  list: string
  quantum: number
}

export function schedProblem(seed: number): SchedProblem {
  const rand = generator(seed ^ 0x5bd1e995)
  const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const policy = (['FIFO', 'SJF', 'RR'] as const)[pick(0, 2)]!
  const list = [pick(1, 9), pick(1, 9), pick(1, 9)].join(',')
  return { seed, policy, list, quantum: policy === 'RR' ? pick(1, 3) : 1 }
}
