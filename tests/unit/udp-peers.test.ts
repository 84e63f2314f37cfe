import { describe, expect, it } from 'vitest'
import { UDP_RECENT_PEERS } from '../../shared/budgets'
import { RecentPeers } from '../../main/lab/net/udp-peers'
import { peerName as peerKey } from '../../shared/net-address'

describe("a UDP server's recent peers (the panel's send targets)", () => {
  it('keeps at most its budget, forgetting the one heard from longest ago, newest first', () => {
    const peers = new RecentPeers(3)
    for (const port of [1, 2, 3]) peers.heard({ address: '127.0.0.1', port }, port)
    // Port 1 is heard again: it becomes the newest, so port 2 is the one that goes.
    peers.heard({ address: '127.0.0.1', port: 1 }, 10)
    peers.heard({ address: '127.0.0.1', port: 4 }, 11)
    expect(peers.size).toBe(3)
    expect(peers.list().map((p) => [p.port, p.datagrams, p.lastAt])).toEqual([
      [4, 1, 11],
      [1, 2, 10],
      [3, 1, 3],
    ])
    expect(peers.get('127.0.0.1:2')).toBeUndefined()
  })

  it('is bounded by UDP_RECENT_PEERS by default', () => {
    const peers = new RecentPeers()
    for (let port = 1; port <= UDP_RECENT_PEERS + 5; port++) peers.heard({ address: '127.0.0.1', port }, port)
    expect(peers.size).toBe(UDP_RECENT_PEERS)
    expect(peers.list().at(-1)!.port).toBe(6)
  })

  it('names IPv6 peers in brackets', () => {
    expect(peerKey({ address: '::1', port: 5000 })).toBe('[::1]:5000')
    expect(peerKey({ address: '127.0.0.1', port: 5000 })).toBe('127.0.0.1:5000')
  })
})
