/**
 * stores/net-relay.ts keeps each relay's events as the engine does (the last RELAY_LIMITS.keptEvents,
 * the rest dropped and counted), one ring per relay, and the views see every change; a reload takes
 * the engine's log in place of the page's. The engine is a fake client answering the list and the log.
 */
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { computed, nextTick, watch } from 'vue'
import { RELAY_LIMITS, type Input, type LabEvent, type MethodName, type Output, type RelayEvent, type RelayInfo } from '../../shared/contract'
import type { Result } from '../../shared/errors'
import type { ConnectionState, LabClient } from '../../renderer/bridge'
import { useLabStore } from '../../renderer/stores/lab'
import { useNetRelayStore } from '../../renderer/stores/net-relay'

const RELAY = { id: 'relay-1', proto: 'tcp', state: 'listening' } as unknown as RelayInfo

class FakeEngine implements LabClient {
  readonly door = 'browser' as const
  readonly listeners = new Set<(events: LabEvent[], dropped: number) => void>()
  log: { events: RelayEvent[]; dropped: number } = { events: [], dropped: 0 }
  probes: unknown[] = []
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    const value = method === 'net.relay.list' ? [RELAY] : method === 'net.relay.events' ? { id: RELAY.id, ...this.log, total: 0 } : method === 'net.relay.probe' ? (this.probes.push(input), { relayId: RELAY.id }) : null
    const result = value === null ? { ok: false as const, error: { code: 'ERR_INTERNAL' as const, message: method } } : { ok: true as const, value }
    return Promise.resolve(result as Result<Output<M>>)
  }
  onEvents(l: (events: LabEvent[], dropped: number) => void) {
    this.listeners.add(l)
    return () => void this.listeners.delete(l)
  }
  onState(_l: (state: ConnectionState) => void) {
    return () => {}
  }
  close() {}
  emit(events: RelayEvent[]) {
    for (const l of this.listeners) l(events.map((payload) => ({ topic: 'net.relay', payload }) as LabEvent), 0)
  }
}

const inEvent = (seq: number): RelayEvent => ({ relayId: RELAY.id, at: seq, t: seq, event: 'in', conn: 1, dir: 'up', proto: 'tcp', seq, offset: 0, bytes: 1, hex: '61', delayMs: 0, dueT: seq, action: 'forward', dup: false, holdFor: 0, keptBytes: 1 })
const seqs = (list: readonly RelayEvent[]) => list.map((e) => (e.event === 'in' ? e.seq : -1))

async function setUp() {
  setActivePinia(createPinia())
  const engine = new FakeEngine()
  useLabStore().connect(engine)
  const relay = useNetRelayStore()
  await relay.load()
  return { engine, relay }
}

describe('stores/net-relay.ts: each relay\'s events, bounded as the engine keeps them', () => {
  it('keeps the newest RELAY_LIMITS.keptEvents in order, counts the ones that fell off, and wakes the views on every event', async () => {
    const { engine, relay } = await setUp()
    const max = RELAY_LIMITS.keptEvents
    // A view's derived value, as RelayPanel's computeds are.
    const kept = computed(() => relay.selectedEvents.length)
    let woken = 0
    watch(() => relay.selectedEvents, () => woken++)

    engine.emit([inEvent(1)])
    expect(kept.value).toBe(1)
    await nextTick()
    expect(woken).toBe(1)
    engine.emit([inEvent(2)])
    expect(seqs(relay.selectedEvents)).toEqual([1, 2])
    await nextTick()
    expect(woken).toBe(2)

    engine.emit(Array.from({ length: max + 5 }, (_, i) => inEvent(i + 3)))
    expect(kept.value).toBe(max)
    expect(seqs(relay.selectedEvents).slice(0, 2)).toEqual([8, 9])
    expect(seqs(relay.selectedEvents).at(-1)).toBe(max + 7)
    expect(relay.dropped[RELAY.id]).toBe(7)
  })

  it("a reload takes the engine's log (and its dropped count) in place of what the page had", async () => {
    const { engine, relay } = await setUp()
    engine.emit([inEvent(1), inEvent(2)])
    engine.log = { events: [inEvent(10), inEvent(11), inEvent(12)], dropped: 4 }
    await relay.load()
    expect(seqs(relay.selectedEvents)).toEqual([10, 11, 12])
    expect(relay.dropped[RELAY.id]).toBe(4)
    engine.emit([inEvent(13)])
    expect(seqs(relay.selectedEvents)).toEqual([10, 11, 12, 13])
  })

  it('a TCP probe waits for every byte as long as the contract allows (it ends when they are back); a UDP probe takes the default wait', async () => {
    const { engine, relay } = await setUp()
    await relay.probe('tcp')
    await relay.probe('udp')
    expect(engine.probes).toEqual([
      { id: RELAY.id, proto: 'tcp', waitMs: RELAY_LIMITS.probeWaitMs },
      { id: RELAY.id, proto: 'udp' },
    ])
  })
})
