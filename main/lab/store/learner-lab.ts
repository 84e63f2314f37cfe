import type { learnerMethods } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { LearnerStore } from './learner-store'

type LearnerMethod = keyof typeof learnerMethods

/** The learner's state, kept in `ctx.dataDir` (or in memory when there is none). */
export function createLearnerLab(ctx: LabContext): LabDomain<LearnerMethod> & { store: LearnerStore } {
  const store = new LearnerStore(ctx.dataDir)
  return {
    store,
    handlers: {
      'learner.get': () => store.get(),
      'learner.set': async (patch) => {
        const snap = await store.set(patch)
        ctx.emit('learner.changed', { savedAt: snap.state.savedAt })
        return snap
      },
    },
    close: () => store.close(),
  }
}
