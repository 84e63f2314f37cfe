import { describe, expect, it } from 'vitest'
import { methodSpecs } from '../../shared/contract'
import { defaultOf, int, object, oneOf, optional, type Schema } from '../../shared/schema'
import { commands } from '../../main/cli/cli'
import { stickySettings } from '../../main/lab/net/sticky-experiment'
import { defaultStickyForm } from '../../renderer/forms/sticky-form'

/**
 * Issue 15, "defaults said once": an optional field may say what its absence means, beside its
 * limits (`optional(int({…}), 1024)`). The engine applies that default, the CLI's --help prints
 * it and the page's forms start from it; none of them writes the number again.
 */
describe('schema defaults (shared/schema.ts optional(inner, fallback))', () => {
  it('a default is read back, and parsing leaves an absent field absent (saved set-ups keep what was asked)', () => {
    const s = object({ recvSize: optional(int({ min: 1, max: 65_536 }), 1024), frame: optional(oneOf(['none', 'line'] as const), 'none') })
    expect(s.shape.recvSize.default).toBe(1024)
    expect(defaultOf(s.shape.frame)).toBe('none')
    expect(s.parse({})).toEqual({ ok: true, value: {} })
    expect(s.parse({ recvSize: 7 })).toEqual({ ok: true, value: { recvSize: 7 } })
  })

  it('a default its own schema refuses fails when the contract loads, not when a learner meets it', () => {
    expect(() => optional(int({ min: 1, max: 10 }), 11)).toThrow(/a default that its own schema refuses/)
    expect(() => optional(oneOf(['a', 'b'] as const), 'c' as 'a')).toThrow(/refuses/)
  })

  it('a field without a default says so instead of inventing one', () => {
    expect(() => defaultOf(optional(int({ min: 0, max: 1 })) as Schema<number | undefined>)).toThrow(/no default/)
  })

  it('every default in the contract is a value its field accepts', () => {
    let seen = 0
    for (const [name, spec] of Object.entries(methodSpecs)) {
      const shape = (spec.input as { shape?: Record<string, Schema<unknown> & { default?: unknown }> }).shape ?? {}
      for (const [field, s] of Object.entries(shape)) {
        if (!('default' in s)) continue
        seen++
        expect(s.parse(s.default, field).ok, `${name}.${field}`).toBe(true)
      }
    }
    expect(seen).toBeGreaterThan(20)
  })
})

describe('the engine, the CLI and its --help read the same default', () => {
  const help = (name: string) => commands.find((c) => c.name === name)!.help
  const STICKY = methodSpecs['net.sticky.run'].input.shape

  it('sticky: the engine applies the schema default and --help prints it', () => {
    const s = stickySettings({ messages: ['a'] })
    expect(s.recvSize).toBe(STICKY.recvSize.default)
    expect(s.readDelayMs).toBe(STICKY.readDelayMs.default)
    expect(help('sticky')).toContain(`default ${STICKY.recvSize.default})`)
    expect(help('sticky')).toContain(`default ${STICKY.readDelayMs.default})`)
  })

  it("sticky: the page's form starts from the same defaults the engine applies", () => {
    const { messages, ...form } = defaultStickyForm()
    const { messages: _m, udp: _u, ...engine } = stickySettings({ messages })
    expect(form).toEqual(engine)
  })

  it.each([
    ['send', methodSpecs['net.tcpClient.open'].input.shape.timeoutMs.default],
    ['send', methodSpecs['net.tcpClient.send'].input.shape.repeat.default],
    ['counter', methodSpecs['proc.counter.run'].input.shape.increments.default],
    ['schedule', methodSpecs['sim.schedule'].input.shape.maxlen.default],
    ['simulate', methodSpecs['sim.run'].input.shape.ioLength.default],
    ['tree', methodSpecs['os.watch.start'].input.shape.intervalMs.default],
    ['sockets', methodSpecs['os.watch.start'].input.shape.intervalMs.default],
    ['saved', methodSpecs['net.udp.send'].input.shape.waitReplyMs.default],
  ] as const)('lab %s --help says default %s, read from the contract', (name, value) => {
    expect(help(name)).toMatch(new RegExp(`default ${value}\\b`))
  })
})
