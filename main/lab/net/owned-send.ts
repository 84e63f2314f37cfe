/**
 * The server panel's send on a connection its own thread serves (`threading`, the `owns` design;
 * issue 14). Python allows it: another thread may call `request.sendall()` while the handler's thread
 * blocks in `recv()`, since a socket takes a send and a recv at the same time. Here the main thread
 * still holds the descriptor (it posted it to the thread), so it writes on it itself, with two guards:
 *
 * - the send lock (shared-conn.ts): the handler's thread holds it around each reply's write, the
 *   panel only tries it (the main thread never waits on an Atomics word), a few times, 1, 2, 4 … ms apart,
 *   so the panel's bytes never land inside a reply;
 * - the descriptor is blocking for everyone (O_NONBLOCK belongs to the open file description the
 *   thread set blocking), so the main thread writes only when the write cannot wait: the kernel's
 *   send queue for that socket is empty (tx_queue in /proc/net/tcp, read while holding the lock, so
 *   the queue can only shrink meanwhile) and the message is at most PANEL_SEND_OWNED_MAX_BYTES, half
 *   the default send buffer. Otherwise it is refused with a code, and nothing is written.
 *
 * The table is read asynchronously (the kernel makes its text on a libuv thread, not on the lab's
 * main thread: 33 ms with 1,000 sockets was the main thread's, blocked, per send) and only up to
 * the socket's own row. The lock is held across that read, as it was across the synchronous one:
 * a reply the handler starts meanwhile waits for it, so the queue read is still the queue written to.
 */
import fs from 'node:fs'
import os from 'node:os'
import { PANEL_SEND_OWNED_MAX_BYTES, PANEL_SEND_TRIES } from '../../../shared/budgets'
import { LabError, limitError } from '../errors'
import type { SharedConn } from './shared-conn'
import { parseProcNetBytes } from './socket-table-linux'

/** What the panel's send needs of an owned connection (thread-mode.ts OwnedConnection). */
export interface OwnedSocket {
  readonly fd: number
  readonly shared: SharedConn
  /** The connection ended (its descriptor is closed or about to be): nothing more is written on it. */
  ended(): boolean
  /** Emits what the thread recorded so far, so that its replies show before the panel's message. */
  collect(): void
}

/** Bytes in a socket's send queue (unsent or not yet acknowledged): `null` no such TCP socket (any more), `undefined` the OS does not say. */
export type SendQueueReader = (fd: number) => Promise<number | null | undefined> | number | null | undefined

const littleEndian = os.endianness() === 'LE'
/** One read(2) of the kernel's table: ~400 rows of 150 bytes; the kernel makes the text one read at a time. */
const TABLE_CHUNK_BYTES = 64 * 1024
const NEWLINE = 10

/**
 * The row of socket `inode` in /proc/self/net/`file`, read one chunk at a time and no further than
 * that row (the kernel writes the text as it is read, so the rest is never made): its tx_queue, or
 * `null` when no row has it, `undefined` when the file cannot be read.
 */
async function sendQueueIn(file: 'tcp' | 'tcp6', family: 4 | 6, inode: number, chunkBytes: number): Promise<number | null | undefined> {
  let handle: fs.promises.FileHandle
  try {
    handle = await fs.promises.open(`/proc/self/net/${file}`, 'r')
  } catch {
    return undefined
  }
  try {
    // Each chunk is parsed as a table of its own: a line (the header, then an empty one) and the
    // whole rows that follow; a row cut at the chunk's end is carried to the next chunk.
    let carry: Buffer = Buffer.alloc(0)
    let header = true
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes)
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, null)
      const text = Buffer.concat([header ? Buffer.alloc(0) : Buffer.from([NEWLINE]), carry, chunk.subarray(0, bytesRead)])
      header = false
      const last = bytesRead === 0 ? text.length : text.lastIndexOf(NEWLINE) + 1
      const row = parseProcNetBytes(text, last, 'tcp', family, littleEndian, (i) => i === inode)[0]
      if (row) return row.sendQueueBytes
      if (bytesRead === 0) return null
      carry = text.subarray(last)
    }
  } catch {
    return undefined
  } finally {
    await handle.close()
  }
}

/**
 * tx_queue of the TCP socket on `fd`, from /proc/self/net/tcp{,6}, found by the socket's inode
 * (fstat): a file read of the kernel's table off the main thread, never a wait on a peer.
 * `chunkBytes`: each read's size (a test makes rows straddle reads with a small one).
 */
export async function kernelSendQueue(fd: number, chunkBytes = TABLE_CHUNK_BYTES): Promise<number | null | undefined> {
  if (process.platform !== 'linux') return undefined
  let inode: number
  try {
    inode = fs.fstatSync(fd).ino
  } catch {
    return null
  }
  let readable = false
  for (const [file, family] of [['tcp', 4], ['tcp6', 6]] as const) {
    const queued = await sendQueueIn(file, family, inode, chunkBytes)
    if (typeof queued === 'number') return queued
    if (queued === null) readable = true
  }
  return readable ? null : undefined
}

/** The wait before try `tries + 1`: 1, 2, 4 … ms, so PANEL_SEND_TRIES tries span a delayed ACK (≤ 40 ms) with few reads of the table. */
const nextTry = (tries: number) => new Promise<void>((resolve) => setTimeout(resolve, 2 ** (tries - 1)))

/** Why the last try could not write (`queued`: what the send queue held then). */
type Busy = { why: 'replying' } | { why: 'queued'; queued: number }

function wouldBlock(conn: number, busy: Busy, bytes: number, queued: number): LabError {
  const what =
    busy.why === 'replying'
      ? `its thread was still writing a reply after ${PANEL_SEND_TRIES} tries (a reply blocked in send(): the client is not reading)`
      : `${queued} bytes still wait in its send queue after ${PANEL_SEND_TRIES} tries, and with these ${bytes} they would pass ${PANEL_SEND_OWNED_MAX_BYTES} (its client is not reading what it was sent)`
  return new LabError('ERR_SEND_WOULD_BLOCK', `nothing was sent to connection #${conn}: ${what}; the lab's main thread does not write where send() could block`, { conn, why: busy.why, queued })
}

/**
 * Writes `bytes` on the owned connection `target` from the main thread, or throws the coded reason
 * nothing was written. `written` runs once the bytes are in the kernel, still under the lock (the
 * panel's event then follows the thread's earlier replies and precedes its later ones).
 *
 * The bytes waiting in the send queue plus these may be at most PANEL_SEND_OWNED_MAX_BYTES: tx_queue
 * also counts bytes sent but not yet acknowledged, which a reading client acknowledges within a
 * delayed ACK (≤ 40 ms), so a busy lock or queue is tried again, PANEL_SEND_TRIES times in all, 1, 2,
 * 4 … ms apart (≈ 63 ms): each try that gets the lock reads the kernel's table (~1 ms, tens of ms with
 * a thousand sockets under load), so they are few.
 */
export async function writeFromPanel(target: OwnedSocket, conn: number, bytes: Buffer, written: () => void, readQueue: SendQueueReader = kernelSendQueue): Promise<number> {
  if (bytes.length > PANEL_SEND_OWNED_MAX_BYTES) {
    throw limitError('PANEL_SEND_OWNED_MAX_BYTES', bytes.length, `send at most ${PANEL_SEND_OWNED_MAX_BYTES} bytes at a time to a connection its own thread serves (in async or serial mode the lab queues larger messages)`, { use: 'asked', params: { conn } })
  }
  const closing = () => new LabError('ERR_BAD_STATE', `connection #${conn} is closing`, { conn })
  for (let tries = 1; ; tries++) {
    if (target.ended()) throw closing()
    let busy: Busy
    if (!target.shared.tryLockSendForPanel()) busy = { why: 'replying' }
    else {
      try {
        const queued = await readQueue(target.fd)
        // The connection may have ended while the table was read: its descriptor may be closed by now.
        if (target.ended()) throw closing()
        if (queued === undefined) throw new LabError('ERR_UNSUPPORTED', `this OS does not say what waits in connection #${conn}'s send queue, so the lab cannot know a write would not block`, { conn })
        if (queued === null) throw closing()
        if (queued + bytes.length <= PANEL_SEND_OWNED_MAX_BYTES) {
          target.collect()
          // At most half the send buffer in all: the kernel takes it in one call, without waiting.
          for (let at = 0; at < bytes.length; ) at += fs.writeSync(target.fd, bytes, at, bytes.length - at)
          written()
          return bytes.length
        }
        busy = { why: 'queued', queued }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ENOTCONN' || code === 'EBADF') throw closing()
        throw err
      } finally {
        target.shared.unlockSendForPanel()
      }
    }
    if (tries >= PANEL_SEND_TRIES) throw wouldBlock(conn, busy, bytes.length, busy.why === 'queued' ? busy.queued : target.ended() ? 0 : ((await readQueue(target.fd)) ?? 0))
    await nextTry(tries)
  }
}
