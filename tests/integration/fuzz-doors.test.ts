import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { methodNames } from '../../shared/contract'
import { ERROR_CODES, isErrorCode, type Result } from '../../shared/errors'
import { host as hostSchema } from '../../shared/schema'
import { commands, runCli } from '../../main/cli/cli'
import type { CliIo } from '../../main/cli/io'
import { startHost } from '../../main/host/host'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { RENDERER_DIR, REPO_ROOT, WORKERS_DIR } from '../helpers/paths'
import { childPids, listeningSockets } from '../helpers/proc-probe'
import { waitUntil } from '../helpers/procs'
import { CANCELLED_EXIT } from '../../main/cli/long-run'

/**
 * docs/SECURITY.md item 10, issue 6 deliverable 3: arbitrary values thrown at EVERY contract method
 * (the list is read from the contract, never written here) through every door — the engine
 * entry, the WebSocket door and the CLI's argument parser. Each answer is a coded error or a
 * valid result; nothing throws; invalid input leaves nothing behind (no server listening, no
 * child process).
 *
 * Network rule: fuzzed strings that would be a routable host name or address are replaced by
 * 127.0.0.1 before they reach the lab, so the fuzzer never makes traffic (or a DNS query)
 * beyond loopback.
 */

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\]|0\.0\.0\.0|::|\[::\])$/i
/** Keeps a fuzzed string from naming another machine: hosts become 127.0.0.1, anything else stays. */
function loopbackOnly(s: string): string {
  return hostSchema().parse(s).ok && !LOOPBACK.test(s) ? '127.0.0.1' : s
}
function sanitize(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return loopbackOnly(v)
  if (depth > 8 || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => sanitize(x, depth + 1))
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v // Map, Date, typed arrays…
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {}
  for (const key of Reflect.ownKeys(v)) {
    const desc = Object.getOwnPropertyDescriptor(v, key)!
    Object.defineProperty(out, key, { ...desc, value: sanitize(desc.value, depth + 1) })
  }
  return out
}

/** Every option name any contract file mentions, so near-valid objects hit real keys. */
const CONTRACT_KEYS = [
  ...new Set(
    readdirSync(path.join(REPO_ROOT, 'shared', 'contract'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(REPO_ROOT, 'shared', 'contract', f), 'utf8').matchAll(/\b([a-zA-Z][a-zA-Z0-9]*)\s*:\s*(?:optional\()?[a-zA-Z]+\(/g)].map((m) => m[1]!)),
  ),
]

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '', ' ', '127.0.0.1', 'localhost', '::1', '0.0.0.0', '999.999.999.999', '127.0.0.1:80', 'a'.repeat(300), 'x'.repeat(70_000),
    '../../../../etc/passwd', '$(touch /tmp/pwned)', '`id`', '; rm -rf /', '|| true', '\u0000', '\ud800', '%00', '__proto__',
    'cpu:400ms*4', 'cpu:1ms*100000', 'io:0ms*0', 'c3,i:c5', '5:100,1:0', 'tcp', 'udp', 'forking', 'threads', 'processes', 'gbk', 'hex',
    'NaN', '-1', '65536', '1e309', '0x1F', '00000000000000000000008080',
  ),
)
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, 1.5),
)
const hostileLeaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt())
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileLeaf, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...CONTRACT_KEYS, '__proto__', 'constructor', 'prototype', 'toString'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
})).value
/** Inputs for the in-process entry: anything JS can hold, plus near-valid objects with hostile values. */
const engineInput = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }),
  hostileValue,
  fc.dictionary(fc.constantFrom(...CONTRACT_KEYS), hostileLeaf, { minKeys: 1, maxKeys: 6 }),
)
/** Inputs that can cross a WebSocket: JSON only. */
const jsonInput = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...CONTRACT_KEYS, '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
)

/** A well-formed answer: `{ ok: true, value }` or `{ ok: false, error }` with a catalogued code. */
function expectCoded(result: unknown, context: string): asserts result is Result<unknown> {
  expect(result, context).toBeTypeOf('object')
  const r = result as Record<string, unknown>
  if (r.ok === true) {
    expect(Object.keys(r).sort(), context).toEqual(['ok', 'value'])
    expect(() => JSON.stringify(r.value), context).not.toThrow()
    return
  }
  expect(r.ok, context).toBe(false)
  const error = r.error as Record<string, unknown>
  expect(isErrorCode(error.code), `${context}: code ${String(error.code)}`).toBe(true)
  expect(typeof error.message, context).toBe('string')
  expect(error.code === 'ERR_INTERNAL', `${context}: an internal error means something threw: ${String(error.message)}`).toBe(false)
}

function describeInput(v: unknown): string {
  try {
    return fc.stringify(v).slice(0, 300)
  } catch {
    return String(v)
  }
}

/** The engine's state that invalid input must not change. */
async function expectNothingLeft(lab: Lab, baselineChildren: number[], context: string): Promise<void> {
  const servers = await lab.call('net.server.list', {})
  expect(servers, context).toEqual({ ok: true, value: [] })
  const settled = await waitUntil(() => childPids().filter((p) => !baselineChildren.includes(p)).length === 0, 3_000)
  expect(settled, `${context}: child processes left: ${childPids().join(',')}`).toBe(true)
  expect(listeningSockets(), context).toEqual([])
}

const RUNS_ENGINE = 30
const RUNS_WS = 8

describe('fuzz: every door answers arbitrary input with a coded error or a valid result', () => {
  const baselineChildren = childPids()

  it('lists the methods it covers (from the contract)', () => {
    expect(methodNames.length).toBeGreaterThan(10)
    console.log(`fuzzing ${methodNames.length} contract methods: ${methodNames.join(', ')}`)
  })

  it('engine entry lab.call: every method, arbitrary values', async () => {
    let lab = createTestLab()
    const counts = { ok: 0, invalid: 0, otherError: 0 }
    try {
      for (const method of methodNames) {
        await fc.assert(
          fc.asyncProperty(engineInput, async (raw) => {
            const input = sanitize(raw)
            const context = `${method}(${describeInput(input)})`
            const result = await lab.call(method, input)
            expectCoded(result, context)
            if (result.ok) {
              // A valid call may act (start a server, run a task): undo it before the next one.
              counts.ok++
              await lab.close()
              lab = createTestLab()
              await expectNothingLeft(lab, baselineChildren, `after valid ${context}`)
            } else if (result.error.code === 'ERR_INVALID_INPUT') {
              counts.invalid++
              // Invalid input: no server was started (cheap check each time; the rest below).
              expect(await lab.call('net.server.list', {}), context).toEqual({ ok: true, value: [] })
            } else {
              counts.otherError++
              await lab.close()
              lab = createTestLab()
            }
          }),
          { numRuns: RUNS_ENGINE },
        )
        await expectNothingLeft(lab, baselineChildren, `after fuzzing ${method}`)
      }
      // Method names themselves: anything but a contract name is ERR_UNKNOWN_METHOD.
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'lab.info ', 'LAB.INFO')), async (name) => {
          fc.pre(!(methodNames as string[]).includes(name))
          const result = await lab.call(name, {})
          expect(result.ok).toBe(false)
          if (!result.ok) expect(result.error.code).toBe('ERR_UNKNOWN_METHOD')
        }),
        { numRuns: 100 },
      )
    } finally {
      await lab.close()
    }
    console.log(`engine: ${counts.invalid} refused as ERR_INVALID_INPUT, ${counts.ok} valid calls (undone), ${counts.otherError} other coded errors`)
    await expectNothingLeft(createTestLab(), baselineChildren, 'after the engine fuzz')
    expect(counts.invalid).toBeGreaterThan(methodNames.length * RUNS_ENGINE * 0.5)
  }, 120_000)

  it('WebSocket door: every method, arbitrary JSON, plus malformed frames', async () => {
    let lab = createTestLab()
    let host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0 })
    const connect = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { headers: { Origin: `http://127.0.0.1:${host.port}` } })
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      })
      return ws
    }
    let ws = await connect()
    let nextId = 1
    const request = (payload: string | Buffer, id: number): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${String(payload).slice(0, 200)}`)), 70_000)
        const onMessage = (data: WebSocket.RawData) => {
          const msg = JSON.parse(data.toString()) as Record<string, unknown>
          if (msg.type === 'result' && (msg.id === id || msg.id === -1)) {
            clearTimeout(timer)
            ws.off('message', onMessage)
            resolve(msg)
          }
        }
        ws.on('message', onMessage)
        ws.send(payload)
      })
    const reset = async () => {
      ws.close()
      await host.close()
      await lab.close()
      lab = createTestLab()
      host = await startHost({ lab, staticDir: RENDERER_DIR, port: 0 })
      ws = await connect()
    }
    try {
      for (const method of methodNames) {
        await fc.assert(
          fc.asyncProperty(jsonInput, async (raw) => {
            const input = sanitize(raw)
            const id = nextId++
            const msg = await request(JSON.stringify({ id, method, input }), id)
            const context = `ws ${method}(${describeInput(input)})`
            expect(msg.id, context).toBe(id)
            expectCoded(msg.result, context)
            if ((msg.result as Result<unknown>).ok) await reset()
            else if ((msg.result as { error: { code: string } }).error.code !== 'ERR_INVALID_INPUT') await reset()
          }),
          { numRuns: RUNS_WS },
        )
      }
      // Frames that are not requests at all: answered with a coded error (id -1), the door stays up.
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.record({ id: fc.oneof(fc.string(), fc.constant(null), fc.double()), method: fc.string() }).map((v) => JSON.stringify(v)),
            fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
          ),
          async (frame) => {
            const shaped = (() => {
              try {
                const v = JSON.parse(String(frame)) as { id?: unknown }
                return typeof v === 'object' && v !== null && typeof v.id === 'number'
              } catch {
                return false
              }
            })()
            fc.pre(!shaped || Buffer.isBuffer(frame))
            const msg = await request(frame, -1)
            expect(msg.id).toBe(-1)
            expectCoded(msg.result, `frame ${String(frame).slice(0, 100)}`)
            expect((msg.result as Result<unknown>).ok).toBe(false)
          },
        ),
        { numRuns: 60 },
      )
      const info = await request(JSON.stringify({ id: 999_999, method: 'lab.info', input: {} }), 999_999)
      expect((info.result as Result<unknown>).ok).toBe(true)
    } finally {
      ws.close()
      await host.close()
      await lab.close()
    }
    await expectNothingLeft(createTestLab(), baselineChildren, 'after the WebSocket fuzz')
  }, 120_000)

  describe('CLI argument parser (runCli in-process)', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-fuzz-cli-'))
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

    const io = (lines: string[]): CliIo => ({
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      workersDir: WORKERS_DIR,
      rendererDir: RENDERER_DIR,
      untilStopped: () => Promise.resolve(),
    })

    /** Never a browser, never the learner's real data folder, never another machine. */
    const safeArgv = (argv: string[]): string[] => {
      const out = argv.map((a) => {
        const eq = /^(--?[^=]+)=(.*)$/s.exec(a)
        if (eq) return `${eq[1]}=${loopbackOnly(eq[2]!)}`
        return commands.some((c) => c.name === a) || a.startsWith('-') ? a : loopbackOnly(a)
      })
      return out.filter((a) => !/^--(data-dir|open)(=|$)/.test(a)).concat(out[0] === 'web' ? ['--no-open', '--data-dir', dataDir] : [])
    }

    const check = async (argv: string[]) => {
      const lines: string[] = []
      const code = await runCli(argv, io(lines))
      const context = `lab ${argv.map((a) => JSON.stringify(a).slice(0, 60)).join(' ')} → ${code}\n${lines.slice(0, 5).join('\n')}`
      // This io says 'stopped' at once, as a Ctrl-C would: a long run then ends cancelled (130) with what finished.
      expect([0, 1, 2, CANCELLED_EXIT], context).toContain(code)
      if (code === 2 || code === 1) {
        // A failure always says which error, by code.
        expect(lines.join('\n'), context).toMatch(new RegExp(`\\b(${Object.keys(ERROR_CODES).join('|')})\\b`))
        expect(lines.join('\n'), context).not.toMatch(/ERR_INTERNAL/)
      }
      // Whatever it did, it left nothing running (its stop signal came at once).
      const settled = await waitUntil(() => childPids().filter((p) => !baselineChildren.includes(p)).length === 0, 5_000)
      expect(settled, `${context}\nchildren left: ${childPids().join(',')}`).toBe(true)
      expect(listeningSockets(), context).toEqual([])
      return code
    }

    it('arbitrary argv', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(fc.string(), hostileString), { maxLength: 6 }), async (argv) => {
          await check(safeArgv(argv))
        }),
        { numRuns: 150 },
      )
    }, 60_000)

    it('each command with its own options given hostile values', async () => {
      const codes: Record<string, number[]> = {}
      for (const command of commands) {
        const flags = Object.entries(command.options).filter(([name]) => !/dir|file|path|out|save|open/.test(name))
        const option: fc.Arbitrary<string[]> = fc.constantFrom(...flags).chain(([name, spec]) =>
          spec.type === 'boolean' ? fc.constant([`--${name}`]) : hostileString.filter((v) => v.length < 2_000).map((v) => [`--${name}`, v]),
        )
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.oneof(fc.constantFrom('tcp', 'udp', 'serial', 'parallel'), hostileString.filter((v) => v.length < 2_000)), { maxLength: 2 }),
            fc.array(option, { maxLength: 4 }),
            async (positionals, options) => {
              const code = await check(safeArgv([command.name, ...positionals, ...options.flat()]))
              ;(codes[command.name] ??= []).push(code)
            },
          ),
          { numRuns: 25 },
        )
      }
      console.log(`CLI exit codes per command: ${Object.entries(codes).map(([n, c]) => `${n} ${['0', '1', '2'].map((k) => `${k}:${c.filter((x) => String(x) === k).length}`).join('/')}`).join(', ')}`)
    }, 120_000)
  })
})
