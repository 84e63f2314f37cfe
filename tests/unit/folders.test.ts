import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../..')

/** Issue 15, "folders say what they hold": a pure layout or formatting helper lives in renderer/charts/ (or beside its user), not among the stores. */
describe('renderer folders say what they hold', () => {
  it('every file in renderer/stores/ defines a Pinia store', () => {
    const dir = path.join(root, 'renderer/stores')
    const notStores = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => !/\bdefineStore\(/.test(fs.readFileSync(path.join(dir, f), 'utf8')))
    expect(notStores).toEqual([])
  })
})
