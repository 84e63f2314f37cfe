import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import type { ConnectionInfo, Framing, ServeStartup, ServedBy, ServerEvent, ServerInfo, ServerMode, UdpServerMode } from '../../shared/contract'
import { UDP_RECENT_PEERS } from '../../shared/budgets'
import { useLabStore } from './lab'

export interface TcpServerForm {
  host: string
  port: number
  mode: ServerMode
  handler: string
  recvSize: number | null
  readDelayMs: number
  frame: Framing
  /** Consent to listen on every interface (0.0.0.0, :: …): the engine refuses them without it. */
  allInterfaces?: boolean
  /** socketserver's request_queue_size; the engine's default (5) when absent. */
  requestQueueSize?: number
  /** ms; 0 = never; the engine's default when absent. */
  idleTimeoutMs?: number
  /** threading/forking: threads or processes kept ready. */
  spares?: number
}

/** A UDP server's datagram as the panel lists it: who handled it, after how long. */
export interface DatagramSeen {
  at: number
  from: { address: string; port: number }
  bytes: number
  servedBy: ServedBy | null
  waitedMs: number | null
  startup: ServeStartup | null
}
/** Datagrams listed per UDP server (the newest); the event log keeps them all. */
const RECENT_DATAGRAMS = 8

/**
 * Servers started from this window and their live connections (the event log is stores/event-log.ts,
 * kept by the engine). Events arrive in batches (the engine flushes every 50 ms); the store applies each one
 * to plain objects and wakes the views once per animation frame, whatever the event rate.
 */
export const useServersStore = defineStore('servers', () => {
  const lab = useLabStore()
  const servers = shallowRef<ServerInfo[]>([])
  const busy = ref(false)
  /** Bumped when events changed the servers: views that derive from them watch this. */
  const version = ref(0)
  let scheduled = false
  /** conn → connection per server, so a read event finds its row in O(1) even with 1,000 connections. */
  const index = new WeakMap<ServerInfo, Map<number, ConnectionInfo>>()
  const connsOf = (server: ServerInfo) => {
    let map = index.get(server)
    if (!map) index.set(server, (map = new Map(server.connections.map((c) => [c.conn, c]))))
    return map
  }

  /** serverId → its newest datagrams (UDP), newest first. Plain data, woken through `version`. */
  const recent = new Map<string, DatagramSeen[]>()
  const datagramsOf = (serverId: string): DatagramSeen[] => recent.get(serverId) ?? []

  const running = computed(() => servers.value.filter((s) => s.state === 'listening'))

  function wake() {
    if (scheduled) return
    scheduled = true
    const flush = () => {
      scheduled = false
      triggerRef(servers)
      version.value++
    }
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) requestAnimationFrame(flush)
    else setTimeout(flush, 50)
  }

  function apply(e: ServerEvent) {
    const server = servers.value.find((s) => s.id === e.serverId)
    if (!server) return
    switch (e.event) {
      case 'connection': {
        // Serial mode announces a queued connection first ('queued'), then 'connection' if it is ever served.
        const existing = connsOf(server).get(e.conn)
        if (existing) {
          existing.servedBy = e.servedBy
          if (e.startup) existing.startup = e.startup
        } else {
          // `startup`: how it got its thread or process (lesson 7 reads it).
          const c: ConnectionInfo = { conn: e.conn, remote: e.remote, openedAt: e.at, bytesIn: 0, bytesOut: 0, state: 'serving', servedBy: e.servedBy, messages: 0, ...(e.startup ? { startup: e.startup } : {}) }
          server.connections.push(c)
          connsOf(server).set(e.conn, c)
          server.stats.accepted++
        }
        break
      }
      case 'queued':
        if (!server.queue.some((q) => q.conn === e.conn)) server.queue.push({ conn: e.conn, remote: e.remote, since: e.at })
        const waiting = connsOf(server).get(e.conn)
        if (waiting) waiting.state = 'waiting'
        else {
          const c: ConnectionInfo = { conn: e.conn, remote: e.remote, openedAt: e.at, bytesIn: 0, bytesOut: 0, state: 'waiting', servedBy: { kind: 'queue', pid: 0, tid: null }, messages: 0 }
          server.connections.push(c)
          connsOf(server).set(e.conn, c)
          server.stats.accepted++
        }
        break
      case 'served': {
        server.queue = server.queue.filter((q) => q.conn !== e.conn)
        const c = connsOf(server).get(e.conn)
        if (c) {
          c.state = 'serving'
          c.servedBy = e.servedBy
        }
        break
      }
      case 'recv':
      case 'send': {
        const c = connsOf(server).get(e.conn)
        if (e.event === 'recv') {
          if (c) c.bytesIn += e.bytes
          server.stats.bytesIn += e.bytes
        } else {
          if (c) c.bytesOut += e.bytes
          server.stats.bytesOut += e.bytes
        }
        break
      }
      case 'message': {
        const c = connsOf(server).get(e.conn)
        if (c) c.messages++
        break
      }
      case 'datagram': {
        server.stats.datagrams++
        server.stats.bytesIn += e.bytes
        const list = recent.get(server.id) ?? []
        list.unshift({ at: e.at, from: e.from, bytes: e.bytes, servedBy: e.servedBy ?? null, waitedMs: e.waitedMs ?? null, startup: e.startup ?? null })
        if (list.length > RECENT_DATAGRAMS) list.length = RECENT_DATAGRAMS
        recent.set(server.id, list)
        notePeer(server, e.from, e.at)
        break
      }
      case 'sendto':
        server.stats.bytesOut += e.bytes
        break
      case 'drop':
        server.stats.dropped = e.dropped
        break
      case 'spares':
        // The warm-spare state the server panel shows (threading/forking).
        server.sparesReady = e.ready
        server.sparesDeferred = e.deferred ?? 0
        break
      case 'close':
        connsOf(server).delete(e.conn)
        server.connections = server.connections.filter((x) => x.conn !== e.conn)
        server.queue = server.queue.filter((q) => q.conn !== e.conn)
        break
      case 'closed':
        server.state = 'closed'
        break
    }
  }

  /** A UDP server's recent peers, as the engine keeps them (udp-peers.ts): newest first, bounded the same. */
  function notePeer(server: ServerInfo, from: { address: string; port: number }, at: number) {
    const peers = server.peers ?? (server.peers = [])
    const i = peers.findIndex((p) => p.address === from.address && p.port === from.port)
    const datagrams = i >= 0 ? peers.splice(i, 1)[0]!.datagrams + 1 : 1
    peers.unshift({ address: from.address, port: from.port, datagrams, lastAt: at })
    if (peers.length > UDP_RECENT_PEERS) peers.length = UDP_RECENT_PEERS
  }

  lab.on('net.server', (e) => {
    apply(e)
    wake()
  })

  async function refresh() {
    const list = await lab.attempt('net.server.list', {})
    if (list) servers.value = list
  }

  // Back from a lost connection: the engine may be a new process whose list is empty.
  lab.onReconnect(() => void refresh())

  // Under a burst the transport may skip events (lab.dropped counts them): the counters built from
  // events would then lag, so take the engine's own figures again, at most twice a second.
  let resync: ReturnType<typeof setTimeout> | null = null
  watch(
    () => lab.dropped,
    () => {
      if (resync) return
      resync = setTimeout(() => {
        resync = null
        if (servers.value.length > 0) void refresh()
      }, 500)
    },
  )

  function add(info: ServerInfo | null) {
    if (info && !servers.value.some((s) => s.id === info.id)) servers.value = [...servers.value, info]
    return info
  }

  async function startTcp(form: Partial<TcpServerForm> & { host: string; port: number }) {
    busy.value = true
    try {
      return add(
        await lab.attempt('net.tcpServer.start', {
          host: form.host,
          port: form.port,
          ...(form.allInterfaces ? { allInterfaces: true } : {}),
          ...(form.mode ? { mode: form.mode } : {}),
          ...(form.handler ? { handler: form.handler } : {}),
          ...(form.recvSize ? { recvSize: form.recvSize } : {}),
          ...(form.readDelayMs ? { readDelayMs: form.readDelayMs } : {}),
          ...(form.frame && form.frame !== 'none' ? { frame: form.frame } : {}),
          ...(form.requestQueueSize ? { requestQueueSize: form.requestQueueSize } : {}),
          ...(form.idleTimeoutMs !== undefined ? { idleTimeoutMs: form.idleTimeoutMs } : {}),
          ...(form.spares && (form.mode === 'threading' || form.mode === 'forking') ? { spares: form.spares } : {}),
        }),
      )
    } finally {
      busy.value = false
    }
  }

  async function startUdp(form: { host?: string; port: number; handler?: string; allInterfaces?: boolean; mode?: UdpServerMode; spares?: number; multicastGroup?: string; multicastInterface?: string }) {
    busy.value = true
    try {
      return add(
        await lab.attempt('net.udpServer.start', {
          ...(form.host !== undefined ? { host: form.host } : {}),
          ...(form.multicastGroup ? { multicastGroup: form.multicastGroup } : {}),
          ...(form.multicastGroup && form.multicastInterface ? { multicastInterface: form.multicastInterface } : {}),
          port: form.port,
          ...(form.allInterfaces ? { allInterfaces: true } : {}),
          ...(form.handler ? { handler: form.handler } : {}),
          ...(form.mode ? { mode: form.mode } : {}),
          ...(form.spares && form.mode === 'threading' ? { spares: form.spares } : {}),
        }),
      )
    } finally {
      busy.value = false
    }
  }

  async function stop(id: string) {
    const done = await lab.attempt('net.server.stop', { id })
    if (done) {
      servers.value = servers.value.filter((s) => s.id !== id)
      recent.delete(id)
    }
  }

  return { servers, running, version, busy, refresh, startTcp, startUdp, stop, datagramsOf, adopt: add }
})
