import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef } from 'vue'
import type { Events, Input, LabInfo, MethodName, Output, Topic } from '../../shared/contract'
import type { LabErrorData, Result } from '../../shared/errors'
import { createLabClient, type ConnectionState, type LabClient } from '../bridge'
import { DisposableStore } from '../../shared/disposable'

type TopicListener<T extends Topic> = (payload: Events[T]) => void

/** How the last `attempt` ended: the form that sent it highlights the field a refusal names (use-field-errors.ts). */
export interface AttemptOutcome {
  /** Counts up with every attempt, so the same outcome twice is still a change. */
  seq: number
  method: MethodName
  input: unknown
  /** Null when it succeeded. */
  error: LabErrorData | null
  /** The notice that shows the error. */
  noticeId: number | null
}

/**
 * The connection to the engine: the only store that holds the LabClient. Other stores
 * call `call()` and subscribe to topics with `on()`.
 *
 * Ownership (shared/disposable.ts): this store owns every subscription made through it. The
 * client's own listeners belong to the connection and end when connect() hands in another client;
 * the topic and reconnect listeners of the page's stores end with this store (its Pinia scope). A
 * caller that lives less long (a component) disposes what `on()` returns when it goes.
 */
export const useLabStore = defineStore('lab', () => {
  const client = shallowRef<LabClient | null>(null)
  const state = ref<ConnectionState>('connecting')
  const info = ref<LabInfo | null>(null)
  const dropped = ref(0)
  const notices = ref<{ id: number; error: LabErrorData }[]>([])
  const lastOutcome = shallowRef<AttemptOutcome | null>(null)
  /** Notices whose field a form has highlighted: only they may say "check the highlighted option". */
  const highlighted = ref<ReadonlySet<number>>(new Set())
  let outcomes = 0
  /** True while the engine answers; views stop live clocks and stop claiming "listening" when it is false. */
  const connected = computed(() => state.value === 'open')
  /** How many times the page got the engine back after losing it (shown in the status bar). */
  const reconnects = ref(0)
  /** When the connection was lost (ms since epoch), null while connected. */
  const lostAt = ref<number | null>(null)
  const listeners = new Map<Topic, Set<(payload: never) => void>>()
  const reconnectListeners = new Set<() => void>()
  /** The current client's state and event listeners. */
  const connection = new DisposableStore()
  /** Every `on()` and `onReconnect()` listener, until its caller or this store disposes it. */
  const subscriptions = new DisposableStore()
  onScopeDispose(() => {
    connection.dispose()
    subscriptions.dispose()
  })
  let nextNotice = 1

  function refreshInfo() {
    void call('lab.info', {}).then((r) => {
      if (r.ok) info.value = r.value
    })
  }

  function connect(custom?: LabClient) {
    const c = markRaw(custom ?? createLabClient())
    const old = client.value
    client.value = c
    connection.clear()
    // The old client's socket would otherwise stay open and keep reconnecting beside the new one;
    // its listeners are gone first, so its 'closed' does not reach this store's state.
    if (old && old !== c) old.close()
    connection.add(c.onState((s) => {
      const before = state.value
      state.value = s
      if (s !== 'open') {
        lostAt.value ??= Date.now()
        return
      }
      lostAt.value = null
      if (before === 'reconnecting') {
        // The engine may be a new process (the lab restarted): what the page knew is stale.
        reconnects.value++
        refreshInfo()
        for (const l of reconnectListeners) l()
      }
    }))
    connection.add(c.onEvents((events, lost) => {
      dropped.value += lost
      for (const e of events) listeners.get(e.topic)?.forEach((l) => l(e.payload as never))
    }))
    refreshInfo()
  }

  /** Runs `listener` each time the page gets the engine back after losing it. */
  function onReconnect(listener: () => void): () => void {
    reconnectListeners.add(listener)
    return subscriptions.add(() => reconnectListeners.delete(listener))
  }

  async function call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    if (!client.value) connect()
    return client.value!.call(method, input)
  }

  /** Like `call`, but shows a failure as a notice and returns null. */
  async function attempt<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M> | null> {
    const r = await call(method, input)
    if (r.ok) {
      lastOutcome.value = { seq: ++outcomes, method, input, error: null, noticeId: null }
      return r.value
    }
    const noticeId = notify(r.error)
    lastOutcome.value = { seq: ++outcomes, method, input, error: r.error, noticeId }
    return null
  }

  function notify(error: LabErrorData): number {
    const id = nextNotice++
    notices.value = [...notices.value.slice(-3), { id, error }]
    return id
  }

  /** A form highlighted the field notice `id` names. */
  function markHighlighted(id: number) {
    highlighted.value = new Set([...highlighted.value, id].filter((n) => notices.value.some((x) => x.id === n)))
  }

  function dismiss(id: number) {
    notices.value = notices.value.filter((n) => n.id !== id)
    if (highlighted.value.has(id)) highlighted.value = new Set([...highlighted.value].filter((n) => n !== id))
  }

  function on<T extends Topic>(topic: T, listener: TopicListener<T>): () => void {
    let set = listeners.get(topic)
    if (!set) listeners.set(topic, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return subscriptions.add(() => set.delete(listener as (payload: never) => void))
  }

  return { client, state, connected, reconnects, lostAt, info, dropped, notices, lastOutcome, highlighted, connect, call, attempt, notify, markHighlighted, dismiss, on, onReconnect }
})
