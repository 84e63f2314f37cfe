import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { translate, type Lang } from '../i18n'
import type { ExperimentId, ExperimentSettings } from '../experiments'

export type View = 'network' | 'processes' | 'lessons' | 'history'

/**
 * An experiment opened with its settings filled in (a lesson's "try it" button, a history
 * entry). The view named by `view` shows `tab` and takes the settings with `takePreset`.
 */
export type ExperimentPreset = {
  [E in ExperimentId]: { experiment: E; settings: ExperimentSettings[E] }
}[ExperimentId]
export type Theme = 'light' | 'dark'

// Until the engine's learner store answers (stores/learner.ts), the system's own preferences.
function initialLang(): Lang {
  const served = document.documentElement.lang
  if (document.documentElement.dataset.theme && (served === 'zh-CN' || served === 'en')) return served === 'zh-CN' ? 'zh' : 'en'
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

/** The learner's saved theme as the door wrote it on <html> (browser mode) or in the address (Electron); null if none is saved. */
function servedTheme(): Theme | null {
  const served = document.documentElement.dataset.theme ?? new URLSearchParams(location.search).get('theme')
  return served === 'light' || served === 'dark' ? served : null
}

/** The system's theme (in Electron, nativeTheme drives this media query). */
const systemDark = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null
const systemTheme = (): Theme => (systemDark?.matches ? 'dark' : 'light')

/**
 * Which view is open, the language, the theme and the welcome's state. The learner store
 * keeps language, theme and welcome in the engine's data folder and sets them here on load.
 */
export const useUiStore = defineStore('ui', () => {
  const view = ref<View>('network')
  /** The open tab of each view that has tabs. */
  const tabs = ref<Record<string, string>>({})
  const preset = ref<ExperimentPreset | null>(null)

  function openExperiment(p: ExperimentPreset) {
    const [v, tab] = p.experiment.split('/') as [View, string]
    preset.value = p
    tabs.value[v] = tab
    view.value = v
  }

  /** An experiment's tab calls this when it mounts (and watches `preset`): its settings, once. */
  function takePreset<E extends ExperimentId>(experiment: E): ExperimentSettings[E] | null {
    const p = preset.value
    if (!p || p.experiment !== experiment) return null
    preset.value = null
    return p.settings as ExperimentSettings[E]
  }
  const lang = ref<Lang>(initialLang())
  /** True while the learner has chosen no theme: the page shows the system's, and follows it when it changes (issue 16). */
  const themeFollowsSystem = ref(servedTheme() === null)
  const theme = ref<Theme>(servedTheme() ?? systemTheme())
  systemDark?.addEventListener('change', () => {
    if (themeFollowsSystem.value) theme.value = systemTheme()
  })
  /** The learner picks a theme (the settings): from now on it is theirs, kept, and no longer the system's. */
  function chooseTheme(t: Theme) {
    themeFollowsSystem.value = false
    theme.value = t
  }

  const apply = () => {
    document.documentElement.lang = lang.value === 'zh' ? 'zh-CN' : 'en'
    document.documentElement.dataset.theme = theme.value
    document.title = translate(lang.value, 'app.title')
  }
  /** The lesson whose try-it opened the current experiment: its view shows "← back to lesson N". */
  const returnTo = ref<{ lesson: string; n: number } | null>(null)
  /** The first-run welcome: null until the learner store has said whether it was closed. */
  const welcome = ref<'open' | 'closed' | null>(null)
  watch([lang, theme], apply)
  apply()

  const t = (key: string, params?: Record<string, string | number>) => translate(lang.value, key, params)

  return { view, tabs, preset, lang, theme, themeFollowsSystem, chooseTheme, welcome, returnTo, t, openExperiment, takePreset }
})
