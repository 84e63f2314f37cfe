/**
 * The Linux reader trusts its last scan of the engine's own descriptors while no new socket
 * appeared (socket-table-linux.ts, `readSync`): these real sockets check that a connection closed
 * and another opened on the same fd numbers is seen as the new one, by fd, right away — and that a
 * read that trusted the scan still finds every socket it held, and forgets the inodes of one closed since.
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
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
  /** A loopback server that keeps what it accepted, and a fresh reader and table (no ss) to look at them. */
  async function acceptingServer() {
    const accepted: net.Socket[] = []
    const server = net.createServer((s) => {
      accepted.push(s)
      s.on('error', () => {})
    })
    cleanup.push(() => server.close())
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()))
    const port = (server.address() as net.AddressInfo).port
    const reader = new LinuxSocketReader()
    return { accepted, port, reader, table: new SocketTable(reader, { ss: false }) }
  }
  afterEach(() => {
    for (const f of cleanup.splice(0)) f()
  })

  it('a connection closed and one opened on the same fd numbers: the new one is the engine\'s at once', async () => {
    const { accepted, port, reader, table } = await acceptingServer()
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

  it('a connection closed with nothing new opened: a read that trusts the last scan forgets its inodes', async () => {
    const { accepted, port, reader, table } = await acceptingServer()
    const own = () => (reader as unknown as { ownInodes: Set<number> | null }).ownInodes
    const a = await connect(port)
    const b = await connect(port)
    cleanup.push(() => b.destroy())
    while (accepted.length < 2) await new Promise((r) => setTimeout(r, 5))
    const first = await table.read()
    const aInodes = first.sockets.filter((s) => s.match === 'fd' && (s.local.port === a.localPort || s.remote.port === a.localPort)).map((s) => s.inode!)
    expect(aInodes).toHaveLength(2)
    expect(aInodes.every((i) => own()!.has(i))).toBe(true)
    a.destroy()
    accepted[0]!.destroy()
    await new Promise((r) => a.once('close', r))
    // The first read after the close that trusted the scan (another process's new socket can make one rescan instead).
    for (let i = 0; i < 50; i++) {
      const trusted = reader.ownScans.trusted
      await table.read()
      if (reader.ownScans.trusted > trusted) break
    }
    expect(aInodes.some((i) => own()!.has(i))).toBe(false)
  })

  it('after a trusted scan only the fds that can hold something new are asked again, and a socket also held by a child is asked', async () => {
    const { accepted, port, reader, table } = await acceptingServer()
    const mine = (t: OsSocketTable, client: net.Socket) =>
      t.sockets.filter((s) => s.match === 'fd' && s.state === 'ESTABLISHED' && (s.local.port === client.localPort || s.remote.port === client.localPort)).map((s) => s.pid)
    const held: net.Socket[] = []
    for (let i = 0; i < 20; i++) held.push(await connect(port))
    cleanup.push(() => held.forEach((c) => c.destroy()))
    while (accepted.length < 20) await new Promise((r) => setTimeout(r, 5))
    await table.read() // the first read asks every fd
    const fdCount = readdirSync('/proc/self/fd').length
    expect(reader.ownScans.fstats).toBeGreaterThanOrEqual(fdCount - 2)

    // One new connection: its two fds are asked, not the 40 sockets that did not change.
    const before = { ...reader.ownScans }
    const fresh = await connect(port)
    cleanup.push(() => fresh.destroy())
    while (accepted.length < 21) await new Promise((r) => setTimeout(r, 5))
    expect(mine(await table.read(), fresh)).toEqual([process.pid, process.pid])
    expect(reader.ownScans.scanned).toBe(before.scanned + 1) // its inodes are new: a scan, of the few fds that can hold them
    expect(reader.ownScans.fstats - before.fstats).toBeLessThan(fdCount / 2)

    // A child holds a dup of one client socket; the engine closes its own fd, and a new connection may take that fd number.
    const shared = held.pop()!
    const child = spawn('sleep', ['30'], { stdio: ['ignore', shared, 'ignore'] })
    cleanup.push(() => child.kill())
    await new Promise((r) => child.once('spawn', r))
    await table.read()
    shared.destroy()
    await new Promise((r) => shared.once('close', r))
    const next = await connect(port)
    cleanup.push(() => next.destroy())
    while (accepted.length < 22) await new Promise((r) => setTimeout(r, 5))
    // Both ends of the new connection are the engine's, though the old socket on that fd is still listed (the child's).
    expect(mine(await table.read(), next)).toEqual([process.pid, process.pid])
  })
})
