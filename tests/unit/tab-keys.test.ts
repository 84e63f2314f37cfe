import { describe, expect, it } from 'vitest'
import { tabIndexAfterKey } from '../../renderer/keyboard/tab-keys'

describe('tab list keys (WAI-ARIA tabs)', () => {
  it('moves right and left with wrap-around, Home and End jump to the ends', () => {
    expect(tabIndexAfterKey('ArrowRight', 0, 4)).toBe(1)
    expect(tabIndexAfterKey('ArrowRight', 3, 4)).toBe(0)
    expect(tabIndexAfterKey('ArrowLeft', 0, 4)).toBe(3)
    expect(tabIndexAfterKey('ArrowLeft', 2, 4)).toBe(1)
    expect(tabIndexAfterKey('Home', 2, 4)).toBe(0)
    expect(tabIndexAfterKey('End', 0, 4)).toBe(3)
  })

  it('leaves every other key to the browser (Tab, Enter, letters) and handles an empty list', () => {
    for (const key of ['Tab', 'Enter', ' ', 'a', 'ArrowDown', 'ArrowUp']) expect(tabIndexAfterKey(key, 1, 4)).toBeNull()
    expect(tabIndexAfterKey('ArrowRight', 0, 0)).toBeNull()
  })
})
