import { describe, expect, it } from 'vitest'
import { NOTICE_INSET, noticeBox, noticeCorner } from '../../renderer/composables/use-notice-placement'

// The window the e2e checks use (1024×700) and an English notice's stack there (380 × 244).
const view = { width: 1024, height: 700 }
const size = { width: 380, height: 244 }
const field = (left: number, top: number, width = 84, height = 37) => ({ left, top, right: left + width, bottom: top + height })

describe('noticeCorner', () => {
  it('places the stack bottom right, inset as styles.css has it, with nothing to keep clear', () => {
    expect(noticeBox('bottom-right', size, view)).toEqual({ left: 1024 - NOTICE_INSET.right - 380, top: 700 - NOTICE_INSET.bottom - 244, right: 1008, bottom: 660 })
    expect(noticeCorner(null, size, view, 'top-left')).toBe('bottom-right')
  })

  it('stays bottom right while the field is clear of it', () => {
    expect(noticeCorner(field(681, 252), size, view)).toBe('bottom-right')
    expect(noticeCorner(field(107, 600, 400), size, view)).toBe('bottom-right')
  })

  it('moves to the top right for a field under it, else the bottom left', () => {
    // A persistent TCP client's Gap field scrolled to the window's bottom (x 812–896, y 616–653).
    expect(noticeCorner(field(812, 616), size, view)).toBe('top-right')
    // A field spanning the right half from top to bottom (both right corners meet it).
    expect(noticeCorner(field(600, 40, 100, 600), size, view)).toBe('bottom-left')
    // (A single box that meets the top right and the bottom left meets the top left too: that corner is
    // only ever kept, or the fallback below.)
  })

  it('keeps the corner it is in while that one is clear (no hopping as the page scrolls)', () => {
    expect(noticeCorner(field(100, 30), size, view, 'bottom-left')).toBe('bottom-left')
    expect(noticeCorner(field(100, 600), size, view, 'bottom-left')).toBe('bottom-right')
  })

  it('covers least of a field as large as the window when no corner is clear', () => {
    const huge = { left: 0, top: 0, right: 1024, bottom: 700 }
    expect(noticeCorner(huge, size, view)).toBe('bottom-right')
    // Across the window at 200–500: the top corners meet 60 px of it, the bottom ones 84; the left ones
    // only 296 px of their width (from x 100), the right ones 372.
    expect(noticeCorner(field(100, 200, 900, 300), size, view)).toBe('top-left')
  })
})
