import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/**
 * The content width of an element in whole pixels, kept current with a ResizeObserver (for SVG drawn
 * in pixels), never below `min`: the one width-watcher of every chart.
 */
export function useElementWidth(el: Ref<HTMLElement | null>, fallback = 800, min = 0) {
  const width = ref(fallback)
  let observer: ResizeObserver | null = null
  const measure = () => {
    if (el.value && el.value.clientWidth > 0) width.value = Math.max(min, Math.floor(el.value.clientWidth))
  }
  onMounted(() => {
    if (!el.value) return
    measure()
    observer = new ResizeObserver(measure)
    observer.observe(el.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
