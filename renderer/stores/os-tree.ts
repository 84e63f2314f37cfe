import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { OsProcess, OsTreeSnapshot } from '../../shared/contract/os'
import type { LabErrorData } from '../../shared/errors'
import { useLabStore } from './lab'
import { methodSpecs } from '../../shared/contract'
import { FADE_MS, newThreadIds, newTracker, trackSnapshot, trackerRows, type TreeTracker } from '../charts/os-tree-layout'

/**
 * The live process and thread tree of the lab. Views `acquire()` it while they show it (the
 * tree tab, the counter tab during a run) and call the returned release function when they
 * leave; the OS is sampled (os.watch.start) only while someone holds it.
 */
export const useOsTreeStore = defineStore('os-tree', () => {
  const lab = useLabStore()
  const snapshot = shallowRef<OsTreeSnapshot | null>(null)
  const tracker = shallowRef<TreeTracker>(newTracker())
  const error = ref<LabErrorData | null>(null)
  const watchId = ref<string | null>(null)
  const collapsed = ref(new Set<number>())
  /** Ticks every half second while watching, so highlights and ghosts fade on time. */
  const now = ref(Date.now())
  let holders = 0
  let starting: Promise<void> | null = null
  let timer: ReturnType<typeof setInterval> | null = null

  // The engine emits the first snapshot at once, before os.watch.start has answered with
  // the watch id: keep the latest unclaimed one and apply it when the id arrives.
  let unclaimed: OsTreeSnapshot | null = null
  function apply(snap: OsTreeSnapshot) {
    snapshot.value = snap
    now.value = Date.now()
    tracker.value = trackSnapshot(tracker.value, snap, now.value)
  }
  lab.on('os.tree', (snap) => {
    if (snap.watchId === watchId.value) apply(snap)
    else if (watchId.value === null) unclaimed = snap
  })

  const rows = computed(() => trackerRows(tracker.value, now.value, { rootPid: snapshot.value?.rootPid, collapsed: collapsed.value }))
  const newTids = computed(() => newThreadIds(tracker.value, now.value))

  async function start() {
    error.value = null
    unclaimed = null
    tracker.value = newTracker()
    const r = await lab.call('os.watch.start', { intervalMs: methodSpecs['os.watch.start'].input.shape.intervalMs.default })
    if (!r.ok) {
      error.value = r.error
      return
    }
    if (holders === 0) {
      // Everyone left while we were starting.
      await lab.call('os.watch.stop', { watchId: r.value.watchId })
      return
    }
    watchId.value = r.value.watchId
    // Set by the event listener meanwhile (TypeScript cannot see that).
    const first = unclaimed as OsTreeSnapshot | null
    if (first?.watchId === r.value.watchId) apply(first)
    unclaimed = null
    timer ??= setInterval(() => {
      now.value = Date.now()
    }, 500)
  }

  async function stop() {
    if (timer) clearInterval(timer)
    timer = null
    const id = watchId.value
    watchId.value = null
    if (id) await lab.call('os.watch.stop', { watchId: id })
  }

  /** Start watching (if nobody was); returns the release function. */
  function acquire(): () => void {
    holders++
    if (holders === 1) starting = start().finally(() => (starting = null))
    let released = false
    return () => {
      if (released) return
      released = true
      holders--
      if (holders === 0) void (starting ?? Promise.resolve()).then(() => (holders === 0 ? stop() : undefined))
    }
  }

  function toggle(pid: number) {
    const next = new Set(collapsed.value)
    if (next.has(pid)) next.delete(pid)
    else next.add(pid)
    collapsed.value = next
  }

  // ─── lookup of any PID ───
  const lookupResult = shallowRef<OsProcess | null>(null)
  const lookupError = ref<LabErrorData | null>(null)
  const lookupBusy = ref(false)

  async function lookup(pid: number) {
    lookupBusy.value = true
    lookupError.value = null
    lookupResult.value = null
    try {
      const r = await lab.call('os.process', { pid })
      if (r.ok) lookupResult.value = r.value
      else lookupError.value = r.error
    } finally {
      lookupBusy.value = false
    }
  }

  return { snapshot, rows, newTids, error, watchId, collapsed, now, acquire, toggle, lookup, lookupResult, lookupError, lookupBusy, fadeMs: FADE_MS }
})
