import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** The content width of an element, kept current with a ResizeObserver (for SVG drawn in pixels). */
export function useElementWidth(el: Ref<HTMLElement | null>, fallback = 800) {
  const width = ref(fallback)
  let observer: ResizeObserver | null = null
  onMounted(() => {
    if (!el.value) return
    width.value = el.value.clientWidth || fallback
    observer = new ResizeObserver(() => {
      if (el.value && el.value.clientWidth > 0) width.value = el.value.clientWidth
    })
    observer.observe(el.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
