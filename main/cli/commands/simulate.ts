import { methodSpecs, SIM_MAX_CPUS, SIM_MAX_IO_LENGTH, SIM_MAX_QUANTUM } from '../../../shared/contract'
import { valuesOf } from '../../../shared/schema'
import { Lab } from '../../lab/lab'
import { formatSimulation } from '../../lab/proc/simulator'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, usageError } from '../io'

/** The contract's fields: the limits, choices and defaults (process-run.py's own) below are read from them. */
const SIM = methodSpecs['sim.run'].input.shape
const SWITCH = valuesOf(SIM.switchOn)
const IO_DONE = valuesOf(SIM.ioDone)

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'a SIMULATION of multiprogramming (OSTEP process-run.py)',
  help: `lab simulate --procs "5:100,1:0" | --program "c3,i:c5" [--switch io|end]
             [--io-done later|immediate] [--io-length N] [--seed N] [--cpus N] [--quantum Q] [--json]

A simulation, not a measurement: processes made of CPU and I/O steps share one simulated
CPU, tick by tick, with the rules of OSTEP's cpu-intro/process-run.py. The text output is
what process-run.py -c -p prints for the same options.

  --procs LIST      per process "instructions:percent-cpu", comma-separated (process-run -l):
                    "5:100" = 5 CPU steps; "3:0" = 3 I/Os; "5:50" = each step CPU with 50 % chance
  --program STEPS   explicit steps instead (process-run -P): "c3,i,c1:c5" = process 0 computes 3
                    ticks, does an I/O, computes 1; process 1 computes 5
  --switch io|end   io: switch to another process when the running one issues an I/O; end: only
                    when it ends (default ${SIM.switchOn.default})
  --io-done later|immediate   when an I/O completes, run that process later or at once (default ${SIM.ioDone.default})
  --io-length N     ticks an I/O takes (default ${SIM.ioLength.default}, at most ${SIM_MAX_IO_LENGTH})
  --seed N          random seed for "X:Y" programs (same programs as process-run -s N; default ${SIM.seed.default})
  --cpus N          the lab's extension, not in process-run.py: N simulated CPUs (at most ${SIM_MAX_CPUS})
                    sharing ONE ready queue; a finished I/O returns to whichever CPU is free
  --quantum Q       the lab's extension: a time slice; a process that ran Q ticks in a row is put
                    back in the queue when another one is ready (at most ${SIM_MAX_QUANTUM})
                    (with either, the rules are switch on io, I/O done later)
  The course's "4 cores, 6 tasks" picture: --program "c1,i,c2:c6:c6:c6:c4:c4" --cpus 4 --io-length 3
  --json            print {"simulation":true,"totalTime":…,"cpuBusy":…,"ioBusy":…,"programs":[…],
                    "trace":[{"tick":…,"ioDone":…,"states":["RUN:cpu","READY",…],"cpu":…,"io":…}]}`,
  options: {
    procs: { type: 'string' },
    program: { type: 'string' },
    switch: { type: 'string' },
    'io-done': { type: 'string' },
    'io-length': { type: 'string' },
    seed: { type: 'string' },
    cpus: { type: 'string' },
    quantum: { type: 'string' },
    ...JSON_OPTION,
  },
  async run({ values, io }) {
    const sw = values.switch as string | undefined
    const done = values['io-done'] as string | undefined
    if (sw !== undefined && !(SWITCH as readonly string[]).includes(sw)) throw usageError(`--switch takes ${SWITCH.join(' or ')}, got ${JSON.stringify(sw)}`, { option: 'switch' })
    if (done !== undefined && !(IO_DONE as readonly string[]).includes(done))
      throw usageError(`--io-done takes ${IO_DONE.join(' or ')}, got ${JSON.stringify(done)}`, { option: 'io-done' })
    const procs = values.procs as string | undefined
    const program = values.program as string | undefined
    if ((procs === undefined) === (program === undefined)) throw usageError('give exactly one of --procs "5:100,1:0" or --program "c3,i:c5"', { option: 'procs' })
    const ioLength = intOption(values['io-length'] as string | undefined, 'io-length', SIM.ioLength)
    const seed = intOption(values.seed as string | undefined, 'seed', SIM.seed)
    const cpus = intOption(values.cpus as string | undefined, 'cpus', SIM.cpus)
    const quantum = intOption(values.quantum as string | undefined, 'quantum', SIM.quantum)
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const r = await lab.invoke('sim.run', {
        ...(procs !== undefined ? { procs } : {}),
        ...(program !== undefined ? { program } : {}),
        ...(sw !== undefined ? { switchOn: sw as 'io' | 'end' } : {}),
        ...(done !== undefined ? { ioDone: done as 'later' | 'immediate' } : {}),
        ...(ioLength !== undefined ? { ioLength } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(cpus !== undefined ? { cpus } : {}),
        ...(quantum !== undefined ? { quantum } : {}),
      })
      if (values.json === true) io.out(JSON.stringify(r))
      else io.out(formatSimulation(r, true))
    } finally {
      await lab.close()
    }
    return 0
  },
}
