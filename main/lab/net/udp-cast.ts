/**
 * Broadcast and multicast for the UDP client and server (issue 14), decided before a socket is
 * made. On loopback by default: a broadcast to 127.255.255.255 and multicast on the loopback
 * interface (127.0.0.1) stay on this machine; any other broadcast address, or multicast through
 * another interface, would reach the network and needs `allInterfaces: true` (the consent the
 * servers ask before they listen on every interface, bind-address.ts).
 *
 * What the OS does, on Linux (checked by tests/integration/udp-cast.test.ts on loopback):
 * - a send to a broadcast address without SO_BROADCAST fails with EACCES;
 * - a socket bound to 127.0.0.1 receives neither broadcasts nor a group's datagrams (their
 *   destination is not 127.0.0.1): a receiver binds the broadcast or group address itself, or
 *   0.0.0.0 (every interface). Windows refuses to bind a multicast address: there only 0.0.0.0 works.
 * - multicast on `lo` works with IP_MULTICAST_IF = 127.0.0.1 and a membership on 127.0.0.1, even
 *   though `lo` has no MULTICAST flag.
 */
import os from 'node:os'
import { DEFAULT_MULTICAST_INTERFACE, MULTICAST_TTL, type UdpCastInfo } from '../../../shared/contract'
import { isLoopbackAddress, isMulticastV4, LIMITED_BROADCAST, LOOPBACK_BROADCAST, normalizeHost } from '../../../shared/net-address'
import { LabError } from '../errors'

export type CastKind = UdpCastInfo['kind']

interface V4Interface {
  name: string
  address: string
  broadcast: string
  internal: boolean
}

const toInt = (a: string) => a.split('.').reduce((n, b) => n * 256 + Number(b), 0)
const toDotted = (v: number) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.')

/** This machine's IPv4 interfaces, each with its broadcast address (address | ~netmask). */
export function v4Interfaces(): V4Interface[] {
  const out: V4Interface[] = []
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue
      const host = toInt(a.address)
      const mask = toInt(a.netmask)
      out.push({ name, address: a.address, broadcast: toDotted((host | ~mask) >>> 0), internal: a.internal })
    }
  }
  return out
}

/** What kind of destination `address` is: a group, the broadcast address of one of this machine's networks (or 255.255.255.255), or one host. */
export function castKindOf(address: string): CastKind {
  if (isMulticastV4(address)) return 'multicast'
  if (address === LIMITED_BROADCAST || address === LOOPBACK_BROADCAST || v4Interfaces().some((i) => i.broadcast === address)) return 'broadcast'
  return 'unicast'
}

function beyondLoopback(address: string, why: string, field: string): LabError {
  return new LabError('ERR_BEYOND_LOOPBACK', `${address} would carry the datagrams off this machine (${why}); pass allInterfaces: true to allow it`, { address, why, path: 'allInterfaces' }, field)
}

/** The multicast interface as one of this machine's IPv4 addresses; checked for consent when it is not loopback. */
function multicastInterface(given: string | undefined, allInterfaces: boolean | undefined, field: string): string {
  const address = normalizeHost(given ?? DEFAULT_MULTICAST_INTERFACE).address
  const iface = v4Interfaces().find((i) => i.address === address)
  if (!iface) {
    throw new LabError('ERR_ADDRESS_NOT_AVAILABLE', `${address} is not an IPv4 address of this machine's interfaces: multicast leaves and is joined by one of them (127.0.0.1 is loopback's)`, { host: address }, field)
  }
  if (!iface.internal && allInterfaces !== true) throw beyondLoopback(address, `multicast on interface ${iface.name}, a network`, field)
  return address
}

export interface ClientCast extends UdpCastInfo {
  /** Where the client's socket binds to hear replies: loopback when everything stays on this machine. */
  bindAddress: string
}

/** How the UDP client sends to `host` (an address already), or the coded refusal. */
export function clientCast(host: string, opts: { multicastInterface?: string; multicastTtl?: number; allInterfaces?: boolean }): ClientCast {
  const kind = castKindOf(host)
  if (kind === 'multicast') {
    const iface = multicastInterface(opts.multicastInterface, opts.allInterfaces, 'multicastInterface')
    return { kind, multicastInterface: iface, multicastTtl: opts.multicastTtl ?? MULTICAST_TTL.default, bindAddress: isLoopbackAddress(iface) ? iface : '0.0.0.0' }
  }
  if (kind === 'broadcast') {
    if (host !== LOOPBACK_BROADCAST && opts.allInterfaces !== true) {
      throw beyondLoopback(host, host === LIMITED_BROADCAST ? 'the limited broadcast reaches every host of the local network' : "the broadcast address of one of this machine's networks", 'host')
    }
    return { kind, bindAddress: host === LOOPBACK_BROADCAST ? '127.0.0.1' : '0.0.0.0' }
  }
  return { kind, bindAddress: '' }
}

export interface ServerMembership {
  group: string
  interface: string
  /** Where the server binds: the group itself, or every interface when the learner chose 0.0.0.0. */
  bindHost: string
}

/**
 * A UDP server's multicast membership: the group checked, its interface, and the host to bind —
 * the group itself by default (a socket bound to 127.0.0.1 would never see the group's datagrams).
 * `host` is what the learner typed, if anything; 0.0.0.0 still needs its own consent (bind-address.ts).
 */
export function serverMembership(group: string, opts: { host?: string; multicastInterface?: string; allInterfaces?: boolean }): ServerMembership {
  const g = normalizeHost(group).address
  if (!isMulticastV4(g)) {
    throw new LabError('ERR_INVALID_INPUT', `${JSON.stringify(group)} is not an IPv4 multicast group (224.0.0.0 to 239.255.255.255; 239.x.x.x is for private use)`, { detail: 'multicastGroup' }, 'multicastGroup')
  }
  const iface = multicastInterface(opts.multicastInterface, opts.allInterfaces, 'multicastInterface')
  const host = opts.host === undefined ? g : normalizeHost(opts.host).address
  if (host !== g && !normalizeHost(host).unspecified) {
    throw new LabError(
      'ERR_INVALID_INPUT',
      `a socket bound to ${host} receives only datagrams addressed to ${host}, never group ${g}'s: leave the host empty to bind the group itself, or use 0.0.0.0 (every interface)`,
      { detail: 'host' },
      'host',
    )
  }
  if (host === g && process.platform === 'win32') {
    throw new LabError('ERR_UNSUPPORTED', `Windows cannot bind a socket to the group address ${g}: use host 0.0.0.0 (every interface, with consent) to join it`, { detail: 'host' }, 'host')
  }
  return { group: g, interface: iface, bindHost: host }
}
