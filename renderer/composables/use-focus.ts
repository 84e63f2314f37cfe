import { nextTick, onBeforeUnmount, onMounted, readonly, ref, watch, type Ref } from 'vue'

/**
 * Focus follows the work (issue 16), in one place for every view:
 * - `useRunFocus(headingId)` in an experiment panel wraps its runs: when a run the learner started
 *   brings a result, focus moves to the result's heading, the result scrolls into view and the
 *   live region says so once;
 * - `focusExperiment()` (AppShell calls it after every `ui.openExperiment`: a lesson's try-it, the
 *   welcome's starting points, History's Open) lands focus on the experiment that opened;
 * - `useNoticeFocus()` (NoticeStack) returns focus to what the learner was on when a notice came,
 *   when it is dismissed (its button or Escape).
 * Focus is never taken from a learner who has moved on elsewhere while a run was going.
 */

/** The text of the app's one polite live region (AppShell renders it; e2e reads it). */
const liveText = ref('')
export const announcement: Readonly<Ref<string>> = readonly(liveText)

/**
 * Says `text` once through the live region. Emptied first, so the same words after a second run
 * are a change the screen reader hears again.
 */
export function announce(text: string): void {
  liveText.value = ''
  void nextTick(() => (liveText.value = text.replace(/\s+/g, ' ').trim()))
}

const prefersReducedMotion = (): boolean => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false

/** Focuses a heading (made focusable by script only: it stays out of the Tab order) and brings it to the top of its scroller. */
export function focusHeading(el: HTMLElement): void {
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1')
  el.focus({ preventScroll: true })
  el.scrollIntoView({ block: 'start', inline: 'nearest', behavior: prefersReducedMotion() ? 'auto' : 'smooth' })
}

const TEXT_ENTRY = 'textarea, select, input:not([type="button"], [type="submit"], [type="checkbox"], [type="radio"], [type="reset"])'

/**
 * May a result take the focus? Yes while the learner is where the run began: on nothing (the Run
 * button turns disabled while running, which sends focus to <body>), on the element that started it,
 * or on a button or heading inside the same panel. No once they are typing or went elsewhere.
 */
function mayTakeFocus(heading: HTMLElement, startedFrom: Element | null): boolean {
  const active = document.activeElement
  if (!active || active === document.body || active === document.documentElement) return true
  if (active === startedFrom) return true
  if (heading.closest('.notices') || active.closest('.notices')) return false
  const scope = heading.closest('[role="tabpanel"]') ?? document.getElementById('main')
  return Boolean(scope?.contains(active)) && !active.matches(TEXT_ENTRY)
}

/**
 * For an experiment panel: `const follow = useRunFocus('results-title', summary)` then
 * `follow(store.compare())`. A run that returns null (refused, failed: a notice says why) keeps
 * focus where it is. `summary` turns the result into the sentence the live region says.
 */
export function useRunFocus<T>(headingId: string | ((result: T) => string), summary?: (result: T) => string): (run: Promise<T | null> | T | null) => Promise<T | null> {
  return async (run) => {
    const startedFrom = document.activeElement
    const result = await run
    if (result === null || result === undefined) return result
    await nextTick()
    const heading = document.getElementById(typeof headingId === 'string' ? headingId : headingId(result))
    if (!heading) return result
    if (mayTakeFocus(heading, startedFrom)) focusHeading(heading)
    const title = heading.textContent ?? ''
    announce(summary ? `${title}: ${summary(result)}` : title)
    return result
  }
}

/**
 * After an experiment opened (try-it, History's Open, the welcome): focus its panel's first heading,
 * or the view's title when the view has no tabs.
 */
export async function focusExperiment(): Promise<void> {
  await nextTick()
  const main = document.getElementById('main')
  const panel = main?.querySelector<HTMLElement>('[role="tabpanel"]')
  const heading = panel?.querySelector<HTMLElement>('h2, h1') ?? main?.querySelector<HTMLElement>('h1')
  if (heading) focusHeading(heading)
}

// ─── notices ───

/** The last element that had focus outside the notices (a disabled Run button gives it up to <body>). */
let lastFocused: HTMLElement | null = null
function onFocusIn(e: FocusEvent) {
  const el = e.target as HTMLElement | null
  if (el && el !== document.body && !el.closest('.notices')) lastFocused = el
}

function focusable(el: HTMLElement | null): el is HTMLElement {
  return Boolean(el && el.isConnected && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0)
}

/**
 * For NoticeStack: remembers, for each notice, what the learner was on when it came; `dismiss(id)`
 * closes it and sends focus back there (or to the main content when that is gone). Escape closes
 * the newest notice the same way.
 */
export function useNoticeFocus(notices: Ref<readonly { id: number }[]>, close: (id: number) => void): { dismiss: (id: number) => void } {
  const openers = new Map<number, HTMLElement | null>()
  watch(
    notices,
    (list) => {
      const active = document.activeElement as HTMLElement | null
      const here = active && active !== document.body && !active.closest('.notices') ? active : lastFocused
      for (const n of list) if (!openers.has(n.id)) openers.set(n.id, here)
      for (const id of [...openers.keys()]) if (!list.some((n) => n.id === id)) openers.delete(id)
    },
    { immediate: true },
  )

  /** Closes a notice; focus goes back to its opener when it was in the notices or lost (never pulled from elsewhere). */
  function dismiss(id: number) {
    const opener = openers.get(id) ?? null
    const active = document.activeElement
    const giveBack = !active || active === document.body || Boolean(active.closest('.notices'))
    close(id)
    if (!giveBack) return
    void nextTick(() => {
      if (focusable(opener)) opener.focus()
      else document.getElementById('main')?.focus()
    })
  }

  function onKey(e: KeyboardEvent) {
    if (e.key !== 'Escape' || e.defaultPrevented || notices.value.length === 0) return
    // Escape inside an open menu or a list box belongs to it.
    if ((e.target as HTMLElement | null)?.closest('select, [role="listbox"], [role="menu"], dialog')) return
    e.preventDefault()
    dismiss(notices.value[notices.value.length - 1]!.id)
  }

  onMounted(() => {
    document.addEventListener('focusin', onFocusIn)
    document.addEventListener('keydown', onKey)
  })
  onBeforeUnmount(() => {
    document.removeEventListener('focusin', onFocusIn)
    document.removeEventListener('keydown', onKey)
  })
  return { dismiss }
}
