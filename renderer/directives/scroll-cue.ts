import type { Directive } from 'vue'

/**
 * `v-scroll-cue="hint"` on a box that scrolls sideways (a wide table in its card, a tab list). While
 * its content is wider than the box it gets the class `scrolls`, and `more-before` / `more-after`
 * while there is more to scroll to on that side (the one place that measures it; styles.css shades
 * a table's hidden edge, TabList.vue fades its ends). With a hint (a table) the hint shows above
 * the content and the box joins the Tab order, so the keyboard can scroll it too; without one (a
 * tab list: its arrow keys already scroll) it only gets the classes.
 * `v-scroll-cue:parent` puts the classes on the box's parent, for a cue drawn over the box from
 * outside it (a fade that must not scroll away with the content).
 */
type CueBox = HTMLElement & { scrollCue?: { observer: ResizeObserver; update: () => void } }

function update(el: CueBox, hint: string | undefined, cueOn: HTMLElement) {
  const scrolls = el.scrollWidth > el.clientWidth + 1
  cueOn.classList.toggle('scrolls', scrolls)
  cueOn.classList.toggle('more-before', el.scrollLeft > 1)
  cueOn.classList.toggle('more-after', el.scrollLeft + el.clientWidth < el.scrollWidth - 1)
  if (hint === undefined) return
  el.dataset.hint = hint
  if (scrolls) el.tabIndex = 0
  else el.removeAttribute('tabindex')
}

export const vScrollCue: Directive<CueBox, string | undefined> = {
  mounted(el, binding) {
    const run = () => update(el, binding.value, binding.arg === 'parent' && el.parentElement ? el.parentElement : el)
    const observer = new ResizeObserver(run)
    observer.observe(el)
    if (el.firstElementChild) observer.observe(el.firstElementChild)
    el.addEventListener('scroll', run, { passive: true })
    el.scrollCue = { observer, update: run }
    run()
  },
  updated(el) {
    el.scrollCue?.update()
  },
  unmounted(el) {
    el.scrollCue?.observer.disconnect()
    if (el.scrollCue) el.removeEventListener('scroll', el.scrollCue.update)
  },
}
