/**
 * `lab schedule` against OSTEP's cpu-sched/scheduler.py (Remzi and Andrea Arpaci-Dusseau,
 * github.com/remzi-arpacidusseau/ostep-homework, commit 6c6cfc7e82c274fb7f0f068b5a75e1b42f7615b6).
 * Every fixture in tests/fixtures/scheduler/ is what that program printed with python3 3.11 for
 * the arguments on its first line (`python3 scheduler.py … -c`): its README's two examples
 * (FIFO -j 3 -s 100, SJF -l 5,10,15) and cases of our own — FIFO, SJF, RR with quanta 1–5,
 * lists with fractions and exact ties (0.125), seeds 0, 3, 7, 42, −5, 2³², 123456789.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SchedInput, SchedPolicy } from '../../shared/contract/proc'
import { formatSchedule, pyFloatRepr, schedule } from '../../main/lab/proc/scheduler'
import { pyFixed2 } from '../../main/lab/proc/simulator'
import { REPO_ROOT } from '../helpers/paths'

const dir = path.join(REPO_ROOT, 'tests/fixtures/scheduler')

/** scheduler.py's own options → the lab's input. */
function inputOf(args: string[]): SchedInput {
  const input: SchedInput = { policy: 'FIFO' }
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]!]
    if (flag === '-p') input.policy = value as SchedPolicy
    else if (flag === '-l') input.list = value
    else if (flag === '-j') input.jobs = Number(value)
    else if (flag === '-s') input.seed = Number(value)
    else if (flag === '-m') input.maxlen = Number(value)
    else if (flag === '-q') input.quantum = Number(value)
    else throw new Error(`fixture flag ${flag}`)
  }
  return input
}

describe('scheduler.py, character for character', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
  it('has the README examples and our own cases', () => {
    expect(files).toEqual(expect.arrayContaining(['readme-fifo-j3-s100.txt', 'readme-sjf-l5-10-15.txt']))
    expect(files.length).toBeGreaterThanOrEqual(15)
  })
  it.each(files)('%s', (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8')
    const [head, ...rest] = text.split('\n')
    const args = head!.replace(/^# python3 scheduler\.py /, '').replace(/ -c$/, '').split(' ')
    expect(formatSchedule(schedule(inputOf(args)))).toBe(rest.join('\n'))
  })
})

describe('the parts Python does its own way', () => {
  it('prints floats like str(float) and %.2f like Python (ties to even)', () => {
    expect([5, 2.5, 0.1, 1e-5, 1234567].map(pyFloatRepr)).toEqual(['5.0', '2.5', '0.1', '1e-05', '1234567.0'])
    expect([0.125, 0.375, 0.005, 2.675, 78.125].map(pyFixed2)).toEqual(['0.12', '0.38', '0.01', '2.67', '78.12'])
  })

  it('rejects what scheduler.py would crash or loop forever on, with a coded error', () => {
    expect(() => schedule({ policy: 'RR', list: '5,x' })).toThrow(/not a length/)
    expect(() => schedule({ policy: 'FIFO', list: '5', seed: 3 })).toThrow(/either list or jobs/)
  })

  it('gives the metrics the lesson explains: RR answers sooner, FIFO/SJF finish sooner', () => {
    const rr = schedule({ policy: 'RR', list: '200,200,200', quantum: 1 })
    const sjf = schedule({ policy: 'SJF', list: '200,200,200' })
    expect(rr.average.response).toBe(1)
    expect(sjf.average.response).toBe(200)
    expect(rr.average.turnaround).toBeGreaterThan(sjf.average.turnaround)
  })
})
