import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as contract from '../../shared/contract'
import * as taskSpec from '../../shared/task-spec'
import * as transport from '../../shared/transport'

/**
 * README's budget table restates numbers that live in shared/: this keeps the two from drifting.
 * Each row names its constants; its default column holds their values in the same order.
 */
const constants: Record<string, unknown> = { ...contract, ...taskSpec, ...transport }
const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('### Budgets'), readme.indexOf('## Performance'))
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| ') && l.includes('`'))
  .map((l) => l.split('|').map((c) => c.trim()))
  .map((cells) => ({ values: cells[2]!.split('/').map((v) => Number(v.replace(/,/g, ''))), names: [...cells[3]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!) }))
  .filter((r) => r.names.length > 0)

describe("README's budgets", () => {
  it('lists budgets', () => {
    expect(rows.length).toBeGreaterThan(10)
  })
  it.each(rows.map((r) => [r.names.join(', '), r] as const))('%s: the defaults are the constants in shared/', (_names, row) => {
    expect(row.names.length).toBe(row.values.length)
    row.names.forEach((name, i) => expect(constants[name], name).toBe(row.values[i]))
  })
})
