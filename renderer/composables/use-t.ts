import { storeToRefs } from 'pinia'
import { useUiStore } from '../stores/ui'

/** `const { t, lang } = useT()` in a component: translations that follow the language switch. */
export function useT() {
  const ui = useUiStore()
  const { lang } = storeToRefs(ui)
  return { t: ui.t, lang }
}
