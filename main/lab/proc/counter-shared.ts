/**
 * The code both kinds of counter workers run. `processCounter` is an ordinary variable:
 * the engine imports this module, and so does every counter child — each its own copy, in
 * its own memory, which is the whole point: the children's increments never reach the parent.
 */
export const processCounter = { value: 0 }

/** How many steps the racy increment takes between its read and its write. */
const WINDOW_STEPS = 4

/** Slots of the SharedArrayBuffer that the counter threads share. */
export const SLOT = { counter: 0, go: 1, ready: 2 } as const
export const SHARED_SLOTS = 3

/**
 * One read-modify-write that is NOT atomic: read the shared value, work on it a little (the
 * window in which another thread may read the same old value), write it back. The read and the
 * write are each atomic (Atomics.load/store, so the JIT cannot keep the counter in a register),
 * but the three steps together are not: two threads that read the same value both write value+1,
 * and one update is lost — the lost update of a `count += 1` race.
 */
export function incrementRacy(shared: Int32Array): number {
  const seen = Atomics.load(shared, SLOT.counter) // read
  let next = seen
  // modify, a few steps long on purpose: the window in which another thread reads the same `seen`
  for (let step = 0; step < WINDOW_STEPS; step++) next = next + (step === WINDOW_STEPS - 1 ? 1 : 0)
  Atomics.store(shared, SLOT.counter, next) // write
  return next
}

/** The same increment done right: one indivisible Atomics.add. */
export function incrementAtomic(shared: Int32Array): number {
  return Atomics.add(shared, SLOT.counter, 1) + 1
}

/** A child process's increment: its own copy of the variable. */
export function incrementOwn(): number {
  return ++processCounter.value
}

/** What a counter worker (thread or child) reports. */
export type CounterMessage =
  | { type: 'ready'; pid: number; tid: number | null }
  | { type: 'done'; final: number; increments: number }

/** What the engine sends a counter child. */
export interface CounterChildStart {
  type: 'go'
  increments: number
  holdMs: number
}
