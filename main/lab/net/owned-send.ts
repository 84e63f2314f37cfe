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
export type SendQueueReader = (fd: number) => number | null | undefined

const littleEndian = os.endianness() === 'LE'

/**
 * tx_queue of the TCP socket on `fd`, from /proc/self/net/tcp{,6}, found by the socket's inode
 * (fstat). A file read of the kernel's table (a few ms with a thousand sockets), never a wait on a peer.
 */
export function kernelSendQueue(fd: number): number | null | undefined {
  if (process.platform !== 'linux') return undefined
  let inode: number
  try {
    inode = fs.fstatSync(fd).ino
  } catch {
    return null
  }
  for (const [file, family] of [['tcp', 4], ['tcp6', 6]] as const) {
    let text: Buffer
    try {
      text = fs.readFileSync(`/proc/self/net/${file}`)
    } catch {
      continue
    }
    const row = parseProcNetBytes(text, text.length, 'tcp', family, littleEndian, (i) => i === inode)[0]
    if (row) return row.sendQueueBytes
  }
  return null
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
        const queued = readQueue(target.fd)
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
    if (tries >= PANEL_SEND_TRIES) throw wouldBlock(conn, busy, bytes.length, busy.why === 'queued' ? busy.queued : (readQueue(target.fd) ?? 0))
    await nextTry(tries)
  }
}
