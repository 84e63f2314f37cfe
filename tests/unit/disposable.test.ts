import { describe, expect, it } from 'vitest'
import { DisposableStore, toDisposable } from '../../shared/disposable'

describe('DisposableStore (shared/disposable.ts)', () => {
  it('undoes everything it holds, the newest first, once', () => {
    const store = new DisposableStore()
    const undone: string[] = []
    store.add(() => undone.push('first'))
    store.add(toDisposable(() => undone.push('second')))
    store.add(() => undone.push('third'))
    expect(store.size).toBe(3)
    store.dispose()
    store.dispose()
    expect(undone).toEqual(['third', 'second', 'first'])
    expect(store.size).toBe(0)
  })

  it('an early undo runs once and the store forgets it', () => {
    const store = new DisposableStore()
    let undone = 0
    const off = store.add(() => undone++)
    off()
    off()
    store.dispose()
    expect(undone).toBe(1)
  })

  it('what is added after dispose is undone at once (a late subscription does not outlive its owner)', () => {
    const store = new DisposableStore()
    store.dispose()
    let undone = 0
    store.add(() => undone++)
    expect(undone).toBe(1)
    expect(store.size).toBe(0)
  })

  it('every undo runs even when one throws; the first error is thrown after', () => {
    const store = new DisposableStore()
    const undone: string[] = []
    store.add(() => undone.push('a'))
    store.add(() => {
      throw new Error('boom')
    })
    store.add(() => undone.push('c'))
    expect(() => store.dispose()).toThrow('boom')
    expect(undone).toEqual(['c', 'a'])
  })

  it('clear() undoes what it holds and stays usable', () => {
    const store = new DisposableStore()
    let undone = 0
    store.add(() => undone++)
    store.clear()
    store.add(() => undone++)
    expect(undone).toBe(1)
    expect(store.isDisposed).toBe(false)
    store.dispose()
    expect(undone).toBe(2)
  })
})
