import type { Directive } from 'vue'

/**
 * `v-scroll-cue="hint"` on a box that scrolls sideways (a wide table in its card). While its content
 * is wider than the box it gets the class `scrolls` (styles.css then shades the hidden edge and shows
 * the hint above the content) and joins the Tab order, so the keyboard can scroll it too.
 */
type CueBox = HTMLElement & { scrollCue?: { observer: ResizeObserver; update: () => void } }

function update(el: CueBox, hint: string) {
  const scrolls = el.scrollWidth > el.clientWidth + 1
  el.classList.toggle('scrolls', scrolls)
  el.dataset.hint = hint
  if (scrolls) el.tabIndex = 0
  else el.removeAttribute('tabindex')
}

export const vScrollCue: Directive<CueBox, string> = {
  mounted(el, binding) {
    const run = () => update(el, binding.value)
    const observer = new ResizeObserver(run)
    observer.observe(el)
    if (el.firstElementChild) observer.observe(el.firstElementChild)
    el.scrollCue = { observer, update: run }
    run()
  },
  updated(el, binding) {
    update(el, binding.value)
  },
  unmounted(el) {
    el.scrollCue?.observer.disconnect()
  },
}
