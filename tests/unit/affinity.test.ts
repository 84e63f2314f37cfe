import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { allowedCpus, firstAllowedCpu, parseCpuList } from '../../main/lab/proc/affinity'

describe('affinity helpers', () => {
  it('parses Linux CPU lists', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6])
    expect(parseCpuList('1')).toEqual([1])
    expect(parseCpuList('0,2-3\n')).toEqual([0, 2, 3])
    expect(parseCpuList('')).toEqual([])
  })

  it.runIf(process.platform === 'linux')('reads the CPUs this process may use from /proc, as many as Node counts', () => {
    const cpus = allowedCpus()
    expect(cpus).not.toBeNull()
    expect(cpus!.length).toBe(os.availableParallelism())
    expect(cpus).toContain(firstAllowedCpu())
    expect(allowedCpus(2 ** 22 + 12345)).toBeNull()
  })
})
