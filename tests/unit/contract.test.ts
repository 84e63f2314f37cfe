import { describe, expect, it } from 'vitest'
import { ipcChannel, isMethodName, methodNames, methodSpecs } from '../../shared/contract'
import { ERROR_CODES, errorData, isErrorCode } from '../../shared/errors'

describe('contract', () => {
  it('gives every method a runtime schema for its input', () => {
    expect(methodNames.length).toBeGreaterThan(0)
    for (const m of methodNames) {
      expect(typeof methodSpecs[m].input.parse, m).toBe('function')
    }
  })

  it('rejects unknown keys in every method, naming the key (docs/SECURITY.md item 9)', () => {
    let accepted = 0
    for (const m of methodNames) {
      const schema = methodSpecs[m].input
      // Refused because of the extra key itself, not because a required option is missing:
      // a schema that let extra keys through would fail here on the method's own options.
      expect(schema.parse({ __unknown__: 1 }), m).toMatchObject({ ok: false, issue: { path: '__unknown__', message: 'is not a known option' } })
      // Where the method takes no required option, {} passes and one key more does not.
      if (schema.parse({}).ok) {
        accepted++
        expect(schema.parse({ __unknown__: 1 }).ok, m).toBe(false)
      }
    }
    // The positive control above must cover some methods, or it proves nothing.
    expect(accepted).toBeGreaterThan(5)
  })

  it('names methods domain.thing.verb and derives one distinct IPC channel each', () => {
    for (const m of methodNames) expect(m).toMatch(/^[a-z]+(\.[a-zA-Z]+)+$/)
    expect(new Set(methodNames.map(ipcChannel)).size).toBe(methodNames.length)
  })

  it('recognises only its own method names', () => {
    expect(isMethodName('net.tcpServer.start')).toBe(true)
    for (const bad of ['toString', '__proto__', 'constructor', 'net', '', 42, null]) expect(isMethodName(bad)).toBe(false)
  })
})

describe('error catalogue', () => {
  it('has a hint for every code, and error data carries it', () => {
    for (const [code, hint] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z_]+$/)
      expect(hint.length).toBeGreaterThan(10)
    }
    expect(errorData('ERR_PORT_IN_USE', 'x')).toEqual({ code: 'ERR_PORT_IN_USE', message: 'x', hint: ERROR_CODES.ERR_PORT_IN_USE })
    expect(isErrorCode('ERR_PORT_IN_USE')).toBe(true)
    expect(isErrorCode('toString')).toBe(false)
  })
})
