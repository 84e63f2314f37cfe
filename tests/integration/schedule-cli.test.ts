/**
 * `lab schedule` prints what OSTEP's cpu-sched/scheduler.py prints with -c (fixtures recorded with
 * the original: see tests/unit/scheduler.test.ts), byte for byte through the real CLI.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runLab } from '../helpers/cli'
import { REPO_ROOT } from '../helpers/paths'

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'tests/fixtures/scheduler', name), 'utf8').split('\n').slice(1).join('\n')

describe('lab schedule', () => {
  it.each([
    ['readme-fifo-j3-s100.txt', ['--policy', 'FIFO', '--jobs', '3', '--seed', '100']],
    ['rr-q3-l2.5-7-1.25.txt', ['--policy', 'RR', '--quantum', '3', '--list', '2.5,7,1.25']],
  ])('prints %s exactly', async (name, args) => {
    const r = await runLab(['schedule', ...args])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(fixture(name))
  })

  it('--json carries the trace and the three metrics per job; bad input is a usage error', async () => {
    const r = await runLab(['schedule', '--policy', 'SJF', '--list', '5,3,8', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { simulation: boolean; runs: { job: number }[]; stats: { job: number; response: number; turnaround: number; wait: number }[] }
    expect(out.simulation).toBe(true)
    expect(out.runs.map((x) => x.job)).toEqual([1, 0, 2])
    expect(out.stats[0]).toEqual({ job: 1, response: 0, turnaround: 3, wait: 0 })
    const bad = await runLab(['schedule', '--policy', 'RR', '--quantum', '0', '--list', '5'])
    expect(bad.code).toBe(2)
    expect(bad.stderr + bad.stdout).toMatch(/--quantum must be between 1 and/)
  })
})
