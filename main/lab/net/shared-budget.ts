/**
 * A budget count in shared memory, alone in its module so that a connection thread can take from
 * the lab-wide buffered-bytes budget without loading the budget words and the contract (budgets.ts
 * re-exports it).
 */
/** A count that many threads of this process can take from and give back to (Atomics on shared memory). */
export class SharedBudget {
  readonly cell: Int32Array
  constructor(
    public limit: number,
    sab: SharedArrayBuffer = new SharedArrayBuffer(4),
  ) {
    this.cell = new Int32Array(sab)
  }

  get sab(): SharedArrayBuffer {
    return this.cell.buffer as SharedArrayBuffer
  }

  get used(): number {
    return Atomics.load(this.cell, 0)
  }

  /** Takes `n` if it fits; false (nothing taken) if it would go over the limit. */
  take(n: number): boolean {
    if (n <= 0) {
      if (n < 0) Atomics.add(this.cell, 0, n)
      return true
    }
    for (;;) {
      const now = Atomics.load(this.cell, 0)
      if (now + n > this.limit) return false
      if (Atomics.compareExchange(this.cell, 0, now, now + n) === now) return true
    }
  }

  give(n: number): void {
    if (n > 0) Atomics.sub(this.cell, 0, n)
  }
}
