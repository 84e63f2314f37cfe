import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { warmCourseLoop } from '../../main/lab/net/blocking-loop'
import { parseHandler } from '../../main/lab/net/handlers'
import { SharedConn } from '../../main/lab/net/shared-conn'

/**
 * Issue 9: a spare connection thread runs its course loop a few rounds on /dev/zero before it says
 * ready (blocking-loop.ts `warmCourseLoop`), so that the first reply does not wait for V8 to compile
 * the loop in a fresh isolate. The warm-up must really run the loop, record only into its scratch
 * recorder, never sleep the handler's delay, and leave no descriptor open.
 */
const linux = process.platform === 'linux'
const fds = () => readdirSync('/proc/self/fd').length

describe.skipIf(!linux)('warmCourseLoop', () => {
  it('runs the course loop `rounds` times on /dev/zero into the scratch recorder, and closes its descriptor', () => {
    const scratch = new SharedConn()
    const before = fds()
    expect(warmCourseLoop(parseHandler('upper'), scratch, 3)).toBe(true)
    expect(fds()).toBe(before)
    const events = scratch.drain()
    expect(events.map((e) => e.event)).toEqual(['recv', 'send', 'recv', 'send', 'recv', 'send'])
    // One course message's worth per round (64 bytes of zeros in, the same out).
    for (const e of events) if (e.event === 'recv' || e.event === 'send') expect([e.bytes, e.hex]).toEqual([64, '00'.repeat(64)])
    expect(scratch.totals()).toMatchObject({ bytesIn: 192, bytesOut: 192 })
  })

  it('a delay handler warms without sleeping its delay', () => {
    const scratch = new SharedConn()
    // A warm-up that slept the handler's 60 s would run past the test's own timeout.
    expect(warmCourseLoop(parseHandler('delay:60000'), scratch, 2)).toBe(true)
    expect(scratch.drain().filter((e) => e.event === 'send')).toHaveLength(2)
  })
})
