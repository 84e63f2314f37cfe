/** Which sockets of the kernel's table belong to a server, and where a serial server's clients wait. */
import { describe, expect, it } from 'vitest'
import type { OsSocket, OsSocketTable } from '../../shared/contract'
import { serverSockets, waitingPlaces } from '../../renderer/sockets/server-sockets'

const sock = (state: OsSocket['state'], local: number, remote: number, extra: Partial<OsSocket> = {}): OsSocket => ({
  proto: 'tcp',
  family: 4,
  local: { address: '127.0.0.1', port: local },
  remote: { address: remote ? '127.0.0.1' : '0.0.0.0', port: remote },
  state,
  acceptQueue: state === 'LISTEN' ? 0 : null,
  acceptQueueLimit: state === 'LISTEN' ? 5 : null,
  acceptQueueLimitSource: state === 'LISTEN' ? 'ss' : null,
  recvQueueBytes: state === 'LISTEN' ? null : 0,
  sendQueueBytes: state === 'LISTEN' ? null : 0,
  pid: 10,
  match: 'fd',
  inode: 1,
  timerMs: null,
  ...extra,
})

const table = (sockets: OsSocket[]): OsSocketTable => ({ sockets, pids: [10], rootPid: 10, enginePid: 10, sampledAt: 0, platform: 'linux', source: 'procfs', sampleMs: 1, somaxconn: 4096, unreadable: [], limits: [] })

describe('socket table in the server panel', () => {
  const t = table([
    sock('LISTEN', 8081, 0, { acceptQueue: 1 }),
    sock('ESTABLISHED', 8081, 50001),
    sock('ESTABLISHED', 8081, 50002, { recvQueueBytes: 13 }),
    sock('ESTABLISHED', 8081, 50003, { pid: null, match: 'accept-queue', recvQueueBytes: 4 }),
    sock('TIME_WAIT', 50000, 8081, { pid: null, match: 'peer-port' }),
    sock('ESTABLISHED', 9000, 50009),
    { ...sock('UNCONN', 8081, 0), proto: 'udp' },
  ])

  it('keeps the listener, the server ends and the client ends of this port, of this protocol', () => {
    expect(serverSockets(t, { proto: 'tcp', port: 8081 }).map((s) => `${s.state} ${s.local.port}-${s.remote.port}`)).toEqual([
      'LISTEN 8081-0',
      'ESTABLISHED 8081-50001',
      'ESTABLISHED 8081-50002',
      'ESTABLISHED 8081-50003',
      'TIME_WAIT 50000-8081',
    ])
    expect(serverSockets(t, { proto: 'udp', port: 8081 })).toHaveLength(1)
    expect(serverSockets(null, { proto: 'tcp', port: 8081 })).toEqual([])
  })

  it('says where the unserved wait: the kernel queue from the listener, the lab queue with its unread bytes', () => {
    const sockets = serverSockets(t, { proto: 'tcp', port: 8081 })
    const queue = [{ conn: 2, remote: { address: '::ffff:127.0.0.1', port: 50002 }, since: 0 }]
    expect(waitingPlaces(sockets, { port: 8081, queue })).toEqual({ kernelQueue: 1, kernelLimit: 5, labQueue: 1, labQueueBytes: 13 })
    expect(waitingPlaces([], { port: 8081, queue: [] })).toEqual({ kernelQueue: null, kernelLimit: null, labQueue: 0, labQueueBytes: 0 })
  })
})
