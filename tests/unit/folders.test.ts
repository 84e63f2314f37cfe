import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../..')
const sources = (dir: string) =>
  fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(root, dir, f), 'utf8') }))

/** The names a module exports as functions: `export function f`, `export async function f`, `export const f = (…) =>`. */
function exportedFunctions(text: string): string[] {
  const names: string[] = []
  for (const m of text.matchAll(/^export\s+(?:async\s+)?function\s*\*?\s*(\w+)/gm)) names.push(m[1]!)
  for (const m of text.matchAll(/^export\s+const\s+(\w+)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*(?::[^=]+)?=>/gm)) names.push(m[1]!)
  for (const m of text.matchAll(/^export\s+const\s+(\w+)\s*=\s*(?:async\s+)?function\b/gm)) names.push(m[1]!)
  return names
}

/**
 * Issue 15, "folders say what they hold": renderer/stores/ holds Pinia stores and nothing else that
 * runs (a layout, format or file helper lives in charts/, format/, export/, forms/ … or beside its
 * user); renderer/composables/ holds `use*` composables only.
 */
describe('renderer folders say what they hold', () => {
  it('every file in renderer/stores/ defines a Pinia store', () => {
    const notStores = sources('renderer/stores')
      .filter(({ text }) => !/\bdefineStore\(/.test(text))
      .map(({ file }) => file)
    expect(notStores).toEqual([])
  })

  it('a store module exports no function but its store (`export const useXStore = defineStore(…)`)', () => {
    const stray = sources('renderer/stores').flatMap(({ file, text }) => exportedFunctions(text).map((name) => `${file}: ${name}`))
    expect(stray).toEqual([])
    const stores = sources('renderer/stores').flatMap(({ file, text }) => [...text.matchAll(/^export\s+const\s+(\w+)\s*=\s*defineStore\(/gm)].map((m) => `${file}: ${m[1]}`))
    expect(stores.filter((s) => !/: use\w+Store$/.test(s))).toEqual([])
  })

  it('every file in renderer/composables/ is a `use-*.ts` that exports a `use*` function', () => {
    const notComposables = sources('renderer/composables')
      .filter(({ file, text }) => !/^use-[a-z0-9-]+\.ts$/.test(file) || !exportedFunctions(text).some((n) => /^use[A-Z]/.test(n)))
      .map(({ file }) => file)
    expect(notComposables).toEqual([])
  })

  it('the checks see what they look for (a plain function in a store or composables file is caught)', () => {
    expect(exportedFunctions('export function fmt(n: number) {}\nexport const layout = (w: number): number => w\nexport async function load() {}')).toEqual(['fmt', 'load', 'layout'])
    expect(exportedFunctions("export const useXStore = defineStore('x', () => {})\nexport const LIMIT = 3\nexport interface A {}")).toEqual([])
  })
})
