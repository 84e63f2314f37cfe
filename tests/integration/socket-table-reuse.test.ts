/**
 * The Linux reader trusts its last scan of the engine's own descriptors while no new socket
 * appeared (socket-table-linux.ts, `readSync`): these real sockets check that a connection closed
 * and another opened on the same fd numbers is seen as the new one, by fd, right away — and that a
 * read that trusted the scan still finds every socket it held.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { OsSocket, OsSocketTable } from '../../shared/contract'
import { SocketTable } from '../../main/lab/net/socket-table'
import { LinuxSocketReader } from '../../main/lab/net/socket-table-linux'

const linux = process.platform === 'linux'

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

describe.skipIf(!linux)('socket table: the engine\'s fds are not rescanned while nothing new appeared', () => {
  const cleanup: (() => void)[] = []
  afterEach(() => {
    for (const f of cleanup.splice(0)) f()
  })

  it('a connection closed and one opened on the same fd numbers: the new one is the engine\'s at once', async () => {
    const accepted: net.Socket[] = []
    const server = net.createServer((s) => {
      accepted.push(s)
      s.on('error', () => {})
    })
    cleanup.push(() => server.close())
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()))
    const port = (server.address() as net.AddressInfo).port
    const reader = new LinuxSocketReader()
    const table = new SocketTable(reader, { ss: false })
    const ends = (t: OsSocketTable, client: net.Socket) =>
      t.sockets.filter((s: OsSocket) => s.match === 'fd' && s.state === 'ESTABLISHED' && (s.local.port === client.localPort || s.remote.port === client.localPort))
    const until = async (what: () => boolean) => {
      while (!what()) await new Promise((r) => setTimeout(r, 5))
    }

    const a = await connect(port)
    await until(() => accepted.length === 1)
    expect(ends(await table.read(), a)).toHaveLength(2) // the first read scans
    const trustedBefore = reader.ownScans.trusted
    // Nothing of ours changed: the scan is trusted (unless some other process on this machine opened a socket meanwhile).
    expect(ends(await table.read(), a)).toHaveLength(2)

    const aPort = a.localPort!
    a.destroy()
    accepted[0]!.destroy()
    const b = await connect(port)
    await until(() => accepted.length === 2)
    cleanup.push(() => b.destroy())
    const after = await table.read()
    // The new connection's two ends, both by fd and both this process's: its inodes are new, so the fds were scanned again.
    expect(ends(after, b).map((s) => s.pid)).toEqual([process.pid, process.pid])
    // The old connection holds no fd any more: its ends are TIME_WAIT & co, never shown as an open file.
    expect(after.sockets.filter((s) => s.match === 'fd' && (s.local.port === aPort || s.remote.port === aPort))).toEqual([])
    expect(reader.ownScans.scanned).toBeGreaterThanOrEqual(2)

    // And a read that trusted the last scan shows everything the scan found.
    for (let i = 0; i < 50 && reader.ownScans.trusted === trustedBefore; i++) expect(ends(await table.read(), b)).toHaveLength(2)
    expect(reader.ownScans.trusted).toBeGreaterThan(trustedBefore)
  })
})
