import { describe, expect, it } from 'vitest'
import { fromNodeError, LabError, toErrorData } from '../../main/lab/errors'

const sysErr = (code: string) => Object.assign(new Error(`${code} something`), { code })

describe('fromNodeError', () => {
  it.each([
    ['EADDRINUSE', 'ERR_PORT_IN_USE'],
    ['EACCES', 'ERR_PERMISSION_DENIED'],
    ['ECONNREFUSED', 'ERR_CONNECTION_REFUSED'],
    ['ECONNRESET', 'ERR_CONNECTION_RESET'],
    ['ENOTFOUND', 'ERR_HOST_NOT_FOUND'],
    ['EHOSTUNREACH', 'ERR_HOST_UNREACHABLE'],
    ['EMSGSIZE', 'ERR_DATAGRAM_TOO_LARGE'],
    ['EROFS', 'ERR_STORAGE'],
  ])('maps %s to %s with the place in the message and a hint', (node, ours) => {
    const err = fromNodeError(sysErr(node), { host: '127.0.0.1', port: 8081 })
    expect(err.code).toBe(ours)
    const data = err.toData()
    expect(data.hint).toBeTruthy()
    expect(data.params).toMatchObject({ host: '127.0.0.1', port: 8081, where: '127.0.0.1:8081' })
  })

  it('keeps our own errors and turns anything else into ERR_INTERNAL data, never a thrown object', () => {
    const ours = new LabError('ERR_TIMEOUT', 'slow')
    expect(fromNodeError(ours)).toBe(ours)
    expect(toErrorData(new TypeError('boom')).code).toBe('ERR_INTERNAL')
    expect(toErrorData('a string').code).toBe('ERR_INTERNAL')
    expect(toErrorData(undefined).code).toBe('ERR_INTERNAL')
  })
})
