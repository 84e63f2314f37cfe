/**
 * The WAI-ARIA tabs pattern's keys (automatic activation): ArrowRight/ArrowLeft move to the
 * next/previous tab and wrap around, Home/End jump to the first/last one. Returns the index the
 * key moves to, or null when the key is not one of these (then the browser keeps its default).
 */
export function tabIndexAfterKey(key: string, current: number, count: number): number | null {
  if (count <= 0) return null
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count
    case 'ArrowLeft':
      return (current - 1 + count) % count
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}
