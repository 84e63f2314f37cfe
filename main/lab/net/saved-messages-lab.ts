import type { netWorkbenchMethods } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { SavedMessagesStore } from './saved-messages-store'

type SavedMethod = Exclude<keyof typeof netWorkbenchMethods, 'net.server.send'>

/** The learner's saved messages, kept in `ctx.dataDir` (or in memory when there is none). */
export function createSavedMessagesLab(ctx: LabContext): LabDomain<SavedMethod> {
  const store = new SavedMessagesStore(ctx.dataDir)
  const changed = <T>(value: T): T => {
    ctx.emit('net.saved.changed', { at: Date.now() })
    return value
  }
  return {
    handlers: {
      'net.saved.list': () => store.list(),
      'net.saved.put': async ({ id, message }) => changed(await store.put(id, message)),
      'net.saved.remove': async ({ id }) => changed(await store.remove(id)),
      'net.saved.counter': async ({ id, next }) => changed(await store.setNextCounter(id, next)),
      'net.saved.import': async ({ messages }) => changed(await store.import(messages)),
    },
    close: () => store.close(),
  }
}
