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
 * …SLICES, …SAMPLES, …TRACKED, …STARTING, …CHARS) or how long something may take (…_MS: a deadline,
 * a timeout, a grace, how long a thing is remembered) must read its value from shared/ (budgets.ts
 * and the README table), never be written as a number. Not caps, so left where they are:
 */
const NOT_A_CAP: Record<string, string> = {
  'main/lab/net/relay-tcp.ts: MAX_READ_BYTES': "a fact about libuv (its 64 KiB read buffers), used to compute what a relay can hold",
  'main/lab/net/owned-send.ts: TABLE_CHUNK_BYTES': "a read size: one read(2) of the kernel's socket table while looking for one row",
  'main/lab/net/fork-mode.ts: PIPE_READ_BYTES': "a read size: one tick's read of a child's event pipe, more than its socket pair buffers",
  'main/lab/net/saved-messages-store.ts: COMPACT_MIN_BYTES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/net/saved-messages-store.ts: COMPACT_EVERY_LINES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/store/history-store.ts: COMPACT_MIN_BYTES': 'a tuning threshold: when the file is worth rewriting',
  'main/lab/net/socket-table-common.ts: PACKED_SORT_MAX': 'an algorithm switch: below it a packed numeric sort, above it the comparator',
  // Durations that are cadences, tolerances or facts, not how long anything may take:
  'main/lab/net/thread-mode.ts: COLLECT_MS': 'a cadence: how often the main thread empties the connection threads\' event rings',
  'main/lab/net/fork-mode.ts: PIPE_MS': "a cadence: how often the lab reads a child's event pipe",
  'main/lab/net/fork-mode.ts: PIPE_FAST_MS': 'a cadence: the shortest batching window of a busy event pipe',
  'main/lab/net/fork-mode.ts: PIPE_FIRST_MS': "a cadence: the first read of a child's event pipe after the hand-over",
  'main/lab/net/spare-pool.ts: RECHECK_MS': 'a cadence: how often a waiting replacement spare looks at the CPUs again',
  'main/lab/net/tcp-server.ts: BUSY_WINDOW_MS': 'a tuning threshold: a connection that moved bytes this recently counts as busy',
  'main/lab/net/compare-experiment.ts: RETRIED_CONNECT_MS': "a fact about Linux: a dropped SYN is retried after 1 s, so a connect this slow was retried",
  'main/lab/proc/process-tree-common.ts: MIN_INTERVAL_MS': 'a measuring floor: shorter intervals give noisy percentages at 10 ms clock ticks',
  'main/lab/proc/os-lab.ts: SHARE_MS': 'a tuning threshold: watches sampled this close together share one sample',
  'main/lab/proc/cpu-slices.ts: MERGE_GAP_MS': 'a tolerance: CPU slices closer than this are one slice',
  'main/lab/workers/pool-child.ts: SLICE_GAP_MS': 'a tolerance: CPU slices closer than this are one slice',
  'main/lab/proc/cpu-sampler.ts: SAMPLE_INTERVAL_MS': 'a cadence: the CPU sampler reads /proc every clock tick',
  'main/lab/runs.ts: PROGRESS_EVERY_MS': 'a cadence: how often a run reports progress',
}
const CAP_NAME = /^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*(?:MAX|BYTES|KEEP|LIMIT|LINES|SLICES|SAMPLES|TRACKED|STARTING|CHARS)[A-Z0-9_]*|[A-Z][A-Z0-9_]*_MS)\s*(?::[^=]+)?=\s*[-\d(]/

/** Percentages are not limits of the lab: a progress bar or a share ends at 100 everywhere. */
const NOT_A_LIMIT = new Set(['100'])

describe('no limit number outside shared/ (issue 15)', () => {
  const cli = sources('main/cli', /\.ts$/)

  it('no cap or duration cap of the engine written as a number in main/: each reads its budget from shared/ (budgets.ts, the README table)', () => {
    const found: string[] = []
    for (const f of sources('main', /\.ts$/)) {
      for (const line of fs.readFileSync(path.join(root, f), 'utf8').split('\n')) {
        const m = CAP_NAME.exec(line.trim())
        if (m) found.push(`${f}: ${m[1]}`)
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

  it('the CLI restates no default: what an option left out means is read from the contract (a schema default, a DEFAULT_ constant)', () => {
    // `intOption(…) ?? 5_000`, `?? 1`: the default of an option, written again.
    expect(grep(cli, /intOption\([^)]*\)\s*\?\?\s*-?\d[\d_]*/g)).toEqual([])
    expect(grep(cli, /\?\?\s*(?:[1-9][\d_]*|0[\d_]+)\b/g)).toEqual([])
    // --help's "(default 5000)", "default 127.0.0.1": the same number, said in words.
    expect(grep(cli, /\bdefault:?\s+-?\d[\d_,.]*/g)).toEqual([])
  })

  it("the engine applies each input's default from the contract, never a literal of its own", () => {
    // `input.recvSize ?? 1024`, `opts.encoding ?? 'utf8'`: an absent field's meaning belongs beside its schema.
    const applied = grep(sources('main/lab', /\.ts$/), /\b(?:input|opts|options)\.\w+\s*\?\?\s*(?:-?[1-9][\d_]*|'[\w-]+')/g)
    // limitError's own `use` (which word the message says), an argument of a function, not a contract field.
    expect(applied.filter((h) => !h.startsWith('main/lab/errors.ts:'))).toEqual([])
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
