import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  MAX_SAVED_IMPORT_BATCH,
  type SavedMessage,
  type SavedMessageFields,
  type SavedMessages,
} from '../../shared/contract'
import type { LabErrorData } from '../../shared/errors'
import { FIRST_MACRO_COUNTER } from '../../shared/macros'
import { useLabStore } from './lab'
import { useNetClientsStore } from './net-clients'

/** What the last send of a saved message did, shown on its row. */
export interface SavedSendOutcome {
  at: number
  /** `tcp`: the persistent client it went through; `udp`: datagrams sent and replies. */
  via: string | null
  sends: number
  replies: number | null
  firstReply: string | null
  error: LabErrorData | null
}

/** The list grouped for the panel: groups in first-seen order, '' (no group) last. */
function groupMessages(list: readonly SavedMessage[]): { group: string; messages: SavedMessage[] }[] {
  const groups = new Map<string, SavedMessage[]>()
  for (const m of list) {
    const g = groups.get(m.group)
    if (g) g.push(m)
    else groups.set(m.group, [m])
  }
  const named = [...groups.entries()].filter(([g]) => g !== '')
  const none = groups.get('')
  return [...named, ...(none ? [['', none] as const] : [])].map(([group, messages]) => ({ group, messages }))
}

/**
 * Saved messages (Packet Sender's stored packets): kept by the engine in the data folder; sent
 * through the clients the panel already has — a persistent TCP client to the message's target
 * (one is opened when none with its framing and encoding is), or the UDP sender — so replies show
 * where the learner reads them. `{{COUNTER}}` counts per message from 1; the engine keeps where it
 * goes on (`SavedMessage.counter`, in the data folder), so it outlives a reload and a restart.
 */
export const useSavedMessagesStore = defineStore('savedMessages', () => {
  const lab = useLabStore()
  const clients = useNetClientsStore()
  const state = ref<SavedMessages>({ messages: [], file: null, damaged: 0, damagedFile: null })
  const loaded = ref(false)
  const busy = ref(false)
  const outcomes = ref<Record<string, SavedSendOutcome>>({})
  const groups = computed(() => groupMessages(state.value.messages))

  async function refresh() {
    const r = await lab.call('net.saved.list', {})
    if (r.ok) {
      state.value = r.value
      loaded.value = true
    } else lab.notify(r.error)
  }
  lab.on('net.saved.changed', () => void refresh())
  lab.onReconnect(() => void refresh())

  async function save(fields: SavedMessageFields, id?: string): Promise<SavedMessage | null> {
    busy.value = true
    try {
      const r = await lab.call('net.saved.put', id ? { id, message: fields } : { message: fields })
      if (!r.ok) {
        lab.notify(r.error)
        return null
      }
      await refresh()
      return r.value
    } finally {
      busy.value = false
    }
  }

  async function remove(id: string) {
    if (await lab.attempt('net.saved.remove', { id })) await refresh()
  }

  /** Imports in parts of MAX_SAVED_IMPORT_BATCH (a browser-mode request is at most 1 MiB); the whole file was checked first. */
  async function importMessages(list: SavedMessageFields[]): Promise<number> {
    busy.value = true
    let added = 0
    try {
      for (let i = 0; i < list.length; i += MAX_SAVED_IMPORT_BATCH) {
        const r = await lab.attempt('net.saved.import', { messages: list.slice(i, i + MAX_SAVED_IMPORT_BATCH) })
        if (!r) break
        added += r.added
      }
      await refresh()
      return added
    } finally {
      busy.value = false
    }
  }

  const counterOf = (id: string) => state.value.messages.find((m) => m.id === id)?.counter ?? FIRST_MACRO_COUNTER
  /** Keeps where the counter goes on in the engine, and shows it at once (the changed event refreshes every window). */
  async function storeCounter(id: string, next: number) {
    const r = await lab.call('net.saved.counter', { id, next })
    if (!r.ok) return lab.notify(r.error)
    state.value = { ...state.value, messages: state.value.messages.map((m) => (m.id === id ? r.value : m)) }
  }
  const resetCounter = (id: string) => storeCounter(id, 1)

  async function send(m: SavedMessage): Promise<SavedSendOutcome> {
    const counter = m.macros ? { macros: true, counter: counterOf(m.id) } : {}
    const form = { payload: m.payload, hex: m.hex, repeat: m.repeat, gapMs: m.gapMs, ...counter }
    let outcome: SavedSendOutcome
    if (m.proto === 'udp') {
      const r = await clients.udpSend({ ...form, host: m.host, port: m.port, encoding: m.encoding })
      outcome = r
        ? { at: Date.now(), via: null, sends: r.sent.length, replies: r.replies.length, firstReply: r.replies[0]?.text ?? null, error: null }
        : failed()
      if (r && m.macros) await storeCounter(m.id, r.nextCounter)
    } else {
      // A persistent client to the same target, framing and encoding, or a new one.
      const open = clients.clients.find(
        (c) => c.info.state === 'open' && c.info.host === m.host && c.info.port === m.port && c.info.frame === m.frame && c.info.encoding === m.encoding,
      )
      const id = open?.info.id ?? (await clients.open({ host: m.host, port: m.port, nodelay: true, frame: m.frame, encoding: m.encoding }))?.id
      const r = id ? await clients.send(id, form) : null
      outcome = r ? { at: Date.now(), via: r.id, sends: r.sends, replies: null, firstReply: null, error: null } : failed()
      if (r && m.macros) await storeCounter(m.id, r.nextCounter)
    }
    outcomes.value = { ...outcomes.value, [m.id]: outcome }
    return outcome
  }
  const failed = (): SavedSendOutcome => ({ at: Date.now(), via: null, sends: 0, replies: null, firstReply: null, error: lab.notices.at(-1)?.error ?? null })

  return { state, loaded, busy, groups, outcomes, refresh, save, remove, importMessages, counterOf, resetCounter, send }
})
