import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as budgets from '../../shared/budgets'
import { BUDGETS } from '../../shared/budget-registry'
import * as contract from '../../shared/contract'
import * as taskSpec from '../../shared/task-spec'
import * as transport from '../../shared/transport'

/**
 * README's budget table restates numbers that live in shared/: this keeps the two from drifting.
 * Each row names its constants; its default column holds their values in the same order.
 */
const constants: Record<string, unknown> = { ...contract, ...taskSpec, ...transport, ...budgets }
/** `NAME` or `NAME.key` (one value of a per-mode table or of RELAY_LIMITS). */
const valueOf = (name: string): unknown => name.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], constants)
const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('### Budgets'), readme.indexOf('## Performance'))
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| ') && l.includes('`'))
  .map((l) => l.split('|').map((c) => c.trim()))
  .map((cells) => ({ values: cells[2]!.split('/').map((v) => Number(v.replace(/,/g, ''))), names: [...cells[3]!.matchAll(/`([A-Z][A-Z0-9_]+(?:\.[a-zA-Z]+)?)`/g)].map((m) => m[1]!) }))
  .filter((r) => r.names.length > 0)

describe("README's budgets", () => {
  it('lists budgets', () => {
    expect(rows.length).toBeGreaterThan(10)
  })
  it('lists every lab-wide budget of shared/budgets.ts (a new one is added to the table too)', () => {
    const named = new Set(rows.flatMap((r) => r.names.map((n) => n.split('.')[0]!)))
    expect(Object.keys(budgets).filter((k) => !named.has(k))).toEqual([])
    // Every value of a per-mode table is in the row.
    const keys = rows.flatMap((r) => r.names).filter((n) => n.startsWith('DEFAULT_MAX_CONNECTIONS.'))
    expect(keys.map((n) => n.split('.')[1]).sort()).toEqual(Object.keys(budgets.DEFAULT_MAX_CONNECTIONS).sort())
  })
  it('lists every budget ERR_LIMIT can name (shared/budget-registry.ts), each with the value of its constant', () => {
    const named = new Set(rows.flatMap((r) => r.names))
    expect(Object.keys(BUDGETS).filter((k) => !named.has(k))).toEqual([])
    for (const [name, b] of Object.entries(BUDGETS)) expect(b.value, name).toBe(valueOf(name))
  })
  it.each(rows.map((r) => [r.names.join(', '), r] as const))('%s: the defaults are the constants in shared/', (_names, row) => {
    expect(row.names.length).toBe(row.values.length)
    row.names.forEach((name, i) => expect(valueOf(name), name).toBe(row.values[i]))
  })
})
