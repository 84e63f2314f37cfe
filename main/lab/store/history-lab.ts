import type { historyMethods } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { HistoryStore } from './history-store'

type HistoryMethod = keyof typeof historyMethods

/** History of experiment runs, kept in `ctx.dataDir` (or in memory when there is none). */
export function createHistoryLab(ctx: LabContext): LabDomain<HistoryMethod> & { store: HistoryStore } {
  const store = new HistoryStore(ctx.dataDir)
  return {
    store,
    handlers: {
      'history.add': async (input) => {
        const meta = await store.add(input)
        ctx.emit('history.changed', { op: 'add', id: meta.id, at: meta.at })
        return meta
      },
      'history.list': (input) => store.list(input),
      'history.get': ({ id }) => store.get(id),
      'history.remove': async ({ id }) => {
        const done = await store.remove(id)
        ctx.emit('history.changed', { op: 'remove', id, at: Date.now() })
        return done
      },
      'history.status': () => store.status(),
      'history.clear': async () => {
        const done = await store.clear()
        ctx.emit('history.changed', { op: 'clear', at: Date.now() })
        return done
      },
    },
    close: () => store.close(),
  }
}
