/**
 * Schema library decision (issue 15): our `shared/schema.ts` against valibot and zod on the lab's real
 * call (`net.tcpServer.start`'s input, the busiest schema), in bundle size and validation speed.
 * Prints one table; asserts nothing. valibot and zod are not dependencies of the lab: to measure them,
 *
 *   npm i --no-save valibot@1.5.0 zod@4.6.7 && npm run bench -- tests/bench/schema-bench.ts
 *
 * Without them their rows say so (SCHEMA_BENCH_NODE_MODULES=/some/node_modules measures copies installed
 * elsewhere). Bundles are built by rolldown (vite's bundler), minified, gzip -9.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, it } from 'vitest'
import { methodSpecs } from '../../shared/contract'

const dir = mkdtempSync(join(tmpdir(), 'schema-bench-'))
symlinkSync(process.env.SCHEMA_BENCH_NODE_MODULES ?? resolve('node_modules'), join(dir, 'node_modules'))
const installed = (pkg: string) => {
  try {
    createRequire(join(dir, 'entry.js')).resolve(pkg)
    return true
  } catch {
    return false
  }
}
const PACKAGE: Record<string, string> = { valibot: 'valibot', 'zod/mini': 'zod/mini' }
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const HOST = String.raw`/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/`
const FIELDS = `recvSize: i(1, 65536), readDelayMs: i(0, 10000), maxFrameBytes: i(1, 16777216), idleTimeoutMs: i(0, 3600000),
  requestQueueSize: i(1, 65535), spares: i(1, 4), maxConnections: i(1, 10000)`

/** The same input schema written with each library (the lab's own is the contract itself). */
const SOURCES: Record<string, string> = {
  'ours: schema.ts + this schema': `import { object, optional, host, port, oneOf, string, int, boolean } from ${JSON.stringify(resolve('shared/schema.ts'))}
const i = (min, max) => optional(int({ min, max }))
const s = object({ host: optional(host()), port: optional(port()), mode: optional(oneOf(['serial', 'threading', 'forking', 'async'])),
  handler: optional(string({ min: 1, max: 16, pattern: /^(?:upper|echo|reverse|delay:\\d{1,5})$/ })), frame: optional(oneOf(['none', 'len32le', 'len32be', 'line'])),
  ${FIELDS}, allInterfaces: optional(boolean()) })
export const parse = (x) => s.parse(x)`,
  valibot: `import * as v from 'valibot'
const i = (min, max) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max)))
const s = v.strictObject({ host: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(253), v.regex(${HOST}))), port: i(0, 65535),
  mode: v.optional(v.picklist(['serial', 'threading', 'forking', 'async'])), handler: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(16), v.regex(/^(?:upper|echo|reverse|delay:\\d{1,5})$/))),
  frame: v.optional(v.picklist(['none', 'len32le', 'len32be', 'line'])), ${FIELDS}, allInterfaces: v.optional(v.boolean()) })
export const parse = (x) => v.safeParse(s, x)`,
  'zod/mini': `import * as z from 'zod/mini'
const i = (min, max) => z.optional(z.int().check(z.minimum(min), z.maximum(max)))
const s = z.strictObject({ host: z.optional(z.string().check(z.minLength(1), z.maxLength(253), z.regex(${HOST}))), port: i(0, 65535),
  mode: z.optional(z.enum(['serial', 'threading', 'forking', 'async'])), handler: z.optional(z.string().check(z.minLength(1), z.maxLength(16), z.regex(/^(?:upper|echo|reverse|delay:\\d{1,5})$/))),
  frame: z.optional(z.enum(['none', 'len32le', 'len32be', 'line'])), ${FIELDS}, allInterfaces: z.optional(z.boolean()) })
export const parse = (x) => z.safeParse(s, x)`,
  'ours: the whole contract (every method)': `import { methodSpecs } from ${JSON.stringify(resolve('shared/contract/net.ts').replace(/net\.ts$/, 'index.ts'))}
export const parse = (x) => methodSpecs['net.tcpServer.start'].input.parse(x)`,
}

const VALID = { host: '127.0.0.1', port: 0, mode: 'threading', handler: 'delay:50', recvSize: 1024, frame: 'len32be', requestQueueSize: 5 }
const INVALID = { host: '127.0.0.1', port: 70_000, mode: 'fork', extra: 1 }

async function bundle(name: string, source: string): Promise<{ bytes: number; gzip: number; file: string } | string> {
  const { build } = await import('rolldown')
  const entry = join(dir, `${name.replace(/\W+/g, '_')}.mjs`)
  const out = entry.replace(/\.mjs$/, '.out.mjs')
  writeFileSync(entry, source)
  try {
    await build({ input: entry, output: { file: out, format: 'esm', minify: true }, logLevel: 'silent', cwd: process.cwd(), write: true })
  } catch (err) {
    return `not measured (${String(err).split('\n')[0]!.slice(0, 60)})`
  }
  const code = readFileSync(out)
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, file: out }
}

function nsPerCall(parse: (x: unknown) => unknown, input: unknown, n: number): number {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) parse(input)
  return Number(process.hrtime.bigint() - t) / n
}

it('prints bundle size and validation speed of the schema libraries on net.tcpServer.start', async () => {
  // The contract itself must accept and refuse these as the copies do, or the comparison is unfair.
  if (!methodSpecs['net.tcpServer.start'].input.parse(VALID).ok || methodSpecs['net.tcpServer.start'].input.parse(INVALID).ok) throw new Error('inputs drifted from the contract')
  const rows: { name: string; size: string; valid: number; invalid: number }[] = []
  const parsers: Record<string, (x: unknown) => unknown> = {}
  for (const [name, source] of Object.entries(SOURCES)) {
    if (PACKAGE[name] && !installed(PACKAGE[name])) {
      rows.push({ name, size: 'not installed', valid: NaN, invalid: NaN })
      continue
    }
    const b = await bundle(name, source)
    if (typeof b === 'string') {
      rows.push({ name, size: b, valid: NaN, invalid: NaN })
      continue
    }
    parsers[name] = ((await import(b.file)) as { parse: (x: unknown) => unknown }).parse
    rows.push({ name, size: `${b.bytes} B min, ${b.gzip} B gzip`, valid: 0, invalid: 0 })
  }
  // Interleaved rounds, best of five per library: the machine is shared and noisy.
  const N = 50_000
  for (const p of Object.values(parsers)) nsPerCall(p, VALID, 5_000)
  for (let round = 0; round < 5; round++) {
    for (const row of rows) {
      const p = parsers[row.name]
      if (!p) continue
      const v = nsPerCall(p, VALID, N)
      const bad = nsPerCall(p, INVALID, N)
      row.valid = round === 0 ? v : Math.min(row.valid, v)
      row.invalid = round === 0 ? bad : Math.min(row.invalid, bad)
    }
  }
  const base = rows[0]!
  console.log('\nSchema libraries on net.tcpServer.start (best of 5 interleaved rounds, ns per parse)\n')
  console.log('| library | bundle | valid input | × ours | invalid input | × ours |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    const f = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x)} ns`)
    const x = (a: number, b: number) => (Number.isNaN(a) ? '—' : `${(a / b).toFixed(2)}×`)
    console.log(`| ${r.name} | ${r.size} | ${f(r.valid)} | ${x(r.valid, base.valid)} | ${f(r.invalid)} | ${x(r.invalid, base.invalid)} |`)
  }
})
