import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ONE_SHOT_TIMEOUT_MS, type TcpSendResult } from '../../shared/contract'
import { useLabStore } from './lab'

export interface Exchange {
  id: number
  at: number
  sent: string
  result: TcpSendResult
}

/** The one-shot TCP client: connect, send, read the reply, close. */
export const useTcpClientStore = defineStore('tcpClient', () => {
  const lab = useLabStore()
  const exchanges = ref<Exchange[]>([])
  const sending = ref(false)
  /** The message field, kept here so a lesson's preset can fill it. */
  const draft = ref('hello')
  /** Which client the panel shows (kept while the learner visits other views): one-shot, persistent TCP, UDP. */
  const kind = ref<'once' | 'tcp' | 'udp' | 'saved'>('once')
  /** The one-shot client's two timeouts (ms), settings kept while the page lives; sent as typed, the contract checks them. */
  const connectTimeoutMs = ref<number>(ONE_SHOT_TIMEOUT_MS.default)
  const replyTimeoutMs = ref<number>(ONE_SHOT_TIMEOUT_MS.default)
  let nextId = 1

  async function send(host: string, port: number, message: string) {
    sending.value = true
    try {
      const timeouts = { connectTimeoutMs: Number(connectTimeoutMs.value), replyTimeoutMs: Number(replyTimeoutMs.value) }
      const result = await lab.attempt('net.tcp.send', { host, port, message, ...timeouts })
      if (result) exchanges.value = [{ id: nextId++, at: Date.now(), sent: message, result }, ...exchanges.value].slice(0, 50)
      return result
    } finally {
      sending.value = false
    }
  }

  return { exchanges, sending, draft, kind, connectTimeoutMs, replyTimeoutMs, send }
})
