/**
 * When the relay sends what it holds: every message has a deadline on the relay's own clock
 * (performance.now(), monotonic, fractional ms: RelayLog.now()), and each link keeps ONE timer,
 * for the earliest deadline it holds. When it fires, the clock is read again and everything due is
 * sent in deadline order; what is not yet due re-arms the timer. So a timer that fires early (Node
 * measures from the event loop's cached start of iteration, whole ms) never sends early, and many
 * held messages cost one timer, not one each.
 *
 * What this cannot promise: when the process runs. A timer fires at the earliest at its time; on a
 * busy machine the process may wait for a CPU for many ms, and every message due meanwhile leaves
 * late (its `out` event's lateMs says by how much). On a quiet machine a message leaves within
 * about ±1 ms of its deadline (tests/bench/relay-bench.ts, README).
 */

/**
 * Node's timers count whole milliseconds: one fires up to 1 ms before its time, and a second one
 * for the fraction left cannot be shorter than 1 ms (it would land up to 1 ms late). A message
 * within half a millisecond of its deadline is due: sent within ±0.5 ms of it, not ~0.7 ms late.
 */
export const DUE_SLACK_MS = 0.5

/** One timer for the earliest deadline of a link. */
export class HeadTimer {
  private timer: NodeJS.Timeout | null = null
  private at = Infinity

  constructor(private readonly fire: () => void) {}

  /** Wake at relay time `t` (`now`: the relay's clock now); an earlier wake-up already set stands. */
  wakeAt(t: number, now: number): void {
    if (this.timer && this.at <= t) return
    if (this.timer) clearTimeout(this.timer)
    this.at = t
    this.timer = setTimeout(() => {
      this.timer = null
      this.at = Infinity
      this.fire()
    }, Math.max(0, t - now))
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.at = Infinity
  }
}

/** What a deadline queue holds: its deadline, and its arrival number to break ties (first come, first sent). */
export interface Deadlined {
  dueT: number
  seq: number
}

const before = (a: Deadlined, b: Deadlined) => a.dueT < b.dueT || (a.dueT === b.dueT && a.seq < b.seq)

/**
 * A min-heap by (deadline, arrival): UDP datagrams with jitter may be due in another order than
 * they came (jitter reorders by itself, as on a real network); each leaves at its own deadline.
 */
export class DeadlineHeap<T extends Deadlined> {
  private readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(a[i]!, a[parent]!)) break
      ;[a[i], a[parent]] = [a[parent]!, a[i]!]
      i = parent
    }
  }

  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && before(a[l]!, a[m]!)) m = l
        if (r < a.length && before(a[r]!, a[m]!)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }

  clear(): void {
    this.items.length = 0
  }
}
