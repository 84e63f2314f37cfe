import type { Page } from 'playwright-core'

/**
 * The field's box and every notice's, in the viewport (CSS pixels): a highlighted field must lie
 * inside the window and meet no notice, and at its centre the element on top must be the field
 * itself. `notices` counts them; `covering` lists the boxes of those that meet the field.
 */
export const coverOf = (page: Page, id: string) =>
  page.getByTestId(id).evaluate((el) => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect()
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }
    }
    const f = box(el)
    const meets = (n: ReturnType<typeof box>) => f.left < n.right && n.left < f.right && f.top < n.bottom && n.top < f.bottom
    const notices = [...document.querySelectorAll('[data-testid="notice"]')].map(box)
    return {
      notices: notices.length,
      inWindow: f.top >= 0 && f.left >= 0 && f.bottom <= window.innerHeight && f.right <= window.innerWidth,
      covering: notices.filter(meets),
      onTop: document.elementFromPoint((f.left + f.right) / 2, (f.top + f.bottom) / 2) === el,
    }
  })
