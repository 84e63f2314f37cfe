import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { LastSession, RestoreResult } from '../../shared/contract'
import { useLabStore } from './lab'
import { useNetClientsStore } from './net-clients'
import { useServersStore } from './servers'

/**
 * "Restore last session" (issue 14): what the engine remembered from the lab's last run (servers,
 * persistent TCP clients and the UDP sender's set-ups), offered once after a restart; a restore
 * starts each item on its own and lists the ones that failed with their coded error (a port taken
 * meanwhile …). The UDP set-ups come back for the UDP sender's form (`udpSetUps`; the newest waits in
 * `udpToApply` until the form takes it): restoring sends nothing.
 */
export const useLastSessionStore = defineStore('lastSession', () => {
  const lab = useLabStore()
  const servers = useServersStore()
  const clients = useNetClientsStore()
  const offer = ref<LastSession | null>(null)
  const result = ref<RestoreResult | null>(null)
  const busy = ref(false)
  /** The UDP set-ups the last restore gave back, oldest first; what the UDP sender offers to fill in. */
  const udpSetUps = ref<Record<string, unknown>[]>([])
  /** The set-up the UDP sender's form should take when it next shows (the newest restored); null once taken. */
  const udpToApply = ref<Record<string, unknown> | null>(null)
  const count = computed(() => ({ servers: offer.value?.servers.length ?? 0, clients: offer.value?.clients.length ?? 0, udpSenders: offer.value?.udpSenders.length ?? 0 }))
  const offered = computed(() => count.value.servers + count.value.clients + count.value.udpSenders > 0)
  const failures = computed(() => [...(result.value?.servers ?? []), ...(result.value?.clients ?? [])].filter((r) => !r.ok))

  async function refresh() {
    const r = await lab.call('net.session.last', {})
    if (r.ok) offer.value = r.value
  }
  lab.onReconnect(() => void refresh())

  async function restore() {
    busy.value = true
    try {
      const r = await lab.attempt('net.session.restore', {})
      if (!r) return
      result.value = r
      for (const s of r.servers) if (s.ok) servers.adopt(s.value)
      for (const c of r.clients) if (c.ok) clients.adopt(c.value)
      // After the servers: the UDP sender follows the newest UDP server, and the restored set-up's target wins over that.
      const udp = r.udpSenders.flatMap((u) => (u.ok ? [u.value] : []))
      if (udp.length > 0) {
        udpSetUps.value = udp
        udpToApply.value = udp.at(-1)!
      }
      await refresh()
    } finally {
      busy.value = false
    }
  }

  async function dismiss() {
    if (await lab.attempt('net.session.dismiss', {})) await refresh()
  }
  const clearResult = () => (result.value = null)

  return { offer, result, busy, count, offered, failures, udpSetUps, udpToApply, refresh, restore, dismiss, clearResult }
})
