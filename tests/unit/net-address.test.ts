import { describe, expect, it } from 'vitest'
import { isUnspecifiedHost, normalizeHost } from '../../shared/net-address'

describe('normalizeHost', () => {
  it.each([
    ['0', '0.0.0.0'],
    ['0.0', '0.0.0.0'],
    ['0x0', '0.0.0.0'],
    ['000.000.000.000', '0.0.0.0'],
    ['::0', '::'],
    ['0::0', '::'],
    ['[0::]', '::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:0.0.0.0', '::'],
  ])('%s is every interface (%s)', (host, address) => {
    expect(normalizeHost(host)).toEqual({ kind: address === '::' ? 'ipv6' : 'ipv4', address, unspecified: true })
    expect(isUnspecifiedHost(host)).toBe(true)
  })

  it.each([
    ['127.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
  ])('%s is the single address %s', (host, address) => {
    expect(normalizeHost(host)).toMatchObject({ address, unspecified: false })
  })

  it.each(['localhost', '256.0.0.1', '0x100000000', '1:2:3:4:5:6:7:8:9', '0.0.0.0.0', '::ffff:0.0.0.256'])('%s is not an IP: a name to resolve', (host) => {
    expect(normalizeHost(host)).toMatchObject({ kind: 'name', unspecified: false })
  })
})
