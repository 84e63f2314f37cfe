import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { ServerEvent, ServerInfo } from '../../shared/contract'
import { useLabStore } from './lab'

/** The log keeps the newest entries only, so a flood cannot grow the page's memory. */
export const LOG_LIMIT = 5_000

export interface LogEntry {
  seq: number
  event: ServerEvent
}

/** Servers started from this window and their live events. */
export const useServersStore = defineStore('servers', () => {
  const lab = useLabStore()
  const servers = ref<ServerInfo[]>([])
  const log = shallowRef<LogEntry[]>([])
  const total = ref(0)
  const busy = ref(false)
  let seq = 0

  const running = computed(() => servers.value.filter((s) => s.state === 'listening'))

  function apply(e: ServerEvent) {
    const server = servers.value.find((s) => s.id === e.serverId)
    if (server) {
      if (e.event === 'connection') {
        server.connections.push({ conn: e.conn, remote: e.remote, openedAt: e.at, bytesIn: 0, bytesOut: 0, state: 'serving', servedBy: e.servedBy, messages: 0 })
      } else if (e.event === 'recv' || e.event === 'send') {
        const c = server.connections.find((x) => x.conn === e.conn)
        if (c) {
          if (e.event === 'recv') c.bytesIn += e.bytes
          else c.bytesOut += e.bytes
        }
      } else if (e.event === 'close') {
        server.connections = server.connections.filter((x) => x.conn !== e.conn)
      } else if (e.event === 'closed') {
        server.state = 'closed'
      }
    }
    log.value.push({ seq: ++seq, event: e })
    if (log.value.length > LOG_LIMIT) log.value.splice(0, log.value.length - LOG_LIMIT)
    total.value++
  }

  lab.on('net.server', (e) => {
    apply(e)
    triggerRef(log)
  })

  async function refresh() {
    const list = await lab.attempt('net.server.list', {})
    if (list) servers.value = list
  }

  async function startTcp(host: string, port: number) {
    busy.value = true
    try {
      const info = await lab.attempt('net.tcpServer.start', { host, port })
      if (info && !servers.value.some((s) => s.id === info.id)) servers.value.push(info)
      return info
    } finally {
      busy.value = false
    }
  }

  async function stop(id: string) {
    const done = await lab.attempt('net.server.stop', { id })
    if (done) servers.value = servers.value.filter((s) => s.id !== id)
  }

  function clearLog() {
    log.value = []
    total.value = 0
  }

  return { servers, running, log, total, busy, refresh, startTcp, stop, clearLog }
})
