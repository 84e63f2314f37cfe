import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../shared/contract'
import type { ConnectionState, LabClient } from '../../renderer/bridge'
import { useLabStore } from '../../renderer/stores/lab'

/** A client that counts who listens, so the test sees what the store leaves subscribed. */
class CountingClient implements LabClient {
  readonly door = 'browser' as const
  readonly eventListeners = new Set<(events: LabEvent[], dropped: number) => void>()
  readonly stateListeners = new Set<(state: ConnectionState) => void>()
  call() {
    return Promise.resolve({ ok: false as const, error: { code: 'ERR_INTERNAL' as const, message: 'not in this test' } })
  }
  onEvents(l: (events: LabEvent[], dropped: number) => void) {
    this.eventListeners.add(l)
    return () => void this.eventListeners.delete(l)
  }
  onState(l: (state: ConnectionState) => void) {
    this.stateListeners.add(l)
    return () => void this.stateListeners.delete(l)
  }
  closed = 0
  close() {
    this.closed++
  }
  emit(topic: string) {
    for (const l of this.eventListeners) l([{ topic, payload: {} } as unknown as LabEvent], 0)
  }
}

describe('stores/lab.ts owns its subscriptions (shared/disposable.ts)', () => {
  it("a new client replaces the old one's listeners; disposing the store drops every topic and reconnect listener", () => {
    setActivePinia(createPinia())
    const lab = useLabStore()
    const first = new CountingClient()
    lab.connect(first)
    const second = new CountingClient()
    lab.connect(second)
    expect(first.eventListeners.size + first.stateListeners.size).toBe(0)
    expect(first.closed).toBe(1) // its socket does not live on beside the new one
    expect(second.closed).toBe(0)
    expect(second.eventListeners.size).toBe(1)
    expect(second.stateListeners.size).toBe(1)

    let heard = 0
    lab.on('history.changed', () => heard++)
    const early = lab.on('history.changed', () => (heard += 100))
    lab.onReconnect(() => heard++)
    early()
    second.emit('history.changed')
    expect(heard).toBe(1)

    lab.$dispose()
    second.emit('history.changed')
    expect(heard).toBe(1)
    expect(second.eventListeners.size + second.stateListeners.size).toBe(0)
  })
})
