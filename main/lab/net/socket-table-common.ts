/**
 * What every per-OS socket reader shares: the reader interface, the rows it returns, address
 * formatting and the order of the table.
 */
import type { OsSocket, OsSocketTable } from '../../../shared/contract/os'

/** One socket as a reader found it, before the table decides whether it belongs to the processes read. */
export interface SocketRow extends Omit<OsSocket, 'match' | 'pid'> {
  /** The owning process as the OS says it (Linux: only among the processes whose fds were read); null if unknown. */
  pid: number | null
  /** No process holds this socket any more (Linux inode 0, a PID column of 0): TIME_WAIT, SYN_RECV, orphaned FIN_WAIT*. */
  orphan: boolean
}

export interface SocketRead {
  rows: SocketRow[]
  unreadable: OsSocketTable['unreadable']
  /** Tables longer than the reader's buffer budget: the sockets past it were not read (Linux: PROC_NET_MAX_BYTES). */
  cut?: string[]
}

export interface SocketReader {
  readonly source: OsSocketTable['source']
  readonly limits: string[]
  /** `root` and all its descendants; null if `root` does not exist. */
  processes(root: number): Promise<number[] | null>
  /**
   * Every socket of the network namespace `root` lives in; `pids` are the processes whose sockets
   * must carry their owner (null: every process's, as far as this user may read them).
   */
  read(root: number, pids: number[] | null): Promise<SocketRead>
  /** Linux `net.core.somaxconn`; null where unknown. */
  somaxconn(): number | null
}

/** An IPv6 address from its 16 bytes, as `ss` writes it: zero runs compressed, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIpv6(bytes: Uint8Array): string {
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  if (mapped) return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  const words: number[] = []
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!)
  // The longest run of two or more zero words becomes "::" (RFC 5952).
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':')
  if (best < 0) return hex(words)
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`
}

const STATE_ORDER: Record<string, number> = { LISTEN: 0, UNCONN: 1 }

/** TCP before UDP; LISTEN first; then by local port, peer port, state. */
export function compareSockets(a: OsSocket, b: OsSocket): number {
  if (a.proto !== b.proto) return a.proto === 'tcp' ? -1 : 1
  const sa = STATE_ORDER[a.state] ?? 2
  const sb = STATE_ORDER[b.state] ?? 2
  if (sa !== sb) return sa - sb
  return a.local.port - b.local.port || a.remote.port - b.remote.port || a.state.localeCompare(b.state) || a.family - b.family
}

/** Sockets beyond this many are sorted with the comparator: the packed key below has 18 bits for an index. */
const PACKED_SORT_MAX = 1 << 18

/**
 * Sorts in place in exactly compareSockets' order, faster: each socket's leading comparison fields
 * (proto 1 bit, state order 2, local port 16, peer port 16) folded once into one number with its
 * index below them (18 bits: 53 in all, exact in a double), and the numbers sorted natively (a
 * Float64Array, no comparator call). Sockets equal on those fields (rare: one port pair in two
 * states or families) are then put in compareSockets' order among themselves. With 2,000 sockets
 * the comparator alone had been the costliest step after the kernel's text.
 */
export function sortSockets(sockets: OsSocket[]): void {
  const n = sockets.length
  if (n > PACKED_SORT_MAX) {
    sockets.sort(compareSockets)
    return
  }
  const packed = new Float64Array(n)
  for (let i = 0; i < n; i++) packed[i] = leadingKey(sockets[i]!) * PACKED_SORT_MAX + i
  packed.sort()
  const before = sockets.slice()
  for (let i = 0; i < n; i++) sockets[i] = before[packed[i]! % PACKED_SORT_MAX]!
  // Runs with the same leading key: the comparator's remaining tie-breaks (state name, family).
  for (let start = 0; start < n; ) {
    const key = Math.floor(packed[start]! / PACKED_SORT_MAX)
    let end = start + 1
    while (end < n && Math.floor(packed[end]! / PACKED_SORT_MAX) === key) end++
    if (end - start > 1) {
      const run = sockets.slice(start, end).sort(compareSockets)
      for (let i = 0; i < run.length; i++) sockets[start + i] = run[i]!
    }
    start = end
  }
}

/** compareSockets' first four tie-breaks as one number: proto, state order, local port, peer port. */
function leadingKey(s: OsSocket): number {
  return (((s.proto === 'tcp' ? 0 : 1) * 4 + (STATE_ORDER[s.state] ?? 2)) * 65_536 + s.local.port) * 65_536 + s.remote.port
}

/** One key per connection: protocol and both ends. */
export function tupleKey(s: Pick<OsSocket, 'proto' | 'local' | 'remote'>): string {
  return `${s.proto} ${s.local.address}:${s.local.port} ${s.remote.address}:${s.remote.port}`
}

/** Addresses that mean "any" (a wildcard listener accepts on every local address). */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '*'
}

/** The same local endpoint, taking a v4 socket and its v4-mapped v6 form as one (a dual-stack `::` listener serves v4 peers too). */
export function sameAddress(a: string, b: string): boolean {
  const plain = (x: string) => (x.startsWith('::ffff:') ? x.slice(7) : x)
  return plain(a) === plain(b)
}

/** The root and its descendants from (pid, ppid) pairs; null if the root is not among them. */
export function descendantsOf(parents: { pid: number; ppid: number }[], root: number): number[] | null {
  if (!parents.some((p) => p.pid === root)) return null
  const children = new Map<number, number[]>()
  for (const { pid, ppid } of parents) {
    if (pid === ppid) continue // PID 0 on Windows is its own parent
    const list = children.get(ppid) ?? []
    list.push(pid)
    children.set(ppid, list)
  }
  const all = [root]
  const seen = new Set(all)
  for (let i = 0; i < all.length; i++) {
    for (const c of children.get(all[i]!) ?? []) {
      if (seen.has(c)) continue
      seen.add(c)
      all.push(c)
    }
  }
  return all
}
