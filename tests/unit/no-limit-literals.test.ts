import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Issue 15, "limits said once": a limit lives in shared/ (a contract schema, budgets.ts, a
 * *_MAX constant) and everything else reads it (limitsOf, rangeOf, intOption, the constant).
 * This test greps the sources of main/ and renderer/ for limits written again as literals.
 */
const root = path.resolve(__dirname, '../..')

function sources(dir: string, ext: RegExp): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`
    if (e.isDirectory()) out.push(...sources(rel, ext))
    else if (ext.test(e.name)) out.push(rel)
  }
  return out
}

/** `file:line: text` for every line of `files` matching `pattern`, comments left out. */
function grep(files: string[], pattern: RegExp): string[] {
  const hits: string[] = []
  for (const f of files) {
    fs.readFileSync(path.join(root, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/^\s*(\/\/|\*|\/\*).*$/, '').replace(/\s\/\/\s.*$/, '')
        for (const m of code.matchAll(pattern)) hits.push(`${f}:${i + 1}: ${m[0]}`)
      })
  }
  return hits
}

const withoutLine = (hit: string) => hit.replace(/:\d+: /, ': ')

/**
 * Input ranges the UI writes as literal `max="N"`. Empty: every form reads its range from the
 * contract (renderer/forms/field-limits.ts, or a shared/ constant); keep it so.
 */
const UI_LITERAL_RANGES_DEBT: string[] = []

/**
 * A constant in main/ whose name says it caps something (…MAX…, …BYTES, KEEP…, …LIMIT…, …LINES,
 * …SLICES, …SAMPLES, …TRACKED, …STARTING, …CHARS; durations, …_MS, are timings, not caps) must read
 * its value from shared/ (budgets.ts and the README table), never be written as a number. Not caps,
 * so left where they are:
 */
const NOT_A_CAP: Record<string, string> = {
  'main/lab/net/relay-tcp.ts: MAX_READ_BYTES': "a fact about libuv (its 64 KiB read buffers), used to compute what a relay can hold",
  'main/lab/net/fork-mode.ts: PIPE_BUSY_BYTES': 'a tuning threshold: when the event pipe counts as busy and is read in batches',
  'main/lab/net/saved-messages-store.ts: COMPACT_MIN_BYTES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/net/saved-messages-store.ts: COMPACT_EVERY_LINES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/store/history-store.ts: COMPACT_MIN_BYTES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/net/socket-table-common.ts: PACKED_SORT_MAX': 'an algorithm switch: below it a packed numeric sort, above it the comparator',
}
const CAP_NAME = /^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*(?:MAX|BYTES|KEEP|LIMIT|LINES|SLICES|SAMPLES|TRACKED|STARTING|CHARS)[A-Z0-9_]*)\s*(?::[^=]+)?=\s*[-\d(]/

/** Percentages are not limits of the lab: a progress bar or a share ends at 100 everywhere. */
const NOT_A_LIMIT = new Set(['100'])

describe('no limit number outside shared/ (issue 15)', () => {
  const cli = sources('main/cli', /\.ts$/)

  it('no cap of the engine written as a number in main/: each reads its budget from shared/ (budgets.ts, the README table)', () => {
    const found: string[] = []
    for (const f of sources('main', /\.ts$/)) {
      for (const line of fs.readFileSync(path.join(root, f), 'utf8').split('\n')) {
        const m = CAP_NAME.exec(line.trim())
        if (m && !m[1]!.endsWith('_MS')) found.push(`${f}: ${m[1]}`)
      }
    }
    expect(found.filter((h) => !(h in NOT_A_CAP)), 'move the value to shared/budgets.ts with a comment saying why, and list it in README').toEqual([])
    // Each exemption still names a constant that exists (a renamed one does not silently keep its pass).
    expect(Object.keys(NOT_A_CAP).filter((h) => !found.includes(h))).toEqual([])
  })

  it('every ERR_LIMIT of the engine names its budget: made by limitError (shared/budget-registry.ts), never by hand', () => {
    const made = grep(sources('main', /\.ts$/), /new LabError\(\s*'ERR_LIMIT'/g).filter((h) => !h.startsWith('main/lab/errors.ts:'))
    expect(made, "use limitError('BUDGET_NAME', used, advice) so the page and the CLI can say which limit, its value and what changes it").toEqual([])
  })

  it('the CLI checks every integer option against a limit read from shared/, never a literal one', () => {
    // parseIntOption(value, name, min, MAX): the maximum must be a name (a constant or c.max), not digits.
    expect(grep(cli, /parseIntOption\([^)]*,\s*-?[\d_]+\s*,\s*[\d_]+(?:\s*\*\s*[\d_]+)*\s*\)/g)).toEqual([])
  })

  it('the CLI says no range or upper limit as literal digits (--help, usage errors)', () => {
    const said = grep(cli, /\bat most \d[\d_,]*|\(\d[\d_,]* to \d[\d_,]*|\(\d+-\d+\)/g)
    expect(said.filter((h) => !h.endsWith('(0-100)'))).toEqual([])
  })

  it("the UI's input ranges: no literal max beyond the listed debt", () => {
    const found = grep(sources('renderer', /\.vue$/), /(?<![\w-]):?max="(\d[\d_]*)"/g)
      .filter((h) => !NOT_A_LIMIT.has(/max="(\d[\d_]*)"/.exec(h)![1]!))
      .map(withoutLine)
      .map((h) => h.replace(':max=', 'max='))
    const debt = [...UI_LITERAL_RANGES_DEBT]
    const added = found.filter((h) => {
      const i = debt.indexOf(h)
      if (i < 0) return true
      debt.splice(i, 1)
      return false
    })
    expect(added, 'a literal range in the UI: read it from the contract (limitsOf) instead').toEqual([])
    expect(debt, 'paid off: remove these from UI_LITERAL_RANGES_DEBT').toEqual([])
  })
})
