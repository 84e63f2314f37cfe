import type { OsSocket, OsSocketTable, ServerInfo } from '../../shared/contract'

/** The sockets of one lab server: its listener, its connections' server ends, and the client ends that talk to it from this machine. */
export function serverSockets(t: OsSocketTable | null, server: Pick<ServerInfo, 'proto' | 'port'>): OsSocket[] {
  if (!t) return []
  return t.sockets.filter((s) => s.proto === server.proto && (s.local.port === server.port || (s.proto === 'tcp' && s.remote.port === server.port)))
}

/** Where the serial server's unserved connections wait, from the kernel's table and the lab's own queue. */
export function waitingPlaces(sockets: OsSocket[], server: Pick<ServerInfo, 'port' | 'queue'>): { kernelQueue: number | null; kernelLimit: number | null; labQueue: number; labQueueBytes: number } {
  const listener = sockets.find((s) => s.state === 'LISTEN' && s.local.port === server.port)
  // Node writes a v4 peer of a dual-stack listener as ::ffff:a.b.c.d, the kernel's v4 table as a.b.c.d.
  const plain = (a: string) => (a.startsWith('::ffff:') ? a.slice(7) : a)
  const waiting = new Set(server.queue.map((q) => `${plain(q.remote.address)}:${q.remote.port}`))
  const serverEnds = sockets.filter((s) => s.local.port === server.port && s.state !== 'LISTEN' && s.match === 'fd' && waiting.has(`${plain(s.remote.address)}:${s.remote.port}`))
  return {
    kernelQueue: listener?.acceptQueue ?? null,
    kernelLimit: listener?.acceptQueueLimit ?? null,
    labQueue: server.queue.length,
    labQueueBytes: serverEnds.reduce((n, s) => n + (s.recvQueueBytes ?? 0), 0),
  }
}
