import { defineStore } from 'pinia'
import { shallowRef, watch } from 'vue'
import type { ClientCounters, ConnCounters, Input, NetCounters, ServerCounters } from '../../shared/contract'
import { useLabStore } from './lab'

/** How often the page asks for the engine's counters while a view shows them. */
const POLL_MS = 1_000

/**
 * The engine's traffic counters (issue 14) per server, connection or UDP peer, and client: read once
 * a second while some view shows them (each view says so with `use()`/`release()`), never otherwise.
 */
export const useTrafficCountersStore = defineStore('trafficCounters', () => {
  const lab = useLabStore()
  const counters = shallowRef<NetCounters | null>(null)
  let users = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let reading = false

  async function read() {
    if (reading) return
    reading = true
    try {
      const r = await lab.call('net.counters.read', {})
      if (r.ok) counters.value = r.value
    } finally {
      reading = false
    }
  }

  function schedule() {
    if (timer || users === 0) return
    timer = setTimeout(async () => {
      timer = null
      if (users === 0) return
      if (lab.connected) await read()
      schedule()
    }, POLL_MS)
  }

  function use() {
    users++
    if (users === 1) void read()
    schedule()
  }
  function release() {
    users = Math.max(0, users - 1)
    if (users === 0 && timer) {
      clearTimeout(timer)
      timer = null
    }
  }
  watch(
    () => lab.connected,
    (open) => {
      if (open && users > 0) void read()
    },
  )

  const server = (id: string): ServerCounters | null => counters.value?.servers.find((s) => s.serverId === id) ?? null
  function conn(serverId: string, key: { conn?: number; peer?: string }): ConnCounters | null {
    const s = server(serverId)
    if (!s) return null
    return s.conns.find((c) => (key.conn !== undefined ? c.conn === key.conn : c.peer === key.peer)) ?? null
  }
  const client = (id: string): ClientCounters | null => counters.value?.clients.find((c) => c.clientId === id) ?? null

  async function reset(which: Input<'net.counters.reset'>) {
    if (await lab.attempt('net.counters.reset', which)) await read()
  }

  return { counters, use, release, read, server, conn, client, reset }
})
