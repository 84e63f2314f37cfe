/**
 * The multiprogramming simulator against OSTEP's `cpu-intro/process-run.py`
 * (github.com/remzi-arpacidusseau/ostep-homework, cpu-intro/README.md and process-run.py).
 *
 * 1. The three worked examples of cpu-intro/README.md, written out here from the README:
 *    `-l 5:100 -c`, `-l 5:100,5:100 -c`, and `-l 3:0 -L 5 -c` with its `-p` stats
 *    (Total Time 21, CPU Busy 6 (28.57%), IO Busy 15 (71.43%)). All three are deterministic
 *    (X:100 and X:0 programs draw random numbers but every draw gives the same instruction).
 * 2. Recorded outputs of process-run.py `-c -p` (run with Python 3.11.7; files in
 *    tests/fixtures/process-run/, the command on each file's first line): the README examples,
 *    the chapter's homework runs (`-l 4:100,1:0`, `-l 1:0,4:100` with -S SWITCH_ON_END / SWITCH_ON_IO,
 *    `-l 3:0,5:100,5:100,5:100` with -I IO_RUN_LATER / IO_RUN_IMMEDIATE), SEEDED random programs
 *    (`-s 1 -l 3:50,3:50`, `-s 2 … -S SWITCH_ON_END -I IO_RUN_IMMEDIATE`: these need Python's
 *    Mersenne Twister, which the simulator reproduces) and a `-P` program. Compared character for character.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { methodSpecs } from '../../shared/contract'
import { formatSimulation, PyRandom, pyFixed2, simulate, type SimOptions } from '../../main/lab/proc/simulator'
import { REPO_ROOT } from '../helpers/paths'

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'process-run')

/** Turns a process-run command line into simulator options. */
function optionsFrom(commandLine: string): SimOptions {
  const args = commandLine.replace(/^# prompt> \.\/process-run\.py /, '').split(/\s+/)
  const opts: SimOptions = {}
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1]!
    switch (args[i]) {
      case '-l':
        opts.procs = value
        i++
        break
      case '-P':
        opts.program = value
        i++
        break
      case '-L':
        opts.ioLength = Number(value)
        i++
        break
      case '-s':
        opts.seed = Number(value)
        i++
        break
      case '-S':
        opts.switchOn = value === 'SWITCH_ON_END' ? 'end' : 'io'
        i++
        break
      case '-I':
        opts.ioDone = value === 'IO_RUN_IMMEDIATE' ? 'immediate' : 'later'
        i++
        break
    }
  }
  return opts
}

describe('simulator (OSTEP process-run.py semantics)', () => {
  describe('the worked examples of cpu-intro/README.md', () => {
    it('-l 5:100 -c: one CPU-bound process runs five ticks', () => {
      const r = simulate({ procs: '5:100' })
      expect(r.simulation).toBe(true)
      expect(r.trace.map((t) => [t.tick, t.states, t.cpu, t.io])).toEqual(
        [1, 2, 3, 4, 5].map((tick) => [tick, ['RUN:cpu'], 1, 0]),
      )
      expect([r.totalTime, r.cpuBusy, r.ioBusy]).toEqual([5, 5, 0])
    })

    it('-l 5:100,5:100 -c: process 1 waits READY until process 0 is DONE', () => {
      const r = simulate({ procs: '5:100,5:100' })
      const expected = [
        ...[1, 2, 3, 4, 5].map((tick) => [tick, ['RUN:cpu', 'READY'], 1]),
        ...[6, 7, 8, 9, 10].map((tick) => [tick, ['DONE', 'RUN:cpu'], 1]),
      ]
      expect(r.trace.map((t) => [t.tick, t.states, t.cpu])).toEqual(expected)
      expect(r.totalTime).toBe(10)
    })

    it('-l 3:0 -L 5 -c -p: three I/Os, the CPU idle while BLOCKED; Total Time 21, CPU Busy 6, IO Busy 15', () => {
      const r = simulate({ procs: '3:0', ioLength: 5 })
      expect(r.programs).toEqual([['io', 'io_done', 'io', 'io_done', 'io', 'io_done']])
      const rows = r.trace.map((t) => `${t.tick}${t.ioDone ? '*' : ''} ${t.states[0]} ${t.cpu || ''} ${t.io || ''}`.trim())
      // README: "1 RUN:io 1", "2..6 BLOCKED (IOs 1)", "7* RUN:io_done 1", and the same twice more.
      const oneIo = (start: number) => [
        `${start} RUN:io 1`,
        ...[1, 2, 3, 4, 5].map((k) => `${start + k} BLOCKED  1`),
        `${start + 6}* RUN:io_done 1`,
      ]
      expect(rows).toEqual([...oneIo(1), ...oneIo(8), ...oneIo(15)])
      expect([r.totalTime, r.cpuBusy, r.ioBusy]).toEqual([21, 6, 15])
      expect(formatSimulation(r)).toContain('Stats: CPU Busy 6 (28.57%)\nStats: IO Busy  15 (71.43%)')
    })
  })

  describe('recorded process-run.py -c -p outputs', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))
    it('has the recordings', () => expect(files.length).toBeGreaterThanOrEqual(10))
    for (const file of files) {
      it(file, () => {
        const [commandLine, ...output] = readFileSync(path.join(FIXTURES, file), 'utf8').split('\n')
        // The recording ends with print('') after the stats, then the file's last newline.
        expect(formatSimulation(simulate(optionsFrom(commandLine!)))).toBe(output.join('\n').replace(/\n$/, ''))
      })
    }
  })

  describe('PyRandom', () => {
    it('draws the same numbers as CPython random.seed(s); random.random()', () => {
      const draws = (seed: number) => {
        const r = new PyRandom(seed)
        return [r.random(), r.random(), r.random()]
      }
      expect(draws(0)).toEqual([0.8444218515250481, 0.7579544029403025, 0.420571580830845])
      expect(draws(1)).toEqual([0.13436424411240122, 0.8474337369372327, 0.763774618976614])
      expect(draws(42)).toEqual([0.6394267984578837, 0.025010755222666936, 0.27502931836911926])
      // A seed over 32 bits is fed to init_by_array as two words.
      expect(draws(2 ** 33 + 5)).toEqual([0.7416304072852293, 0.7193517101580886, 0.5679554902499137])
    })
  })

  it('formats percentages like Python, ties to even', () => {
    expect(pyFixed2(78.125)).toBe('78.12')
    expect(pyFixed2(12.375)).toBe('12.38')
    expect(pyFixed2(28.571428571428573)).toBe('28.57')
  })

  it('I/O overlapping with CPU work raises utilisation: switch on io beats switch on end', () => {
    const onIo = simulate({ procs: '1:0,4:100', switchOn: 'io' })
    const onEnd = simulate({ procs: '1:0,4:100', switchOn: 'end' })
    expect(onIo.totalTime).toBeLessThan(onEnd.totalTime)
    expect(onIo.cpuUtilization).toBeGreaterThan(onEnd.cpuUtilization)
    expect(onIo.cpuBusy).toBe(onEnd.cpuBusy)
  })

  it('rejects what process-run would choke on, with ERR_INVALID_INPUT', () => {
    expect(() => simulate({ procs: '0:100' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => simulate({ procs: '5:101' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => simulate({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => simulate({ procs: '1:0', program: 'c1' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    const schema = methodSpecs['sim.run'].input
    expect(schema.parse({ procs: '5:100,1:0' }).ok).toBe(true)
    expect(schema.parse({ procs: '5:100;rm -rf' }).ok).toBe(false)
    expect(schema.parse({ program: 'c3,i,c1:c5' }).ok).toBe(true)
    expect(schema.parse({ program: 'x3' }).ok).toBe(false)
  })
})

describe('the lab’s extension: several CPUs, one ready queue, a time slice (not in process-run.py)', () => {
  it('the course’s picture: 4 cores, 6 tasks; task 1 starts I/O and task 5 takes CPU 1; the finished I/O returns to any free CPU', () => {
    const r = simulate({ program: 'c1,i,c2:c6:c6:c6:c4:c4', cpus: 4, ioLength: 3 })
    expect(r).toMatchObject({ simulation: true, cpus: 4 })
    const [t1, t2, t3] = r.trace
    expect(t1!.onCpu).toEqual([0, 1, 2, 3, null, null])
    expect(t1!.states.slice(4)).toEqual(['READY', 'READY'])
    expect(t2!.states[0]).toBe('RUN:io')
    // Task 1 (PID 0) blocked on its I/O: task 5 (PID 4) takes the CPU it left, CPU 1 (index 0).
    expect(t3!.states[0]).toBe('BLOCKED')
    expect(t3!.onCpu![4]).toBe(0)
    // When the I/O completes, PID 0 runs again on whichever CPU is free first — not necessarily its own.
    const back = r.trace.find((t) => t.tick > 3 && t.onCpu![0] !== null)!
    expect(back.states[0]).toBe('RUN:io_done')
    expect(back.onCpu![0]).not.toBe(0)
    expect(r.trace.every((t) => t.cpu <= 4)).toBe(true)
    expect(formatSimulation(r, true)).toMatch(/4 CPUs, one shared ready queue/)
  })

  it('a time slice preempts a CPU-bound process after Q ticks when another is ready (claim 1), and not when none is', () => {
    const r = simulate({ procs: '6:100,6:100', quantum: 2 })
    const runner = r.trace.map((t) => t.states.findIndex((s) => s.startsWith('RUN')))
    expect(runner.slice(0, 8)).toEqual([0, 0, 1, 1, 0, 0, 1, 1])
    expect(r.preemptions).toBe(4)
    expect(r.trace[1]!.preempted).toEqual([0])
    const alone = simulate({ procs: '6:100', quantum: 2 })
    expect(alone.preemptions).toBe(0)
    expect(alone.totalTime).toBe(6)
  })

  it('one CPU without a quantum is still process-run exactly; the extension refuses rules it does not have', () => {
    expect(simulate({ procs: '5:100,1:0', cpus: 1 }).cpus).toBeUndefined()
    expect(() => simulate({ procs: '5:100,1:0', cpus: 2, switchOn: 'end' })).toThrow(/switch on io/)
    expect(() => simulate({ procs: '5:100,1:0', quantum: 2, ioDone: 'immediate' })).toThrow(/I\/O done later/)
  })
})
