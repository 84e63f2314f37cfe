import { computed, type WritableComputedRef } from 'vue'
import { useUiStore, type View } from '../stores/ui'

/**
 * The open tab of a view that has tabs, for its `<TabList v-model>`. It lives in the ui store
 * (`ui.tabs[view]`), so a lesson's preset can open `view/tab`; an unset or unknown tab reads as the
 * first one of `ids`.
 */
export function useViewTab<T extends string>(view: View, ids: readonly [T, ...T[]]): WritableComputedRef<T> {
  const ui = useUiStore()
  return computed<T>({
    get: () => {
      const open = ui.tabs[view]
      return (ids as readonly string[]).includes(open ?? '') ? (open as T) : ids[0]
    },
    set: (tab) => (ui.tabs[view] = tab),
  })
}
