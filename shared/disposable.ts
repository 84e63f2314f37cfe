/**
 * Ownership of subscriptions and registrations (VS Code's `DisposableStore` pattern): whatever
 * returns an "undo" function (an unsubscribe, an unregister, a stop) hands it to an owner, and the
 * owner undoes all of them at once when its own life ends. Nothing is left subscribed by
 * forgetting a return value. Used on both sides (main and renderer), so it lives in shared/.
 */

/** Undoes one subscription or registration. Calling it twice does nothing the second time. */
export type Dispose = () => void

export interface Disposable {
  dispose(): void
}

/** Wraps an undo function so that it runs at most once. */
export function toDisposable(undo: Dispose): Disposable & { readonly disposed: boolean } {
  let disposed = false
  return {
    get disposed() {
      return disposed
    },
    dispose() {
      if (disposed) return
      disposed = true
      undo()
    },
  }
}

/** Holds what its owner must undo; `dispose()` undoes all of it, the newest first. */
export class DisposableStore implements Disposable {
  private readonly held = new Set<Disposable>()
  private done = false

  /** True once `dispose()` ran: what is added afterwards is undone at once. */
  get isDisposed(): boolean {
    return this.done
  }

  /** How many subscriptions are held now (for tests and leak checks). */
  get size(): number {
    return this.held.size
  }

  /**
   * Takes ownership of `item` and returns an undo function for it alone (to unsubscribe early;
   * the store then forgets it). Added to a disposed store, `item` is undone at once: a late
   * subscription must not outlive its owner.
   */
  add(item: Dispose | Disposable): Dispose {
    const d = typeof item === 'function' ? toDisposable(item) : item
    if (this.done) {
      d.dispose()
      return () => {}
    }
    this.held.add(d)
    return () => {
      if (this.held.delete(d)) d.dispose()
    }
  }

  /**
   * Undoes everything held, the newest first (what was added last may depend on what came
   * before). Every undo runs even if one throws; the first error is thrown after.
   */
  dispose(): void {
    this.done = true
    this.clear()
  }

  /** Undoes everything held but stays usable (a connection replaced by a new one). */
  clear(): void {
    const items = [...this.held].reverse()
    this.held.clear()
    let first: { error: unknown } | null = null
    for (const d of items) {
      try {
        d.dispose()
      } catch (error) {
        first ??= { error }
      }
    }
    if (first) throw first.error
  }
}
