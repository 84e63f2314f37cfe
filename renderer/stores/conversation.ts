import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Whose bytes the conversation shows: a server's TCP connection, a UDP server's peer, or a client. */
export type ConversationTarget =
  | { kind: 'conn'; serverId: string; conn: number; remote: string }
  | { kind: 'peer'; serverId: string; peer: string }
  | { kind: 'client'; clientId: string; remote: string }

/** The one conversation open in the Network view (issue 14), and the button that opened it (focus goes back there). */
export const useConversationStore = defineStore('conversation', () => {
  const target = ref<ConversationTarget | null>(null)
  let opener: HTMLElement | null = null

  function open(t: ConversationTarget, from?: EventTarget | null) {
    target.value = t
    opener = from instanceof HTMLElement ? from : null
  }

  function close() {
    target.value = null
    if (opener?.isConnected) opener.focus()
    opener = null
  }

  const is = (t: ConversationTarget) => JSON.stringify(t) === JSON.stringify(target.value)
  return { target, open, close, is }
})
