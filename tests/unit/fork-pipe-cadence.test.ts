/**
 * The forking mode reads a blocking child's event pipe on a timer (fork-mode.ts). The pipe's socket
 * pair holds only ~167 of the child's one-write-per-round records before the child's write blocks,
 * so the lab comes back soon enough, at the rate it just saw, that far fewer pile up; a quiet pipe, or
 * one child among many busy ones, is read rarely (the lab's process must not make a system call per
 * round of the child's).
 */
import { describe, expect, it } from 'vitest'
import { pipeReadDelay } from '../../main/lab/net/fork-mode'

/** Writes that pile up until the next read, at the rate of `writes` in `sinceMs`. */
const pileUp = (writes: number, sinceMs: number) => (writes / sinceMs) * pipeReadDelay(writes, sinceMs)

describe('event pipe read cadence', () => {
  it('a quiet pipe is read at the slow cadence, and so is a slow child', () => {
    expect(pipeReadDelay(0, 50)).toBe(50)
    // A child among 32 busy ones: ~800 rounds a second, 40 in 50 ms.
    expect(pipeReadDelay(40, 50)).toBe(50)
  })

  it('a fast child is read before a quarter of what the pipe holds (~167 writes) piles up', () => {
    // One connection alone: a round every ~60 µs, 83 writes in 5 ms; down to ~25 µs a round.
    for (const [writes, since] of [[83, 5], [300, 20], [167, 50], [280, 7]] as const) {
      expect(pileUp(writes, since), `${writes} writes in ${since} ms`).toBeLessThanOrEqual(167 / 4)
      expect(pipeReadDelay(writes, since)).toBeLessThan(since)
    }
  })

  it('never sooner than every millisecond, whatever the rate (a timer, not a read per round)', () => {
    expect(pipeReadDelay(5000, 1)).toBe(1)
    expect(pipeReadDelay(1, 0)).toBeGreaterThanOrEqual(1)
  })
})
