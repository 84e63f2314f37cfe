import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
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
import { defaultRelayForm, type RelayForm } from '../forms/relay-form'
import { useLabStore } from './lab'

/**
 * The relays (issue 14): the form, the relays the engine runs, their events and the last probes.
 * The engine keeps each relay's last RELAY_LIMITS.keptEvents events, so a page that reloads asks
 * for them (load) instead of starting empty.
 */
export const useNetRelayStore = defineStore('netRelay', () => {
  const lab = useLabStore()
  const form = ref<RelayForm>(defaultRelayForm())
  const preset = ref<RelayPresetName | null>(null)
  const relays = ref<RelayInfo[]>([])
  const selectedId = ref<string | null>(null)
  const events = shallowRef<Record<string, RelayEvent[]>>({})
  const dropped = ref<Record<string, number>>({})
  const probes = ref<Partial<Record<'tcp' | 'udp', RelayProbeResult>>>({})
  const busy = ref(false)
  let subscribed = false
  let refreshTimer: ReturnType<typeof setTimeout> | null = null

  const selected = computed(() => relays.value.find((r) => r.id === selectedId.value) ?? relays.value.at(-1) ?? null)
  const selectedEvents = computed(() => (selected.value ? (events.value[selected.value.id] ?? []) : []))

  function keep(id: string, list: RelayEvent[]) {
    const over = list.length - RELAY_LIMITS.keptEvents
    if (over > 0) {
      dropped.value = { ...dropped.value, [id]: (dropped.value[id] ?? 0) + over }
      list = list.slice(over)
    }
    events.value = { ...events.value, [id]: list }
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
        keep(e.relayId, [...(events.value[e.relayId] ?? []), e])
        refreshSoon()
      })
      lab.onReconnect(() => void load())
    }
    await refresh()
    for (const r of relays.value) {
      const log = await lab.call('net.relay.events', { id: r.id })
      if (!log.ok) continue
      events.value = { ...events.value, [r.id]: log.value.events }
      dropped.value = { ...dropped.value, [r.id]: log.value.dropped }
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
      const result = await lab.attempt('net.relay.probe', { id: r.id, proto, count: 20 })
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

  return { form, preset, relays, selectedId, selected, selectedEvents, events, dropped, probes, busy, load, refresh, applyPreset, startTargets, start, stop, probe, tryPreset }
})
