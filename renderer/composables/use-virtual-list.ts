import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** The rows a fixed-row-height list must render to fill its viewport (plus a few above and below). */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 6): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const start = Math.max(0, first - overscan)
  const end = Math.min(count, first + Math.ceil(Math.max(0, viewport) / rowHeight) + overscan)
  return { start, end: Math.max(start, end) }
}

/**
 * A virtual list over a scroll container of fixed height: only the visible rows exist in the DOM,
 * so a log of tens of thousands of rows costs the same to draw as one of thirty.
 */
export function useVirtualList(container: Ref<HTMLElement | null>, count: Ref<number>, rowHeight: number) {
  const scrollTop = ref(0)
  const viewport = ref(400)
  let observer: ResizeObserver | null = null
  const onScroll = () => {
    if (container.value) scrollTop.value = container.value.scrollTop
  }
  onMounted(() => {
    const el = container.value
    if (!el) return
    viewport.value = el.clientHeight || 400
    el.addEventListener('scroll', onScroll, { passive: true })
    observer = new ResizeObserver(() => (viewport.value = el.clientHeight || viewport.value))
    observer.observe(el)
  })
  onBeforeUnmount(() => {
    container.value?.removeEventListener('scroll', onScroll)
    observer?.disconnect()
  })
  const range = computed(() => visibleRange(scrollTop.value, viewport.value, rowHeight, count.value))
  const totalHeight = computed(() => count.value * rowHeight)
  return { range, totalHeight, scrollTop }
}
