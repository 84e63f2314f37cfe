import { describe, expect, it } from 'vitest'
import { methodSpecs } from '../../shared/contract'
import { formatTaskSpec, idealWallMs, MAX_TASKS, parseTaskSpec, type TaskSpec } from '../../shared/task-spec'

function tasks(spec: string): TaskSpec[] {
  const r = parseTaskSpec(spec)
  if (!r.ok) throw new Error(r.error.message)
  return r.tasks
}

function error(spec: string) {
  const r = parseTaskSpec(spec)
  if (r.ok) throw new Error(`${spec} was accepted`)
  return r.error
}

describe('parseTaskSpec', () => {
  it('expands counts and reads every kind and duration form', () => {
    const t = tasks('cpu:400ms*4, io:0.2s*2,mixed:100/200ms,crash:3,hang,hang:noterm,crash')
    expect(t).toHaveLength(4 + 2 + 1 + 4)
    expect(t[0]).toEqual({ kind: 'cpu', cpuMs: 400, ioMs: 0, text: 'cpu:400ms' })
    expect(t[4]).toEqual({ kind: 'io', cpuMs: 0, ioMs: 200, text: 'io:200ms' })
    expect(t[6]).toEqual({ kind: 'mixed', cpuMs: 100, ioMs: 200, text: 'mixed:100ms/200ms' })
    expect(t[7]).toMatchObject({ kind: 'crash', exitCode: 3 })
    expect(t[8]).toMatchObject({ kind: 'hang', ignoreTerm: false })
    expect(t[9]).toMatchObject({ kind: 'hang', ignoreTerm: true, text: 'hang:noterm' })
    expect(t[10]).toMatchObject({ kind: 'crash', exitCode: 1 })
    expect(formatTaskSpec(t)).toBe('cpu:400ms*4,io:200ms*2,mixed:100ms/200ms,crash:3,hang,hang:noterm,crash:1')
  })

  it('reads what an I/O wait is on: a timer (default) or a socket', () => {
    const [a, b, c] = tasks('io:200ms@socket,mixed:10/20@socket,io:5@timer')
    expect(a).toEqual({ kind: 'io', cpuMs: 0, ioMs: 200, ioVia: 'socket', text: 'io:200ms@socket' })
    expect(b).toMatchObject({ kind: 'mixed', cpuMs: 10, ioMs: 20, ioVia: 'socket', text: 'mixed:10ms/20ms@socket' })
    expect(c).toEqual({ kind: 'io', cpuMs: 0, ioMs: 5, text: 'io:5ms' })
    expect(error('cpu:5@socket').message).toMatch(/only io and mixed tasks take "@socket"/)
    expect(error('io:5@disk').message).toMatch(/must be timer or socket/)
  })

  it('rejects bad items with ERR_INVALID_INPUT, quoting the bad part', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['cpu:400ms,,io:1', /item 2 "" is empty/],
      ['cpu', /item 1 "cpu": cpu needs a duration/],
      ['cpu:abc', /item 1 "cpu:abc": "abc" is not a duration/],
      ['io:200ms*x', /count after "\*" must be a whole number/],
      ['io:200ms*0', /count must be between 1 and 64/],
      ['gpu:5', /unknown task kind "gpu"/],
      ['mixed:100', /mixed needs CPU and I\/O durations/],
      ['mixed:100/zz', /"zz" is not a duration/],
      ['crash:0', /exit code must be a whole number from 1 to 255/],
      ['hang:5', /hang takes nothing or "noterm"/],
      ['cpu:-5', /not a duration/],
    ]
    for (const [spec, message] of cases) {
      const e = error(spec)
      expect(e.code, spec).toBe('ERR_INVALID_INPUT')
      expect(e.message, spec).toMatch(message)
    }
  })

  it('caps tasks per run, time per task and work per run', () => {
    expect(tasks(`io:1ms*${MAX_TASKS}`)).toHaveLength(MAX_TASKS)
    expect(error(`io:1ms*${MAX_TASKS + 1}`).message).toMatch(/between 1 and 64/)
    expect(error('io:1ms*40,io:1ms*25').message).toMatch(/item 2 .*at most 64 tasks/)
    expect(tasks('cpu:10s')[0]!.cpuMs).toBe(10_000)
    expect(error('cpu:10001ms').message).toMatch(/at most 10000 ms/)
    expect(error('mixed:6s/5s').message).toMatch(/at most 10000 ms \(CPU \+ I\/O\)/)
    expect(error('io:10s*13').message).toMatch(/add up to 130000 ms/)
    expect(error('x'.repeat(1001)).message).toMatch(/longer than 1000/)
  })

  it('is what the contract validates proc.run and proc.compare input with', () => {
    const ok = methodSpecs['proc.run'].input.parse({ tasks: 'cpu:400ms*4', mode: 'parallel', workers: 2 })
    expect(ok.ok).toBe(true)
    const bad = methodSpecs['proc.compare'].input.parse({ tasks: 'cpu:400ms*4,nap:3' })
    expect(bad).toMatchObject({ ok: false, issue: { path: 'tasks', message: expect.stringMatching(/item 2 "nap:3": unknown task kind/) } })
    expect(methodSpecs['proc.run'].input.parse({ tasks: 'io:1', mode: 'sideways' }).ok).toBe(false)
    expect(methodSpecs['proc.run'].input.parse({ tasks: 'io:1', mode: 'serial', workers: 0 }).ok).toBe(false)
  })
})

describe('idealWallMs', () => {
  it('gives the course numbers for CPU-bound and I/O-bound sets', () => {
    // 4 × 400 ms of CPU: serial 1600; one CPU cannot do better; two CPUs halve it.
    expect(idealWallMs(tasks('cpu:400ms*4'), 2)).toEqual({ serial: 1600, concurrent: 1600, parallel: 800 })
    // 8 × 200 ms of waiting: serial 1600; all waits overlap on one CPU; 2 workers wait 4 × 200 each.
    expect(idealWallMs(tasks('io:200ms*8'), 2)).toEqual({ serial: 1600, concurrent: 200, parallel: 800 })
    expect(idealWallMs(tasks('io:200ms*8'), 2, 8).parallel).toBe(200)
    // The longest task bounds every mode.
    expect(idealWallMs(tasks('mixed:100/900,cpu:100'), 2)).toEqual({ serial: 1100, concurrent: 1000, parallel: 1000 })
  })
})
