import { describe, expect, it } from 'vitest'
import lesson3 from '../../renderer/lessons/03-serial-concurrent-parallel'
import lesson4 from '../../renderer/lessons/04-multiprogramming'
import { switchReading } from '../../renderer/lessons/switch-reading'

describe('lessons 3 and 4 read the kernel’s switch counts from the learner’s own run', () => {
  const cpuRun = { serialMs: 1600, concurrentMs: 1620, parallelMs: 800, pinned: true, concurrentVoluntarySwitches: 2, concurrentInvoluntarySwitches: 300, concurrentRunQueueMs: 1180 }
  it('says the OS took the CPU away when involuntary switches dominate (claim 1), and gave it up on I/O otherwise (claim 2)', () => {
    const cpu = switchReading(cpuRun)
    expect(cpu[0]!.en).toMatch(/took the CPU away from your tasks 300 times .* gave it up 2 times .* 1,180 ms/)
    expect(cpu[1]!.en).toMatch(/claim 1/)
    expect(cpu[1]!.zh).toMatch(/论断一/)
    const io = switchReading({ ...cpuRun, concurrentVoluntarySwitches: 8, concurrentInvoluntarySwitches: 3 })
    expect(io[1]!.en).toMatch(/claim 2/)
  })
  it('shows nothing when the run has no counts (another OS, an older run)', () => {
    expect(switchReading({ serialMs: 1 })).toEqual([])
  })
  it('is part of both lessons’ readings of a comparison', () => {
    const facts = { kind: 'proc.compare', summary: cpuRun, cpus: 2 }
    expect(lesson3.reading!(facts).some((l) => /involuntary switches/.test(l.en))).toBe(true)
    expect(lesson4.reading!(facts).some((l) => /involuntary switches/.test(l.en))).toBe(true)
    expect(lesson4.reading!({ ...facts, kind: 'sim.run' })).toEqual([])
  })
})
