import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  NO_CONDITIONS,
  RELAY_LIMITS,
  RELAY_PRESETS,
  type RelayConditions,
  type RelayEvent,
  type RelayInfo,
  type RelayPresetName,
  type RelayProbeResult,
} from '../../shared/contract'
import { Ring } from '../../shared/ring'
import { defaultRelayForm, type RelayForm } from '../forms/relay-form'
import { useLabStore } from './lab'

/**
 * The relays (issue 14): the form, the relays the engine runs, their events and the last probes.
 * The engine keeps each relay's last RELAY_LIMITS.keptEvents events, so a page that reloads asks
 * for them (load) instead of starting empty. The page keeps as many, in one ring per relay: an
 * event costs a push and a counter (O(1)), not a copy of the list; the views read the list again
 * (selectedEvents) when `version` says it changed, at most once per render.
 */
export const useNetRelayStore = defineStore('netRelay', () => {
  const lab = useLabStore()
  const form = ref<RelayForm>(defaultRelayForm())
  const preset = ref<RelayPresetName | null>(null)
  const relays = ref<RelayInfo[]>([])
  const selectedId = ref<string | null>(null)
  /** relayId → its newest events (plain data: `version` is what the views watch). */
  const events = new Map<string, Ring<RelayEvent>>()
  /** Bumped with every change to `events`. */
  const version = ref(0)
  const dropped = ref<Record<string, number>>({})
  const probes = ref<Partial<Record<'tcp' | 'udp', RelayProbeResult>>>({})
  const busy = ref(false)
  let subscribed = false
  let refreshTimer: ReturnType<typeof setTimeout> | null = null

  const selected = computed(() => relays.value.find((r) => r.id === selectedId.value) ?? relays.value.at(-1) ?? null)
  const selectedEvents = computed(() => (version.value, selected.value ? (events.get(selected.value.id)?.toArray() ?? []) : []))

  const ringOf = (id: string) => {
    let ring = events.get(id)
    if (!ring) events.set(id, (ring = new Ring<RelayEvent>(RELAY_LIMITS.keptEvents)))
    return ring
  }

  /** One event: the oldest kept one falls off (counted) once the ring is full. */
  function keep(e: RelayEvent) {
    const ring = ringOf(e.relayId)
    if (ring.size === ring.capacity) dropped.value[e.relayId] = (dropped.value[e.relayId] ?? 0) + 1
    ring.push(e)
    version.value++
  }

  /** What the engine kept for a relay (after a reload), in place of what the page had. */
  function replace(id: string, list: RelayEvent[], droppedBefore: number) {
    const ring = ringOf(id)
    ring.clear()
    const over = Math.max(0, list.length - ring.capacity)
    for (let i = over; i < list.length; i++) ring.push(list[i]!)
    dropped.value[id] = droppedBefore + over
    version.value++
  }

  function refreshSoon() {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null
      void refresh()
    }, 250)
  }

  async function refresh() {
    const r = await lab.call('net.relay.list', {})
    if (r.ok) relays.value = r.value
  }

  /** Reads back the relays and their kept events (after a reload, or the engine coming back). */
  async function load() {
    if (!subscribed) {
      subscribed = true
      lab.on('net.relay', (e) => {
        keep(e)
        refreshSoon()
      })
      lab.onReconnect(() => void load())
    }
    await refresh()
    for (const r of relays.value) {
      const log = await lab.call('net.relay.events', { id: r.id })
      if (!log.ok) continue
      replace(r.id, log.value.events, log.value.dropped)
    }
  }

  function applyPreset(name: RelayPresetName) {
    const p = RELAY_PRESETS[name]
    preset.value = name
    form.value = { ...form.value, proto: p.proto, seed: p.seed, up: { ...NO_CONDITIONS, ...p.up }, down: { ...NO_CONDITIONS, ...p.down } }
  }

  /** The course's upper-case server on a free port, TCP and UDP on the same number: something to relay to. */
  async function startTargets() {
    const tcp = await lab.attempt('net.tcpServer.start', { port: 0 })
    if (!tcp) return
    await lab.attempt('net.udpServer.start', { port: tcp.port })
    form.value = { ...form.value, targetPort: tcp.port }
  }

  /** Only the conditions that are set, and only those that apply to the protocol. */
  const given = (c: RelayConditions) => Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'number' && v > 0)) as Partial<RelayConditions>

  async function start() {
    const f = form.value
    if (f.targetPort === null || busy.value) return
    busy.value = true
    try {
      const info = await lab.attempt('net.relay.start', { proto: f.proto, listenPort: f.listenPort, targetHost: f.targetHost, targetPort: f.targetPort, seed: f.seed, up: given(f.up), down: given(f.down) })
      if (!info) return
      selectedId.value = info.id
      probes.value = {}
      await refresh()
    } finally {
      busy.value = false
    }
  }

  async function stop(id: string) {
    await lab.attempt('net.relay.stop', { id })
    await refresh()
  }

  async function probe(proto: 'tcp' | 'udp') {
    const r = selected.value
    if (!r || busy.value) return
    busy.value = true
    try {
      // TCP delivers every byte, and the probe ends as soon as they are all back (relay-probe.ts): its
      // wait only bounds a server that never answers, so it is the longest allowed. With the 1 s
      // default a slow link on a busy machine could be reported as "received 17 of 20, differs" — what
      // TCP never does. A UDP probe ends once each datagram is back or reported dropped by the relay;
      // the default bounds only a loss the relay did not see (or a server that does not answer).
      const result = await lab.attempt('net.relay.probe', { id: r.id, proto, ...(proto === 'tcp' ? { waitMs: RELAY_LIMITS.probeWaitMs } : {}) })
      if (result) probes.value = { ...probes.value, [proto]: result }
      await refresh()
    } finally {
      busy.value = false
    }
  }

  /**
   * A lesson's try-it (issue 14): the preset, the course's servers to relay to, the relay, then the
   * probe of each protocol it relays (UDP first: the lossy link's point is UDP beside TCP). Each step
   * stops at its own refusal, which the page shows as a notice.
   */
  async function tryPreset(name: RelayPresetName) {
    applyPreset(name)
    await startTargets()
    if (form.value.targetPort === null) return
    const before = relays.value.length
    await start()
    if (relays.value.length === before) return
    const proto = form.value.proto
    if (proto !== 'tcp') await probe('udp')
    if (proto !== 'udp') await probe('tcp')
  }

  return { form, preset, relays, selectedId, selected, selectedEvents, version, dropped, probes, busy, load, refresh, applyPreset, startTargets, start, stop, probe, tryPreset }
})
