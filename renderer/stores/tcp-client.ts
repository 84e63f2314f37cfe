import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TcpSendResult } from '../../shared/contract'
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
  const kind = ref<'once' | 'tcp' | 'udp'>('once')
  let nextId = 1

  async function send(host: string, port: number, message: string) {
    sending.value = true
    try {
      const result = await lab.attempt('net.tcp.send', { host, port, message })
      if (result) exchanges.value = [{ id: nextId++, at: Date.now(), sent: message, result }, ...exchanges.value].slice(0, 50)
      return result
    } finally {
      sending.value = false
    }
  }

  return { exchanges, sending, draft, kind, send }
})
