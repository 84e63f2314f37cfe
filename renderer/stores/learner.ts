import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { LearnerPatch, LearnerSnapshot, LearnerState } from '../../shared/contract'
import { errorData } from '../../shared/errors'
import type { JsonObject } from '../../shared/schema'
import { findLesson } from '../lessons'
import { useLabStore } from './lab'
import { useLessonsStore } from './lessons'
import { validPredictions } from '../lessons/predictions'
import { useUiStore } from './ui'

/** Address parameters that open the lab in a language, theme or welcome state (`?lang=zh&theme=dark&welcome=open`). */
const URL_KEYS = ['lang', 'theme', 'welcome'] as const

function fromAddress(): LearnerPatch {
  const params = new URLSearchParams(location.search)
  const patch: LearnerPatch = {}
  const lang = params.get('lang')
  const theme = params.get('theme')
  const welcome = params.get('welcome')
  if (lang === 'zh' || lang === 'en') patch.lang = lang
  if (theme === 'light' || theme === 'dark') patch.theme = theme
  if (welcome === 'open' || welcome === 'closed') patch.welcome = welcome
  if (URL_KEYS.some((k) => params.has(k))) {
    // Taken once: a reload then shows what the learner chose since.
    for (const k of URL_KEYS) params.delete(k)
    const query = params.toString()
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  }
  return patch
}

/**
 * The learner's state that lasts — language, theme, the welcome, the open lesson, predictions,
 * practice scores, exercises passed — kept by the engine in the data folder (learner.json), not
 * in this page: it survives a restart, a new browser-mode port and Electron vs browser mode.
 * `start()` loads it into the ui and lessons stores and then saves each change; it loads
 * again whenever the engine reconnects or another window changes it.
 */
export const useLearnerStore = defineStore('learner', () => {
  const lab = useLabStore()
  const ui = useUiStore()
  const lessons = useLessonsStore()
  const loaded = ref(false)
  const file = ref<string | null>(null)
  const practice = ref<JsonObject>({})
  const exercises = ref<JsonObject>({})
  /** While the engine's state is being applied, the watchers below must not save it back. */
  let applying = false
  let started = false
  /** The newest savedAt this page has seen: an event about it (our own save) needs no reload. */
  let seenSavedAt = 0

  function apply(snap: LearnerSnapshot) {
    const s: LearnerState = snap.state
    applying = true
    try {
      if (s.lang) ui.lang = s.lang
      if (s.theme) {
        ui.themeFollowsSystem = false
        ui.theme = s.theme
      }
      ui.welcome = s.welcome ?? 'open'
      if (s.lesson && findLesson(s.lesson)) lessons.currentId = s.lesson
      lessons.predictions = validPredictions(s.predictions)
      practice.value = s.practice
      exercises.value = s.exercises
      file.value = snap.file
      seenSavedAt = Math.max(seenSavedAt, s.savedAt)
    } finally {
      // Watchers run after this tick; clear the flag once they have seen the new values.
      queueMicrotask(() => (applying = false))
    }
    loaded.value = true
  }

  async function load(patch: LearnerPatch = {}) {
    const r = Object.keys(patch).length ? await lab.call('learner.set', patch) : await lab.call('learner.get', {})
    if (!r.ok) {
      lab.notify(r.error)
      // The page still works with what it has; the welcome follows the usual first-run rule.
      ui.welcome ??= 'open'
      loaded.value = true
      return
    }
    if (r.value.damaged) {
      lab.notify(
        errorData('ERR_STORAGE', `your saved progress could not be read: ${r.value.damaged.reason}${r.value.damaged.movedTo ? ` (kept as ${r.value.damaged.movedTo})` : ''}; starting fresh`, {
          path: r.value.file ?? '',
          reason: 'damaged',
        }),
      )
    }
    apply(r.value)
  }

  async function save(patch: LearnerPatch) {
    if (applying || !loaded.value) return
    const r = await lab.call('learner.set', patch)
    if (r.ok) {
      seenSavedAt = Math.max(seenSavedAt, r.value.state.savedAt)
      practice.value = r.value.state.practice
      exercises.value = r.value.state.exercises
    } else lab.notify(r.error)
  }

  function start() {
    if (started) return
    started = true
    void load(fromAddress())
    watch(() => ui.lang, (lang) => void save({ lang }))
    // A theme the system gave (none chosen yet) is not saved: the page keeps following the system's.
    // Choosing the theme the system already had is a choice too: it is saved, and the page stops following.
    watch([() => ui.theme, () => ui.themeFollowsSystem], ([theme, follows]) => void (follows || save({ theme })))
    watch(() => ui.welcome, (welcome) => welcome && void save({ welcome }))
    watch(() => lessons.currentId, (lesson) => void save({ lesson }))
    watch(() => lessons.predictions, (p) => void save({ predictions: JSON.parse(JSON.stringify(p)) as JsonObject }), { deep: true })
    // The engine restarted (the page reconnects by itself) or another window saved: read it again.
    lab.onReconnect(() => void load())
    lab.on('learner.changed', (e) => {
      if (e.savedAt > seenSavedAt) void load()
    })
  }

  /** Saves one lesson's practice record (practice mode). */
  async function savePractice(lessonId: string, record: JsonObject) {
    const next = { ...practice.value, [lessonId]: record }
    practice.value = next
    await save({ practice: next })
  }

  /** The engine recorded a passed exercise: read the state again. */
  async function refresh() {
    await load()
  }

  return { loaded, file, practice, exercises, start, savePractice, refresh }
})
