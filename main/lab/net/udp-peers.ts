import type { Address, RecentPeer } from '../../../shared/contract'
import { UDP_RECENT_PEERS } from '../../../shared/budgets'
import { peerName } from '../../../shared/net-address'

/**
 * The peers a UDP server heard from (issue 14), the newest last in insertion order; bounded by
 * UDP_RECENT_PEERS (the one heard from longest ago goes first). They are the only addresses the
 * server panel may send to: a UDP server answers who wrote to it, it is not a sender to anywhere.
 */
export class RecentPeers {
  private readonly peers = new Map<string, RecentPeer>()

  constructor(private readonly max = UDP_RECENT_PEERS) {}

  heard(from: Address, at: number): void {
    const key = peerName(from)
    const known = this.peers.get(key)
    // Delete and set again: a Map iterates in insertion order, so the newest is always last.
    if (known) this.peers.delete(key)
    else if (this.peers.size >= this.max) this.peers.delete(this.peers.keys().next().value!)
    this.peers.set(key, { address: from.address, port: from.port, datagrams: (known?.datagrams ?? 0) + 1, lastAt: at })
  }

  get(key: string): RecentPeer | undefined {
    return this.peers.get(key)
  }

  get size(): number {
    return this.peers.size
  }

  /** Heard from most recently first. */
  list(): RecentPeer[] {
    return [...this.peers.values()].reverse().map((p) => ({ ...p }))
  }
}
