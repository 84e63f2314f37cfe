/**
 * The spares pool (issue 9): each spare serves one connection (taken once, never handed out again),
 * a replacement is started as one is taken, replacements start at most `atOnce` at a time, and a
 * thread a connection waits for starts at once, in arrival order. Fake spares: what is asserted is
 * the order of begin() calls, never a time.
 */
import { describe, expect, it } from 'vitest'
import { LabError } from '../../main/lab/errors'
import { SparePool, type Startable } from '../../main/lab/net/spare-pool'

class Fake implements Startable {
  static begun: Fake[] = []
  begun = false
  startMs: number | null = null
  readonly ready: Promise<void>
  readonly exited: Promise<void>
  private resolveReady!: () => void
  private resolveExited!: () => void
  constructor(readonly id: number) {
    this.ready = new Promise((r) => (this.resolveReady = r))
    this.exited = new Promise((r) => (this.resolveExited = r))
  }
  begin(): void {
    this.begun = true
    Fake.begun.push(this)
  }
  /** The fake thread says it is ready. */
  finishStart(): void {
    this.startMs = 1
    this.resolveReady()
  }
  stopped = false
  async stop(): Promise<void> {
    this.stopped = true
    this.resolveExited()
  }
}

function pool(count: number, atOnce: number, budget = 100) {
  Fake.begun = []
  let next = 1
  let left = budget
  const made: Fake[] = []
  const p = new SparePool<Fake>(
    () => {
      if (left === 0) return null
      left--
      const f = new Fake(next++)
      made.push(f)
      return f
    },
    () => new LabError('ERR_LIMIT', 'over budget'),
    count,
    atOnce,
  )
  return { p, made }
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('SparePool', () => {
  it('keeps `count` spares, starting at most `atOnce` of them at a time', async () => {
    const { made } = pool(4, 2)
    expect(made.length).toBe(4)
    expect(Fake.begun.map((f) => f.id)).toEqual([1, 2])
    made[0]!.finishStart()
    await tick()
    expect(Fake.begun.map((f) => f.id)).toEqual([1, 2, 3])
  })

  it('hands each spare to one connection only and starts a replacement for it', async () => {
    const { p, made } = pool(2, 2)
    for (const f of made) f.finishStart()
    await tick()
    const a = p.take()
    const b = p.take()
    expect(a).not.toBe(b)
    expect([a.id, b.id].sort()).toEqual([1, 2])
    // Two replacements, neither of them a spare already given out.
    expect(made.length).toBe(4)
    expect(p.take()).not.toBe(a)
  })

  it('a connection that finds no ready spare gets the one closest to ready; the ones it waits for start at once, in arrival order', async () => {
    const { p } = pool(1, 1)
    // Spare 1 is starting. Three connections come: the first takes spare 1 (starting), the
    // next two get threads that start at once although a replacement would have to wait.
    const first = p.take()
    expect(first.id).toBe(1)
    const second = p.take()
    const third = p.take()
    expect(second.begun && third.begun).toBe(true)
    const order = Fake.begun.map((f) => f.id)
    expect(order.indexOf(second.id)).toBeLessThan(order.indexOf(third.id))
  })

  it('over the budget, take() throws the budget error', () => {
    const { p } = pool(1, 1, 1)
    p.take()
    expect(() => p.take()).toThrow(/over budget/)
  })

  it('close() ends every spare not given to a connection, started or not', async () => {
    const { p, made } = pool(3, 1)
    const taken = p.take()
    await p.close()
    const idle = made.filter((f) => f !== taken)
    await Promise.all(idle.map((f) => f.exited))
    expect(Fake.begun.length).toBeLessThanOrEqual(2)
  })
})

describe('after close()', () => {
  it('take() starts nothing: a connection accepted while the server stops gets a coded error, no thread', async () => {
    const { p, made } = pool(2, 1)
    await p.close()
    const before = made.length
    let err: unknown
    try {
      p.take()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).code).toBe('ERR_BAD_STATE')
    expect(made.length).toBe(before)
  })
})

describe('"spares ready": a condition to wait for, never a sleep', () => {
  it('is warm only once every spare has said ready; a take makes it cold until the replacement is ready', async () => {
    const { p, made } = pool(2, 2)
    let warmed = false
    void p.whenWarm().then((w) => (warmed = w))
    const changes: number[] = []
    p.onChange(() => changes.push(p.readyCount))
    made[0]!.finishStart()
    await tick()
    expect([p.warm, warmed, p.readyCount]).toEqual([false, false, 1])
    made[1]!.finishStart()
    await tick()
    expect([p.warm, warmed, p.readyCount]).toEqual([true, true, 2])
    p.take()
    expect([p.warm, p.readyCount]).toEqual([false, 1])
    // Watchers are told just after the turn that changed the pool (the taker hands over first).
    expect(changes).toEqual([1, 2])
    await tick()
    const again = p.whenWarm()
    made[2]!.finishStart()
    await expect(again).resolves.toBe(true)
    expect(changes).toEqual([1, 2, 1, 2])
  })

  it('with the lab-wide budget spent it is warm with fewer spares (every one it could start is ready)', async () => {
    const { p, made } = pool(3, 3, 2)
    for (const f of made) f.finishStart()
    await expect(p.whenWarm()).resolves.toBe(true)
    expect(p.readyCount).toBe(2)
  })

  it('a wait ends (false) when the pool closes first', async () => {
    const { p } = pool(2, 1)
    const w = p.whenWarm()
    await p.close()
    await expect(w).resolves.toBe(false)
    expect(p.warm).toBe(false)
  })
})

describe('replacements wait while the CPUs serve (mayStart)', () => {
  it('a replacement does not start while mayStart() is false; one a connection waits for does; it starts once mayStart() turns true', async () => {
    Fake.begun = []
    let next = 1
    let free = true
    const p = new SparePool<Fake>(() => new Fake(next++), () => new LabError('ERR_LIMIT', 'over budget'), 1, 2, () => free)
    expect(Fake.begun.map((f) => f.id)).toEqual([1])
    Fake.begun[0]!.finishStart()
    await tick()
    free = false
    const taken = p.take() // the ready spare; its replacement (2) must wait
    expect(taken.id).toBe(1)
    expect(Fake.begun.map((f) => f.id)).toEqual([1])
    expect(p.deferred).toBe(1)
    const waiting = p.take() // no spare ready: this connection's own start does not wait
    expect(waiting.begun).toBe(true)
    free = true
    // The pool asks again every RECHECK_MS and says so (onChange): a condition, not a sleep.
    await new Promise<void>((r) => {
      const off = p.onChange(() => Fake.begun.some((f) => f.id === 3) && (off(), r()))
    })
    expect(Fake.begun.map((f) => f.id)).toContain(3)
    expect(p.deferred).toBe(0)
    await p.close()
  })
})

describe('a replacement waits settleMs after a take (threading: the taken thread’s first reply goes first)', () => {
  it('not begun at the take; begun once the settle time is over, said by onChange', async () => {
    Fake.begun = []
    let next = 1
    const p = new SparePool<Fake>(() => new Fake(next++), () => new LabError('ERR_LIMIT', 'over budget'), 1, 2, () => true, 30)
    Fake.begun[0]!.finishStart()
    await tick()
    expect(p.take().id).toBe(1)
    // At the hand-over nothing starts beside the taken thread.
    expect(Fake.begun.map((f) => f.id)).toEqual([1])
    expect(p.deferred).toBe(1)
    await new Promise<void>((r) => {
      const off = p.onChange(() => Fake.begun.some((f) => f.id === 2) && (off(), r()))
    })
    expect(p.deferred).toBe(0)
    // A connection that finds no spare ready still gets its own start at once.
    const waiting = p.take()
    expect(waiting.begun).toBe(true)
    await p.close()
  })
})

describe('giveBack: a connection reset before it was served returns its spare, unused', () => {
  it('a ready spare given back is handed to the next connection (no new start for it)', async () => {
    const { p, made } = pool(1, 1)
    made[0]!.finishStart()
    await tick()
    const a = p.take() // its replacement (2) is starting, not ready
    p.giveBack(a)
    // The pool keeps one: the given-back spare, ready, and ends the replacement still starting.
    expect(p.readyCount).toBe(1)
    expect(made[1]!.stopped).toBe(true)
    expect(p.take()).toBe(a)
  })

  it('a start a connection waited for becomes a replacement: the next connection gets it, nothing extra is started', async () => {
    const { p, made } = pool(1, 1)
    const first = p.take() // spare 1, starting
    const second = p.take() // its own start (claimed)
    const startedBefore = Fake.begun.length
    p.giveBack(second)
    p.giveBack(first)
    expect(Fake.begun.length).toBe(startedBefore)
    // One kept, the rest ended: never more idle than `count`.
    const alive = made.filter((f) => !f.stopped)
    expect(alive.length).toBe(1)
  })
})
