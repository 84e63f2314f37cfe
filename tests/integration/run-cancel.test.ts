import { readdirSync, readlinkSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { CompareMode, Input, RunProgress } from '../../shared/contract'
import { comparePlan, planMs } from '../../shared/run-estimate'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { childPids } from '../helpers/proc-probe'
import { waitUntil } from '../helpers/procs'

/**
 * Long runs cancelled mid-run (shared/contract/runs.ts): the result keeps what finished and says
 * so, and nothing the run started is left behind. Every wait is for a condition (a progress event,
 * a count back at its baseline), never for a duration.
 */

const linux = process.platform === 'linux'
const threads = () => readdirSync('/proc/self/task').length
function sockets(): number {
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++
    } catch {
      // closed meanwhile
    }
  }
  return n
}
const snapshot = () => ({ threads: threads(), children: childPids().length, sockets: sockets() })

let lab: Lab | null = null
afterEach(async () => {
  await lab?.close()
  lab = null
})

function open(): { lab: Lab; progress: RunProgress[]; when: (check: (p: RunProgress) => boolean) => Promise<RunProgress> } {
  const l = createTestLab()
  lab = l
  const progress: RunProgress[] = []
  const waiters: { check: (p: RunProgress) => boolean; resolve: (p: RunProgress) => void }[] = []
  l.onEvent((e) => {
    if (e.topic !== 'run.progress') return
    progress.push(e.payload)
    for (const w of [...waiters]) {
      if (!w.check(e.payload)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(e.payload)
    }
  })
  const when = (check: (p: RunProgress) => boolean) =>
    new Promise<RunProgress>((resolve) => {
      const seen = progress.find(check)
      if (seen) resolve(seen)
      else waiters.push({ check, resolve })
    })
  return { lab: l, progress, when }
}

/** What a run started is gone again: threads, child processes and sockets back at their counts before it. */
async function expectNothingLeft(before: ReturnType<typeof snapshot>) {
  // Threads end and children are reaped asynchronously after close(): wait for the counts, then compare.
  await waitUntil(() => {
    const now = snapshot()
    return now.threads <= before.threads && now.children <= before.children && now.sockets <= before.sockets
  }, 20_000)
  const after = snapshot()
  expect(after.threads, 'threads left behind').toBeLessThanOrEqual(before.threads)
  expect(after.children, 'child processes left behind').toBeLessThanOrEqual(before.children)
  expect(after.sockets, 'sockets left behind').toBeLessThanOrEqual(before.sockets)
}

describe.runIf(linux)('cancelling long runs', () => {
  it('net.compare: cancelled in the third mode, returns the two finished modes, marked, and leaves no thread, child or socket', async () => {
    const { lab, progress, when } = open()
    const before = snapshot()
    const input: Input<'net.compare.run'> & { runId: string; clients: number; messages: number; modes: CompareMode[] } = { clients: 4, messages: 40, handler: 'delay:20', modes: ['async', 'threading', 'serial', 'forking'], runId: 'cmp-cancel-test' }
    const running = lab.call('net.compare.run', input)
    const perMode = input.clients * input.messages
    // Into serial (the third mode) and past its first replies: async and threading have finished.
    await when((p) => p.runId === input.runId && p.done > 2 * perMode + 4)
    const cancel = await lab.call('run.cancel', { runId: input.runId })
    expect(cancel).toEqual({ ok: true, value: { runId: input.runId, cancelled: true } })
    const r = await running
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
    expect(r.value.modes.map((m) => m.mode)).toEqual(['async', 'threading'])
    for (const m of r.value.modes) expect(m.messages).toBe(perMode)
    expect(r.value.cancelled).toMatchObject({ code: 'ERR_CANCELLED', total: 4 * perMode })
    expect(r.value.cancelled!.done).toBeGreaterThan(2 * perMode)
    expect(r.value.cancelled!.done).toBeLessThan(3 * perMode)
    // The progress said how long before it ran (from the settings) and the run ended as cancelled.
    const start = progress.find((p) => p.phase === 'start')!
    expect(start.estimateMs).toBe(Math.round(planMs(comparePlan(input, (await import('node:os')).availableParallelism()))))
    expect(start.total).toBe(4 * perMode)
    expect(progress.at(-1)).toMatchObject({ phase: 'cancelled', runId: input.runId })
    // A second cancel finds nothing running.
    await expect(lab.call('run.cancel', { runId: input.runId })).resolves.toEqual({ ok: true, value: { runId: input.runId, cancelled: false } })
    await expectNothingLeft(before)
  }, 60_000)

  it('net.compare: cancelled in its forking mode, no child of it survives', async () => {
    const { lab, when } = open()
    const before = snapshot()
    const input: Input<'net.compare.run'> & { runId: string; clients: number; messages: number; modes: CompareMode[] } = { clients: 6, messages: 200, handler: 'delay:10', modes: ['forking'], runId: 'fork-cancel' }
    const running = lab.call('net.compare.run', input)
    await when((p) => p.runId === input.runId && p.done >= 6)
    expect(childPids().length).toBeGreaterThan(before.children)
    await lab.call('run.cancel', { runId: input.runId })
    const r = await running
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.modes).toEqual([])
    expect(r.value.cancelled?.done).toBeGreaterThanOrEqual(6)
    expect(r.value.cancelled!.done).toBeLessThan(r.value.cancelled!.total)
    await expectNothingLeft(before)
  }, 60_000)

  it('net.sticky: cancelled while sending, keeps the sends and reads made, and closes both sockets', async () => {
    const { lab, when } = open()
    const before = snapshot()
    const messages = Array.from({ length: 12 }, (_, i) => `message ${i}`)
    const running = lab.call('net.sticky.run', { messages, gapMs: 200, readDelayMs: 100, udp: true, runId: 'sticky-cancel' })
    // The reader has read something: at least one recv() happened.
    await when((p) => p.runId === 'sticky-cancel' && p.done > 0)
    await lab.call('run.cancel', { runId: 'sticky-cancel' })
    const r = await running
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.cancelled).toMatchObject({ code: 'ERR_CANCELLED' })
    expect(r.value.sends.length).toBeGreaterThan(0)
    expect(r.value.sends.length).toBeLessThan(messages.length)
    expect(r.value.recvs.length).toBeGreaterThan(0)
    // The UDP half never started.
    expect(r.value.udp).toBeNull()
    // What was read is what was sent, byte for byte, up to where it stopped.
    const read = r.value.recvs.reduce((n, x) => n + x.bytes, 0)
    expect(read).toBeLessThanOrEqual(r.value.totalBytes)
    await expectNothingLeft(before)
  }, 30_000)

  it('proc.compare: cancelled during the concurrent run, returns the serial run and no speedup it cannot know; no pool child survives', async () => {
    const { lab, when } = open()
    const before = snapshot()
    const running = lab.call('proc.compare', { tasks: 'io:150ms*4', runId: 'proc-cancel' })
    // Serial's four tasks are done, and one of the concurrent run's.
    await when((p) => p.runId === 'proc-cancel' && p.done >= 5)
    await lab.call('run.cancel', { runId: 'proc-cancel' })
    const r = await running
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.runs.map((x) => x.mode)).toEqual(['serial'])
    expect(r.value.runs[0]!.tasks.every((t) => t.ok)).toBe(true)
    expect(r.value.speedup).toEqual({ concurrent: null, parallel: null })
    expect(r.value.cancelled).toMatchObject({ code: 'ERR_CANCELLED', total: 12 })
    await expectNothingLeft(before)
  }, 60_000)

  it('a run id is the caller’s: a second run with the same id while the first runs is refused', async () => {
    const { lab, when } = open()
    const first = lab.call('net.sticky.run', { messages: ['a', 'b', 'c'], gapMs: 300, runId: 'same' })
    await when((p) => p.runId === 'same' && p.phase === 'start')
    const second = await lab.call('net.sticky.run', { messages: ['x'], runId: 'same' })
    expect(second).toMatchObject({ ok: false, error: { code: 'ERR_BAD_STATE' } })
    await lab.call('run.cancel', { runId: 'same' })
    await expect(first).resolves.toMatchObject({ ok: true })
    await expect(lab.call('run.cancel', { runId: 'bad id!' })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
  })
})
