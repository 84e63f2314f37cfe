/**
 * The forking mode reads a blocking child's event pipe on a timer (fork-mode.ts). The pipe's socket
 * pair holds only ~167 one-round records before the child's write blocks, so while a child writes
 * the lab must come back soon, and sooner again when a read finds the pipe half full; a quiet pipe is
 * read rarely (the lab's process must not make a system call per round of the child's).
 */
import { describe, expect, it } from 'vitest'
import { pipeReadDelay } from '../../main/lab/net/fork-mode'

describe('event pipe read cadence', () => {
  it('a quiet pipe is read at the slow cadence; one that brought anything, sooner', () => {
    expect(pipeReadDelay(0)).toBeGreaterThan(pipeReadDelay(1))
    expect(pipeReadDelay(199)).toBe(pipeReadDelay(1))
  })

  it('a read that brought half the pair’s buffer of records (~83 of ~167) is followed within 1 ms', () => {
    expect(pipeReadDelay(83 * 199)).toBeLessThanOrEqual(1)
    expect(pipeReadDelay(256 * 1024)).toBeLessThanOrEqual(1)
    // Not for a trickle: a learner's few messages do not make the lab read every millisecond.
    expect(pipeReadDelay(10 * 199)).toBeGreaterThan(1)
  })
})
