import { nextTick, readonly, ref, watch, type Ref } from 'vue'
import type { LabErrorData } from '../../shared/errors'
import { fieldErrorText } from '../i18n/error-text'
import { useLabStore, type AttemptOutcome } from '../stores/lab'
import { useUiStore } from '../stores/ui'
import { keepNoticesOff } from './use-notice-placement'

/**
 * The field an engine error names, highlighted in the form that sent the request (issue 12):
 * the input gets aria-invalid="true" (styled in both themes), aria-describedby pointing at a
 * line that says what is wrong, and the focus; it clears when the learner edits it or the next
 * request from the form succeeds.
 *
 *   const fe = useFieldErrors((o) => o.method === 'net.tcpServer.start')
 *   <input v-model="port" v-bind="fe.attrs('port')" />      ← the contract's name of the field
 *   <FieldErrorText :fe="fe" />                               ← the line aria-describedby points at
 *
 * `attrs(['idleTimeoutMs', …], localInvalid)`: an input may stand for several contract names, and
 * stays invalid while the form's own check says so. An error path the form has no input for
 * (`messages[2]`, `up.delayMs`) falls back to its parents (`messages`, `up`).
 */
export interface FieldErrors {
  attrs(fields: string | readonly string[], localInvalid?: boolean, describedBy?: string): Record<string, unknown>
  /** The highlighted field (the first name its input was registered with) and what is wrong with it. */
  readonly current: Readonly<Ref<{ field: string; error: LabErrorData } | null>>
  /** What is wrong with the highlighted field, in the learner's language. */
  text(): string
  /** The id of the line that says it. */
  readonly textId: string
  clear(): void
}

let forms = 0

/** Parents of a contract path: `messages[2]` → `messages`; `up.delayMs` → `up`. */
function* candidates(path: string): Generator<string> {
  let p = path
  for (;;) {
    yield p
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
    if (cut <= 0) return
    p = p.slice(0, cut)
  }
}

export function useFieldErrors(accepts: (outcome: AttemptOutcome) => boolean): FieldErrors {
  const lab = useLabStore()
  const ui = useUiStore()
  const uid = `field-error-${++forms}`
  const textId = `${uid}-text`
  /** Every contract name an input of this form was registered with → the input's key. */
  const names = new Map<string, string>()
  const current = ref<{ field: string; error: LabErrorData } | null>(null)

  const selector = (key: string) => `[data-field-error="${uid}:${key}"]`
  const clear = () => (current.value = null)

  function resolve(path: string): string | null {
    for (const p of candidates(path)) {
      const key = names.get(p)
      if (key && document.querySelector(selector(key))) return key
    }
    return null
  }

  watch(
    () => lab.lastOutcome,
    (outcome) => {
      if (!outcome || !accepts(outcome)) return
      const path = outcome.error?.field
      const key = path ? resolve(path) : null
      if (!outcome.error || !key) return clear()
      current.value = { field: key, error: outcome.error }
      if (outcome.noticeId !== null) lab.markHighlighted(outcome.noticeId)
      void nextTick(() => {
        const el = document.querySelector<HTMLElement>(selector(key))
        if (!el) return
        // Whole in its scroller (focus alone leaves a field cut at the window's edge as it is), and the
        // notice about it kept clear of it (use-notice-placement.ts), wherever it is in the window.
        el.focus({ preventScroll: true })
        el.scrollIntoView({ block: 'nearest', inline: 'nearest' })
        // And kept in sight while the page fills in above it, until the learner takes over (keepInView, below).
        const shown = current.value
        keepInView(el, () => current.value === shown)
        keepNoticesOff(el, outcome.noticeId)
        // A text field shows its whole value selected, ready to be retyped.
        if (el instanceof HTMLInputElement && ['text', 'number', 'search', ''].includes(el.type)) el.select?.()
      })
    },
  )

  function attrs(fields: string | readonly string[], localInvalid = false, describedBy?: string): Record<string, unknown> {
    const list = typeof fields === 'string' ? [fields] : fields
    const key = list[0]!
    for (const f of list) names.set(f, key)
    const engine = current.value?.field === key
    const edited = () => {
      if (current.value?.field === key) clear()
    }
    return {
      'data-field-error': `${uid}:${key}`,
      'aria-invalid': engine || localInvalid ? 'true' : 'false',
      ...(engine || describedBy ? { 'aria-describedby': [engine ? textId : '', describedBy ?? ''].filter(Boolean).join(' ') } : {}),
      onInput: edited,
      onChange: edited,
    }
  }

  return {
    attrs,
    current: readonly(current),
    text: () => (current.value ? fieldErrorText(ui.lang, current.value.error) : ''),
    textId,
    clear,
  }
}

/**
 * keepInView: a highlighted field stays in sight while the page fills in around it (useFieldErrors, above).
 * The field is scrolled into view when the error comes, but parts of a page arrive later (the Network
 * page's kernel socket table is polled, a connection list grows), and content growing above the field
 * pushes it out of the window. So whenever the scroller's content changes size and the field is not
 * wholly visible, it is scrolled back ("nearest": the smallest move). This ends when the learner takes
 * over (any wheel, touch, pointer or key), when `wanted()` says the highlight is gone, or when the
 * field leaves the page.
 */
const TAKE_OVER = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const

/** The element whose scrolling moves `el`: the nearest ancestor that scrolls vertically, else the document's. */
function scrollerOf(el: HTMLElement): HTMLElement {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY
    if (y === 'auto' || y === 'scroll') return p
  }
  return (document.scrollingElement as HTMLElement | null) ?? document.documentElement
}

/** Whether `el` lies wholly inside what `scroller` shows (and inside the window). */
function wholeInView(el: HTMLElement, scroller: HTMLElement): boolean {
  const r = el.getBoundingClientRect()
  const s = scroller === document.scrollingElement ? { top: 0, bottom: window.innerHeight } : scroller.getBoundingClientRect()
  const top = Math.max(s.top, 0)
  const bottom = Math.min(s.bottom, window.innerHeight)
  return r.top >= top - 0.5 && r.bottom <= bottom + 0.5
}

let stopCurrent: (() => void) | null = null

function keepInView(el: HTMLElement, wanted: () => boolean): void {
  // One field at a time: a newer highlight takes over from an older one.
  stopCurrent?.()
  const scroller = scrollerOf(el)
  const stop = () => {
    resized.disconnect()
    for (const t of TAKE_OVER) window.removeEventListener(t, stop, true)
    if (stopCurrent === stop) stopCurrent = null
  }
  const resized = new ResizeObserver(() => {
    if (!el.isConnected || !wanted()) return stop()
    if (!wholeInView(el, scroller)) el.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  })
  // The scroller's content: its children grow or shrink as parts of the page fill in.
  for (const child of scroller.children) resized.observe(child)
  for (const t of TAKE_OVER) window.addEventListener(t, stop, { capture: true, passive: true })
  stopCurrent = stop
}
