import { nextTick, onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue'

/**
 * Error notices stand in a corner of the window (bottom right, 380 px wide), over the page. When a
 * form highlights the field an error names (useFieldErrors), the notice about it must not hide that
 * field, wherever the form and its field are and however far the learner has scrolled: the stack
 * moves to the first corner that leaves the field clear (bottom right, top right, bottom left, top
 * left) and back when there is nothing to keep clear. Moving the notice works for every form, where
 * scrolling the field away from it would not (a form at the end of its page cannot scroll further).
 */

export const NOTICE_CORNERS = ['bottom-right', 'top-right', 'bottom-left', 'top-left'] as const
export type NoticeCorner = (typeof NOTICE_CORNERS)[number]

export interface Box {
  left: number
  top: number
  right: number
  bottom: number
}

/** Where the stack stands in each corner: its distance from the window's edges, CSS pixels (styles.css `.notices`). */
export const NOTICE_INSET = { top: 16, right: 16, bottom: 40, left: 16 } as const

/** The stack's box in `corner`, for a stack of `size` in a window of `view`. */
export function noticeBox(corner: NoticeCorner, size: { width: number; height: number }, view: { width: number; height: number }): Box {
  const top = corner.startsWith('top') ? NOTICE_INSET.top : view.height - NOTICE_INSET.bottom - size.height
  const left = corner.endsWith('left') ? NOTICE_INSET.left : view.width - NOTICE_INSET.right - size.width
  return { left, top, right: left + size.width, bottom: top + size.height }
}

const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top))

/**
 * The corner for a stack of `size` that keeps `field` clear: the current one while it does (the
 * notice does not hop about as the page scrolls), else the first clear one in NOTICE_CORNERS' order,
 * else (a field as large as the window) the one covering least of it.
 */
export function noticeCorner(field: Box | null, size: { width: number; height: number }, view: { width: number; height: number }, current: NoticeCorner = 'bottom-right'): NoticeCorner {
  if (!field) return 'bottom-right'
  const covered = (c: NoticeCorner) => overlap(noticeBox(c, size, view), field)
  if (covered(current) === 0) return current
  let best: NoticeCorner = NOTICE_CORNERS[0]
  for (const c of NOTICE_CORNERS) {
    if (covered(c) === 0) return c
    if (covered(c) < covered(best)) best = c
  }
  return best
}

/** The highlighted field the notices keep clear of, until notice `noticeId` goes (or, without one, until no notice is left). */
const avoided = shallowRef<{ el: HTMLElement; noticeId: number | null } | null>(null)

/** useFieldErrors: `el` is the field notice `noticeId` is about, highlighted and focused. */
export function keepNoticesOff(el: HTMLElement, noticeId: number | null): void {
  avoided.value = { el, noticeId }
}

/**
 * For NoticeStack: the corner its stack (`stack`) stands in, kept clear of the highlighted field as
 * notices come and go, the window is resized and the page scrolls (once a frame at the most).
 */
export function useNoticePlacement(stack: Ref<HTMLElement | null>, notices: Ref<readonly { id: number }[]>): Ref<NoticeCorner> {
  const corner = ref<NoticeCorner>('bottom-right')
  let frame = 0
  let resized: ResizeObserver | null = null

  function place() {
    frame = 0
    const a = avoided.value
    const list = notices.value
    const done = !a || !a.el.isConnected || list.length === 0 || (a.noticeId !== null && !list.some((n) => n.id === a.noticeId))
    if (done) {
      if (a) avoided.value = null
      corner.value = 'bottom-right'
      return
    }
    const s = stack.value?.getBoundingClientRect()
    if (!s) return
    const r = a.el.getBoundingClientRect()
    corner.value = noticeCorner({ left: r.left, top: r.top, right: r.right, bottom: r.bottom }, { width: s.width, height: s.height }, { width: window.innerWidth, height: window.innerHeight }, corner.value)
  }
  // Scrolls and resizes matter only while there is a field to keep clear (most of the time there is none).
  const later = () => {
    if (avoided.value && !frame) frame = requestAnimationFrame(place)
  }
  // After the DOM has the new notices (their height decides the stack's box).
  watch([avoided, notices], () => void nextTick(place))

  onMounted(() => {
    window.addEventListener('resize', later)
    // Capture: the page scrolls in <main> (or any inner scroller), whose scroll events do not bubble.
    document.addEventListener('scroll', later, { capture: true, passive: true })
    // The stack grows when a notice comes or a learner opens its engine message.
    if (stack.value && typeof ResizeObserver !== 'undefined') (resized = new ResizeObserver(later)).observe(stack.value)
  })
  onBeforeUnmount(() => {
    window.removeEventListener('resize', later)
    document.removeEventListener('scroll', later, { capture: true })
    resized?.disconnect()
    if (frame) cancelAnimationFrame(frame)
  })
  return corner
}
