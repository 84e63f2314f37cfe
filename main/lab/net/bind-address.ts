import dns from 'node:dns/promises'
import { normalizeHost } from '../../../shared/net-address'
import { fromNodeError, LabError } from '../errors'

/**
 * The address a server will really bind, decided before it binds: numeric spellings made
 * canonical (`0.0` → `0.0.0.0`, `[0::]` → `::`), names resolved the way listen() would resolve
 * them (the first address getaddrinfo gives), so the server reports what it bound and a name
 * that resolves to every interface needs consent too. Every interface without
 * `allInterfaces: true` is refused with ERR_CONSENT_REQUIRED.
 */
export async function bindAddress(host: string, allInterfaces: boolean | undefined): Promise<string> {
  let normal = normalizeHost(host)
  if (normal.kind === 'name') {
    try {
      const { address } = await dns.lookup(normal.address)
      normal = normalizeHost(address)
    } catch (err) {
      throw fromNodeError(err, { host })
    }
  }
  if (normal.unspecified && allInterfaces !== true) {
    throw new LabError(
      'ERR_CONSENT_REQUIRED',
      `${JSON.stringify(host)} means ${normal.address}, every network interface: other machines could connect; pass allInterfaces: true to allow it`,
      { host, address: normal.address, path: 'allInterfaces' },
    )
  }
  return normal.address
}
