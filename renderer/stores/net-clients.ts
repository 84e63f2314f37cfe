import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef, watch } from 'vue'
import type { ClientEvent, ClientFraming, TcpClientInfo, TextEncoding, UdpSendResult } from '../../shared/contract'
import { Ring } from '../../shared/ring'
import { useLabStore } from './lab'

/** Lines of one client's transcript kept (sent and received); older ones fall off. */
const TRANSCRIPT_LIMIT = 300

export interface TranscriptLine {
  seq: number
  at: number
  dir: 'sent' | 'received' | 'message' | 'closed' | 'error'
  bytes: number
  hex: string
  text: string
  truncated: boolean
  note?: string
}

export interface ClientView {
  info: TcpClientInfo
  transcript: Ring<TranscriptLine>
  sending: boolean
}

export interface OpenForm {
  host: string
  port: number
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
}

export interface SendForm {
  payload: string
  hex: boolean
  repeat: number
  gapMs: number
  /** Expand {{COUNTER}} and the other macros (shared/macros.ts) at each write; `counter` is the first one's. */
  macros?: boolean
  counter?: number
}

export interface UdpForm extends SendForm {
  host: string
  port: number
  encoding: TextEncoding
  /** How long to collect replies after the last send (ms); the engine's default when absent. */
  waitReplyMs?: number
  /** Broadcast and multicast (issue 14): the contract's fields, sent only when set. */
  broadcast?: boolean
  multicastInterface?: string
  multicastTtl?: number
  allInterfaces?: boolean
}

/** Only sends that ask for macros carry the fields (the engine's defaults otherwise). */
const macroFields = (form: SendForm) => (form.macros ? { macros: true, ...(form.counter !== undefined ? { counter: form.counter } : {}) } : {})

export interface UdpRun {
  id: number
  payload: string
  hex: boolean
  encoding: TextEncoding
  result: UdpSendResult
}

/**
 * Persistent TCP clients (several at once, like Packet Sender or NetAssist) and the UDP sender.
 * Each client's transcript is fed by `net.client` events and drawn once per frame.
 */
export const useNetClientsStore = defineStore('netClients', () => {
  const lab = useLabStore()
  const clients = shallowRef<ClientView[]>([])
  const udpRuns = ref<UdpRun[]>([])
  const opening = ref(false)
  const udpSending = ref(false)
  /** Events for a client whose `open` has not answered yet (its greeting may come first). */
  const pending = new Map<string, ClientEvent[]>()
  let seq = 0
  let nextUdp = 1
  let scheduled = false
  /** Bumped once per frame with changes: the client cards re-render on it (their data are plain objects). */
  const version = ref(0)

  function wake() {
    if (scheduled) return
    scheduled = true
    const flush = () => {
      scheduled = false
      triggerRef(clients)
      version.value++
    }
    if (typeof requestAnimationFrame === 'function' && !document.hidden) requestAnimationFrame(flush)
    else setTimeout(flush, 50)
  }

  function apply(view: ClientView, e: ClientEvent) {
    const info = view.info
    const line = (l: Omit<TranscriptLine, 'seq' | 'at'>) => view.transcript.push({ seq: ++seq, at: e.at, ...l })
    switch (e.event) {
      case 'connected':
        info.state = 'open'
        info.local = e.local
        break
      case 'sent':
        info.sends = Math.max(info.sends, e.seq)
        info.bytesSent += e.bytes
        line({ dir: 'sent', bytes: e.bytes, hex: e.hex, text: '', truncated: e.truncated })
        break
      case 'received':
        info.recvs++
        info.bytesReceived += e.bytes
        line({ dir: 'received', bytes: e.bytes, hex: e.hex, text: e.text, truncated: e.truncated })
        break
      case 'message':
        info.messages++
        line({ dir: 'message', bytes: e.bytes, hex: e.hex, text: e.text, truncated: e.truncated })
        break
      case 'closed':
        info.state = 'closed'
        info.closedAt = e.at
        line({ dir: 'closed', bytes: 0, hex: '', text: '', truncated: false, note: e.reason })
        break
      case 'error':
        line({ dir: 'error', bytes: 0, hex: '', text: '', truncated: false, note: e.error.code })
        break
    }
  }

  lab.on('net.client', (e) => {
    if (e.proto !== 'tcp') return
    const view = clients.value.find((c) => c.info.id === e.clientId)
    if (view) {
      apply(view, e)
      wake()
    } else {
      const list = pending.get(e.clientId) ?? []
      if (list.length < 100) list.push(e)
      pending.set(e.clientId, list)
      // Events of clients that are not ours (another window, the CLI) are not kept for long.
      if (pending.size > 50) pending.delete(pending.keys().next().value as string)
    }
  })

  // Skipped events (a burst) leave the counters short: take the engine's figures again.
  let resync: ReturnType<typeof setTimeout> | null = null
  watch(
    () => lab.dropped,
    () => {
      if (resync || clients.value.length === 0) return
      resync = setTimeout(async () => {
        resync = null
        const list = await lab.call('net.tcpClient.list', {})
        if (!list.ok) return
        for (const info of list.value) {
          const view = clients.value.find((c) => c.info.id === info.id)
          if (view) Object.assign(view.info, info)
        }
        wake()
      }, 500)
    },
  )

  /** Shows a client the engine opened (this window's open, or a restored session's). */
  function adopt(info: TcpClientInfo): TcpClientInfo {
    if (clients.value.some((c) => c.info.id === info.id)) return info
    const view: ClientView = { info: { ...info }, transcript: new Ring<TranscriptLine>(TRANSCRIPT_LIMIT), sending: false }
    // The open answer already counts what happened before it; apply only the later events.
    for (const e of pending.get(info.id) ?? []) if (e.event !== 'connected' && e.event !== 'sent') apply(view, e)
    pending.delete(info.id)
    clients.value = [...clients.value, view]
    return info
  }

  async function open(form: OpenForm): Promise<TcpClientInfo | null> {
    opening.value = true
    try {
      const info = await lab.attempt('net.tcpClient.open', { host: form.host, port: form.port, nodelay: form.nodelay, frame: form.frame, encoding: form.encoding })
      return info ? adopt(info) : null
    } finally {
      opening.value = false
    }
  }

  async function send(id: string, form: SendForm) {
    const view = clients.value.find((c) => c.info.id === id)
    if (!view) return null
    view.sending = true
    triggerRef(clients)
    version.value++
    try {
      return await lab.attempt('net.tcpClient.send', { id, payload: form.payload, hex: form.hex, repeat: form.repeat, gapMs: form.gapMs, ...macroFields(form) })
    } finally {
      view.sending = false
      triggerRef(clients)
      version.value++
    }
  }

  async function close(id: string) {
    const view = clients.value.find((c) => c.info.id === id)
    if (view && view.info.state !== 'closed') await lab.attempt('net.tcpClient.close', { id })
    else if (view) await lab.call('net.tcpClient.close', { id }) // already closed by the server: just forget it
    clients.value = clients.value.filter((c) => c.info.id !== id)
  }

  async function closeAll() {
    await Promise.all(clients.value.map((c) => close(c.info.id)))
  }

  async function udpSend(form: UdpForm): Promise<UdpSendResult | null> {
    udpSending.value = true
    try {
      const result = await lab.attempt('net.udp.send', {
        host: form.host,
        port: form.port,
        payload: form.payload,
        hex: form.hex,
        encoding: form.encoding,
        repeat: form.repeat,
        gapMs: form.gapMs,
        ...(form.waitReplyMs !== undefined ? { waitReplyMs: form.waitReplyMs } : {}),
        ...(form.broadcast ? { broadcast: true } : {}),
        ...(form.multicastInterface !== undefined ? { multicastInterface: form.multicastInterface } : {}),
        ...(form.multicastTtl !== undefined ? { multicastTtl: form.multicastTtl } : {}),
        ...(form.allInterfaces ? { allInterfaces: true } : {}),
        ...macroFields(form),
      })
      if (result) udpRuns.value = [{ id: nextUdp++, payload: form.payload, hex: form.hex, encoding: form.encoding, result }, ...udpRuns.value].slice(0, 20)
      return result
    } finally {
      udpSending.value = false
    }
  }

  return { clients, version, udpRuns, opening, udpSending, open, adopt, send, close, closeAll, udpSend }
})
