import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { Events, Input, LabInfo, MethodName, Output, Topic } from '../../shared/contract'
import type { LabErrorData, Result } from '../../shared/errors'
import { createLabClient, type ConnectionState, type LabClient } from '../bridge'

type TopicListener<T extends Topic> = (payload: Events[T]) => void

/**
 * The connection to the engine: the only store that holds the LabClient. Other stores
 * call `call()` and subscribe to topics with `on()`.
 */
export const useLabStore = defineStore('lab', () => {
  const client = shallowRef<LabClient | null>(null)
  const state = ref<ConnectionState>('connecting')
  const info = ref<LabInfo | null>(null)
  const dropped = ref(0)
  const notices = ref<{ id: number; error: LabErrorData }[]>([])
  const listeners = new Map<Topic, Set<(payload: never) => void>>()
  let nextNotice = 1

  function connect(custom?: LabClient) {
    const c = markRaw(custom ?? createLabClient())
    client.value = c
    c.onState((s) => (state.value = s))
    c.onEvents((events, lost) => {
      dropped.value += lost
      for (const e of events) listeners.get(e.topic)?.forEach((l) => l(e.payload as never))
    })
    void call('lab.info', {}).then((r) => {
      if (r.ok) info.value = r.value
    })
  }

  async function call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    if (!client.value) connect()
    return client.value!.call(method, input)
  }

  /** Like `call`, but shows a failure as a notice and returns null. */
  async function attempt<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M> | null> {
    const r = await call(method, input)
    if (r.ok) return r.value
    notify(r.error)
    return null
  }

  function notify(error: LabErrorData) {
    const id = nextNotice++
    notices.value = [...notices.value.slice(-3), { id, error }]
  }

  function dismiss(id: number) {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  function on<T extends Topic>(topic: T, listener: TopicListener<T>): () => void {
    let set = listeners.get(topic)
    if (!set) listeners.set(topic, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  return { client, state, info, dropped, notices, connect, call, attempt, notify, dismiss, on }
})
