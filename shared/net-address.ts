/**
 * What a host string the learner typed means as a bind address, decided in one place for the
 * engine's TCP and UDP servers and the page's consent check. The resolver (getaddrinfo, which
 * Node's listen() and bind() use for anything that is not a canonical IP) reads IPv4 the way
 * `inet_aton` does, so `0`, `0.0`, `00` and `0x0` all mean 0.0.0.0; IPv6 has as many spellings
 * (`::0`, `0::0`, `[0::]`, `0:0:0:0:0:0:0:0`, `::ffff:0.0.0.0`). Any of them listens on every
 * interface, which needs the learner's explicit consent (SECURITY.md item 14).
 */

export type HostKind = 'ipv4' | 'ipv6' | 'name'

export interface NormalHost {
  kind: HostKind
  /** The canonical address (`0.0.0.0`, `::`, `127.0.0.1`, `::1`); a name as given, lower-cased. */
  address: string
  /** Every interface: 0.0.0.0 or ::, however it was spelled. */
  unspecified: boolean
}

/** One inet_aton part: decimal, octal (leading 0) or hex (0x…); null when it is none of them. */
function atonPart(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16)
  if (/^0[0-7]*$/.test(part)) return parseInt(part, 8)
  if (/^[1-9][0-9]*$/.test(part)) return Number(part)
  return null
}

/** IPv4 as inet_aton reads it (`a`, `a.b`, `a.b.c`, `a.b.c.d`): the 32-bit value, or null. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.')
  if (parts.length > 4 || parts.some((p) => p === '')) return null
  const values = parts.map(atonPart)
  if (values.some((v) => v === null || !Number.isFinite(v))) return null
  const nums = values as number[]
  const last = nums.length - 1
  // Every part but the last is one byte; the last fills the remaining bytes.
  if (nums.slice(0, last).some((v) => v > 255) || nums[last]! >= 2 ** (8 * (4 - last))) return null
  let value = 0
  for (let i = 0; i < last; i++) value += nums[i]! * 2 ** (8 * (3 - i))
  return value + nums[last]!
}

const dotted = (v: number) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.')

/** Eight 16-bit groups, or null. A trailing dotted quad (strict decimal) is two groups. */
export function parseIPv6(text: string): number[] | null {
  let body = text
  const tail: number[] = []
  const lastColon = body.lastIndexOf(':')
  if (body.slice(lastColon + 1).includes('.')) {
    const quad = body.slice(lastColon + 1)
    if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(quad)) return null
    const bytes = quad.split('.').map(Number)
    if (bytes.some((b) => b > 255)) return null
    tail.push(bytes[0]! * 256 + bytes[1]!, bytes[2]! * 256 + bytes[3]!)
    // What precedes the quad: keep a `::`, drop a single separating `:`.
    const prefix = body.slice(0, lastColon + 1)
    body = prefix.endsWith('::') ? prefix : prefix.slice(0, -1)
  }
  const halves = body.split('::')
  if (halves.length > 2) return null
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const head = groups(halves[0]!)
  const rest = halves.length === 2 ? groups(halves[1]!) : []
  const all = [...head, ...rest]
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null
  const given = all.length + tail.length
  if (halves.length === 1 ? given !== 8 : given > 7) return null
  const zeros = new Array<number>(8 - given).fill(0)
  const hex = (g: string) => parseInt(g, 16)
  return [...head.map(hex), ...(halves.length === 2 ? zeros : []), ...rest.map(hex), ...tail]
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as `::`. */
function formatIPv6(groups: number[]): string {
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) [best, bestLen] = [i, j - i]
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** Reads a host as a bind address: brackets off, numeric spellings made canonical. */
export function normalizeHost(host: string): NormalHost {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1')
  const v4 = parseIPv4(bare)
  if (v4 !== null) return { kind: 'ipv4', address: dotted(v4), unspecified: v4 === 0 }
  if (bare.includes(':')) {
    const v6 = parseIPv6(bare)
    if (v6) {
      const zeroHead = v6.slice(0, 5).every((g) => g === 0)
      // `::ffff:0.0.0.0` (IPv4-mapped any) binds every interface as well.
      const mappedAny = zeroHead && v6[5] === 0xffff && v6[6] === 0 && v6[7] === 0
      const unspecified = v6.every((g) => g === 0) || mappedAny
      const mapped = zeroHead && v6[5] === 0xffff && !unspecified
      const address = unspecified ? '::' : mapped ? `::ffff:${dotted(v6[6]! * 65536 + v6[7]!)}` : formatIPv6(v6)
      return { kind: 'ipv6', address, unspecified }
    }
  }
  return { kind: 'name', address: bare.toLowerCase(), unspecified: false }
}

/** True for every spelling of 0.0.0.0 and ::, the addresses that listen on every interface. */
export function isUnspecifiedHost(host: string): boolean {
  return normalizeHost(host).unspecified
}

// ── Broadcast and multicast (issue 14): what kind of destination an address is ──

/** The loopback network's broadcast address (127.0.0.0/8): a broadcast that stays on this machine. */
export const LOOPBACK_BROADCAST = '127.255.255.255'
/** The limited broadcast: every host of the local network, never routed further (still beyond this machine). */
export const LIMITED_BROADCAST = '255.255.255.255'

/** IPv4 multicast groups are 224.0.0.0/4 (224.0.0.0–239.255.255.255); 239.0.0.0/8 is for private use. */
export function isMulticastV4(host: string): boolean {
  const n = normalizeHost(host)
  return n.kind === 'ipv4' && Number(n.address.split('.')[0]) >= 224 && Number(n.address.split('.')[0]) <= 239
}

/** 127.0.0.0/8, ::1 and 127.x mapped into IPv6: this machine. */
export function isLoopbackAddress(host: string): boolean {
  const a = normalizeHost(host).address
  return /^127\./.test(a) || a === '::1' || /^::ffff:127\./.test(a)
}

/** How a UDP server's peer is named (ServerInfo.peers, `net.udpServer.send`'s `to`): "address:port", "[address]:port" for IPv6. */
export const peerName = (a: { address: string; port: number }): string => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)
