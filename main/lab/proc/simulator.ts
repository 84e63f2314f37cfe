/**
 * A SIMULATION of multiprogramming on one CPU, with the semantics of OSTEP's homework
 * simulator `cpu-intro/process-run.py` (Remzi and Andrea Arpaci-Dusseau,
 * github.com/remzi-arpacidusseau/ostep-homework). Nothing here runs a real process: the
 * trace is computed, tick by tick, from a description of each process's CPU and I/O steps.
 *
 * Rules (as process-run.py):
 * - one instruction per tick on one CPU; `io` starts an I/O that completes `ioLength + 1` ticks
 *   after the tick it was issued in, then the process needs one more CPU tick (`io_done`);
 * - switch on `io`: when the running process issues an I/O (or ends) the next READY process,
 *   round-robin from the current one, runs; switch on `end`: only when it ends;
 * - when an I/O completes: `immediate` runs that process at once (preempting the running one);
 *   `later` makes it READY, and it runs at once only if nothing else can (or, switching on end,
 *   if it is the one whose I/O was being waited for).
 * Random programs (`X:Y` = X instructions, each a CPU step with probability Y %) use Python's
 * Mersenne Twister, seeded like `random.seed(seed)`, so a seed gives the same programs as `-s`.
 */
import {
  SIM_MAX_INSTRUCTIONS,
  SIM_MAX_PROCESSES,
  osMethods,
  type SimInstruction,
  type SimResult,
  type SimState,
  type SimTick,
} from '../../../shared/contract/os'
import { LabError } from '../errors'
import { simulateShared } from './simulator-shared'

/** What an absent option means: `sim.run`'s schema defaults (process-run.py's own). */
const SIM = osMethods['sim.run'].input.shape

export interface SimOptions {
  /** process-run `-l`: "X:Y,X:Y" (X instructions, Y % chance each is CPU rather than I/O). */
  procs?: string
  /** process-run `-P`: "c7,i,c1:c3" (processes separated by ":", steps cN or i). */
  program?: string
  switchOn?: 'io' | 'end'
  ioDone?: 'later' | 'immediate'
  ioLength?: number
  seed?: number
  /** The lab's extension (simulator-shared.ts): simulated CPUs sharing one ready queue. */
  cpus?: number
  /** The lab's extension: the time slice, in ticks. */
  quantum?: number
}

// ─── Python's random.random(), for identical random programs ────────────────────────────

/** MT19937 seeded like CPython's `random.seed(int)`; `random()` = CPython's genrand_res53. */
export class PyRandom {
  private readonly mt = new Uint32Array(624)
  private index = 625

  constructor(seed: number) {
    // CPython seeds with init_by_array over the 32-bit words of |seed| (least significant first; [0] for 0).
    let n = Math.abs(Math.trunc(seed))
    const key: number[] = []
    do {
      key.push(n % 0x1_0000_0000)
      n = Math.floor(n / 0x1_0000_0000)
    } while (n > 0)
    this.initByArray(key)
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s >>> 0
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = 624
  }

  private initByArray(key: number[]): void {
    const mt = this.mt
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= 624) {
        mt[0] = mt[623]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= 624) {
        mt[0] = mt[623]!
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  private next32(): number {
    const mt = this.mt
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff)
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
      }
      this.index = 0
    }
    let y = mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** A float in [0, 1) with 53 random bits, exactly as CPython's `random.random()`. */
  random(): number {
    const a = this.next32() >>> 5
    const b = this.next32() >>> 6
    return (a * 67108864 + b) / 9007199254740992
  }
}

// ─── programs ───────────────────────────────────────────────────────────────────────────

function invalid(message: string, option: string): LabError {
  return new LabError('ERR_INVALID_INPUT', message, { option })
}

/** Expands "X:Y,…" into instruction lists, drawing one random number per instruction like process-run. */
export function programsFromList(procs: string, seed: number): SimInstruction[][] {
  const rng = new PyRandom(seed)
  const parts = procs.split(',')
  if (parts.length > SIM_MAX_PROCESSES) throw invalid(`at most ${SIM_MAX_PROCESSES} processes`, 'procs')
  return parts.map((part) => {
    const [countText, percentText] = part.split(':')
    const count = Number(countText)
    const percent = Number(percentText)
    if (!Number.isInteger(count) || count < 1 || count > SIM_MAX_INSTRUCTIONS)
      throw invalid(`each process needs 1 to ${SIM_MAX_INSTRUCTIONS} instructions, got ${JSON.stringify(part)}`, 'procs')
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw invalid(`the CPU percentage must be 0 to 100, got ${JSON.stringify(part)}`, 'procs')
    const chanceCpu = percent / 100
    const code: SimInstruction[] = []
    for (let i = 0; i < count; i++) {
      if (rng.random() < chanceCpu) code.push('cpu')
      else code.push('io', 'io_done')
    }
    return code
  })
}

/** Expands "c7,i,c1:c3" into instruction lists (`i` = an I/O and the CPU tick handling its completion). */
export function programsFromSteps(program: string): SimInstruction[][] {
  const procs = program.split(':')
  if (procs.length > SIM_MAX_PROCESSES) throw invalid(`at most ${SIM_MAX_PROCESSES} processes`, 'program')
  return procs.map((proc) => {
    const code: SimInstruction[] = []
    for (const step of proc.split(',')) {
      if (step === 'i') code.push('io', 'io_done')
      else if (/^c\d+$/.test(step)) for (let n = Number(step.slice(1)); n > 0; n--) code.push('cpu')
      else throw invalid(`unknown step ${JSON.stringify(step)}: use cN (N CPU ticks) or i (one I/O)`, 'program')
      if (code.length > SIM_MAX_INSTRUCTIONS * 2) throw invalid(`a process may have at most ${SIM_MAX_INSTRUCTIONS * 2} ticks of work`, 'program')
    }
    if (code.length === 0) throw invalid('each process needs at least one step', 'program')
    return code
  })
}

// ─── the scheduler ──────────────────────────────────────────────────────────────────────

type ProcState = 'RUNNING' | 'READY' | 'BLOCKED' | 'DONE'

interface SimProc {
  code: SimInstruction[]
  state: ProcState
  ioFinish: number[]
}

/** Runs the simulation to the end. Pure: the same options give the same result. */
export function simulate(opts: SimOptions): SimResult {
  const switchOn = opts.switchOn ?? SIM.switchOn.default
  const ioDoneMode = opts.ioDone ?? SIM.ioDone.default
  const ioLength = opts.ioLength ?? SIM.ioLength.default
  const seed = opts.seed ?? SIM.seed.default
  if ((opts.procs === undefined) === (opts.program === undefined))
    throw invalid('give exactly one of procs ("5:100,1:0") or program ("c3,i:c5")', 'procs')
  const programs = opts.procs !== undefined ? programsFromList(opts.procs, seed) : programsFromSteps(opts.program!)
  const cpus = opts.cpus ?? SIM.cpus.default
  if (cpus > 1 || opts.quantum !== undefined) {
    if (switchOn !== 'io' || ioDoneMode !== 'later')
      throw invalid('several CPUs or a time slice (the lab’s extension) switch on I/O and put finished I/O back in the shared ready queue: use switch on io, I/O done later', cpus > 1 ? 'cpus' : 'quantum')
    return simulateShared({ programs, cpus, ioLength, seed, ...(opts.quantum !== undefined ? { quantum: opts.quantum } : {}) })
  }

  const procs: SimProc[] = programs.map((code) => ({ code: [...code], state: 'READY', ioFinish: [] }))
  let curr = 0

  const move = (pid: number, from: ProcState, to: ProcState): void => {
    // process-run asserts every transition; a failure here would be a bug in this port.
    if (procs[pid]!.state !== from) throw new LabError('ERR_INTERNAL', `simulator: process ${pid} is ${procs[pid]!.state}, expected ${from}`)
    procs[pid]!.state = to
  }
  const runnable = () => procs.filter((p) => p.state === 'READY' || p.state === 'RUNNING').length
  const active = () => procs.filter((p) => p.state !== 'DONE').length
  /** Runs `pid`, or else the next READY process after the current one, wrapping round (it may be the current one). */
  const nextProc = (pid?: number): void => {
    if (pid !== undefined) {
      curr = pid
      move(curr, 'READY', 'RUNNING')
      return
    }
    for (let k = 1; k <= procs.length; k++) {
      const candidate = (curr + k) % procs.length
      if (procs[candidate]!.state === 'READY') {
        curr = candidate
        move(curr, 'READY', 'RUNNING')
        return
      }
    }
  }
  const checkIfDone = (): void => {
    const p = procs[curr]!
    if (p.code.length === 0 && p.state === 'RUNNING') {
      move(curr, 'RUNNING', 'DONE')
      nextProc()
    }
  }

  move(0, 'READY', 'RUNNING')
  const trace: SimTick[] = []
  let cpuBusy = 0
  let ioBusy = 0
  let tick = 0

  while (active() > 0) {
    tick++
    let ioDone = false
    for (let pid = 0; pid < procs.length; pid++) {
      if (!procs[pid]!.ioFinish.includes(tick)) continue
      ioDone = true
      move(pid, 'BLOCKED', 'READY')
      if (ioDoneMode === 'immediate') {
        if (curr !== pid && procs[curr]!.state === 'RUNNING') move(curr, 'RUNNING', 'READY')
        nextProc(pid)
      } else {
        if (switchOn === 'end' && runnable() > 1) nextProc(pid)
        if (runnable() === 1) nextProc(pid)
      }
      checkIfDone()
    }

    let executed: SimInstruction | null = null
    const running = procs[curr]!
    if (running.state === 'RUNNING' && running.code.length > 0) {
      executed = running.code.shift()!
      cpuBusy++
    }

    const states = procs.map((p, pid): SimState => (pid === curr && executed ? `RUN:${executed}` : (p.state as SimState)))
    let inFlight = 0
    for (const p of procs) for (const t of p.ioFinish) if (t > tick) inFlight++
    if (inFlight > 0) ioBusy++
    trace.push({ tick, ioDone, states, cpu: executed ? 1 : 0, io: inFlight })

    if (executed === 'io') {
      move(curr, 'RUNNING', 'BLOCKED')
      running.ioFinish.push(tick + ioLength + 1)
      if (switchOn === 'io') nextProc()
    }
    checkIfDone()
  }

  return {
    simulation: true,
    switchOn,
    ioDone: ioDoneMode,
    ioLength,
    seed,
    programs,
    totalTime: tick,
    cpuBusy,
    ioBusy,
    cpuUtilization: tick ? cpuBusy / tick : 0,
    ioUtilization: tick ? ioBusy / tick : 0,
    trace,
  }
}

/**
 * The trace as process-run.py prints it with `-c -p` (same columns and widths), under a
 * line that says it is a simulation when `banner` is set.
 */
export function formatSimulation(result: SimResult, banner = false): string {
  const lines: string[] = []
  const extended = result.cpus !== undefined
  if (banner && !extended) lines.push('SIMULATION (no real process runs) — semantics of OSTEP process-run.py', '')
  if (banner && extended) {
    lines.push(
      `SIMULATION (no real process runs) — process-run.py's rules extended by the lab: ${result.cpus} CPU${result.cpus === 1 ? '' : 's'}, one shared ready queue${result.quantum ? `, time slice ${result.quantum} tick${result.quantum === 1 ? '' : 's'}` : ''} (RUN:x@N = on CPU N; ^ = slice ran out)`,
      '',
    )
  }
  const n = result.programs.length
  let head = 'Time'
  for (let pid = 0; pid < n; pid++) head += `PID:${String(pid).padStart(2)}`.padStart(14)
  lines.push(head + 'CPU'.padStart(14) + 'IOs'.padStart(14))
  for (const t of result.trace) {
    let line = String(t.tick).padStart(3) + (t.ioDone ? '*' : ' ')
    t.states.forEach((s, pid) => {
      const cpu = t.onCpu?.[pid]
      line += (cpu === null || cpu === undefined ? s : `${s}@${cpu + 1}${t.preempted?.includes(pid) ? '^' : ''}`).padStart(14)
    })
    line += (t.cpu ? String(t.cpu) : ' ').padStart(14)
    line += t.io > 0 ? String(t.io).padStart(14) : ' '.repeat(10)
    lines.push(line)
  }
  const pct = (x: number) => pyFixed2((100 * x) / result.totalTime)
  lines.push(
    '',
    `Stats: Total Time ${result.totalTime}`,
    extended && result.cpus! > 1
      ? `Stats: CPU Busy ${result.cpuBusy} CPU-ticks (${pyFixed2(100 * result.cpuUtilization)}% of ${result.cpus} CPUs)`
      : `Stats: CPU Busy ${result.cpuBusy} (${pct(result.cpuBusy)}%)`,
    `Stats: IO Busy  ${result.ioBusy} (${pct(result.ioBusy)}%)`,
    ...(extended && result.quantum ? [`Stats: Preemptions ${result.preemptions ?? 0} (time slice ${result.quantum})`] : []),
    '',
  )
  return lines.join('\n')
}

/**
 * `'%.2f' % v` as Python prints it. Both round the exact binary value; they differ only on exact
 * ties, which Python rounds to even and JS `toFixed` up (78.125 → "78.12" vs "78.13"). A double
 * is exactly halfway between two hundredths only when it is an odd multiple of 1/8 (…​.125,
 * .375, .625, .875): 0.005 is not (its double is a little above), so it rounds up in both.
 */
export function pyFixed2(v: number): string {
  const eighths = v * 8
  if (Number.isInteger(eighths) && !Number.isInteger(v * 4)) {
    const low = Math.floor(v * 100)
    return ((low % 2 === 0 ? low : low + 1) / 100).toFixed(2)
  }
  return v.toFixed(2)
}
