import { RELAY_TIMER_FINE_MS } from '../../../shared/contract'

/**
 * When the relay sends what it holds: every message has a deadline on the relay's own clock
 * (performance.now(), monotonic, fractional ms: RelayLog.now()), and each link keeps ONE wake-up,
 * for the earliest deadline it holds. When it fires, the clock is read again and everything due is
 * sent in deadline order, never before its deadline; what is not yet due re-arms the wake-up. So
 * many held messages cost one timer, not one each.
 *
 * The relay's own part of the error, and what it does about it: Node's timers count whole
 * milliseconds from a clock cached at the start of the event loop's turn, so a timer fires up to
 * 1 ms early or late, and one re-armed for the fraction left (< 1 ms) lands a whole ms late. So
 * the timer is set RELAY_TIMER_FINE_MS short of the deadline, and the last stretch is waited
 * through the event loop itself (setImmediate: every turn still polls the sockets), re-reading
 * the clock each turn: a message leaves within microseconds after its deadline when the process
 * has a CPU. The price: at most about RELAY_TIMER_FINE_MS of CPU per wake-up, only while something
 * is held (tests/bench/relay-bench.ts measures it).
 *
 * What this cannot promise: when the process runs. On a busy machine the process may wait for a
 * CPU for many ms, and every message due meanwhile leaves late; each `out` event's lateMs (write
 * time − deadline) and heldMs (write time − read time) say by how much, measured, not assumed.
 */

/** One wake-up for the earliest deadline of a link: a timer until RELAY_TIMER_FINE_MS before it, then every loop turn. */
export class HeadTimer {
  private timer: NodeJS.Timeout | null = null
  private turn: NodeJS.Immediate | null = null
  private at = Infinity

  constructor(private readonly fire: () => void) {}

  /** Wake at relay time `t` (`now`: the relay's clock now); an earlier wake-up already set stands. */
  wakeAt(t: number, now: number): void {
    if (this.at <= t && (this.timer || this.turn)) return
    this.clear()
    this.at = t
    const left = t - now
    if (left <= RELAY_TIMER_FINE_MS) this.turn = setImmediate(this.woke)
    else this.timer = setTimeout(this.woke, left - RELAY_TIMER_FINE_MS)
  }

  private readonly woke = (): void => {
    this.timer = null
    this.turn = null
    this.at = Infinity
    this.fire()
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.turn) clearImmediate(this.turn)
    this.timer = null
    this.turn = null
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
