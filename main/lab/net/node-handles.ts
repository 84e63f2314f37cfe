/**
 * The ONE place that touches Node's private socket handle fields (docs/ARCHITECTURE.md, "Handing a
 * connection to its thread"). Node 20–24.14 cannot move a socket to a worker thread, so the
 * `threading` mode hands the thread the socket's descriptor instead: the main thread keeps the handle
 * (and closes it once the thread is done), the thread does the blocking `recv`/`send` system calls.
 * Everything here depends on internals that a Node upgrade may change; tests/unit/node-handles.test.ts
 * checks each of them against the running Node and fails loudly if one moved.
 */
import dgram from 'node:dgram'
import net from 'node:net'

/** The slice of Node's TCPWrap / UDPWrap we rely on (src/tcp_wrap.cc, src/stream_wrap.cc, src/udp_wrap.cc). */
interface TcpHandle {
  fd?: number
  setBlocking?(blocking: boolean): number
  getpeername?(out: Record<string, unknown>): number
}
interface UdpHandle {
  open(fd: number): number
  disconnect(): number
  unref?(): void
}

function tcpHandle(socket: net.Socket): TcpHandle | null {
  return ((socket as unknown as { _handle?: TcpHandle | null })._handle ?? null) as TcpHandle | null
}

/**
 * Whether this platform and Node let a thread own a connection's descriptor. Linux only: the blocked
 * read can be woken there (see `abortConnection`), which the other platforms were not verified for;
 * Windows has no descriptor at all. Elsewhere the `threading` mode relays bytes (and says so).
 */
export function threadsCanOwnDescriptors(): boolean {
  return process.platform === 'linux' && typeof dgram.Socket === 'function'
}

/** The connection's real descriptor (a number ≥ 0), or null where the handle has none. */
export function descriptorOf(socket: net.Socket): number | null {
  const fd = tcpHandle(socket)?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : null
}

/**
 * Puts the descriptor in blocking mode, as Python's sockets are, so that the thread's `readSync`
 * waits in the kernel's `recv` like `self.request.recv(1024)`. The main thread never reads or writes
 * this socket afterwards (it was accepted paused), so its event loop is not affected.
 */
export function setBlocking(socket: net.Socket): boolean {
  const h = tcpHandle(socket)
  return typeof h?.setBlocking === 'function' && h.setBlocking(true) === 0
}

/**
 * True when the kernel already knows the connection is gone (the client sent RST before we read a
 * byte): `getpeername` then fails with ENOTCONN. Costs one system call and reads nothing, so a
 * connection that was reset in the accept queue is never handed to a thread or a process.
 */
export function alreadyReset(socket: net.Socket): boolean {
  const h = tcpHandle(socket)
  if (!h || typeof h.getpeername !== 'function') return socket.destroyed
  return h.getpeername({}) !== 0
}

/**
 * Until `until` settles, checks every `everyMs` whether the client reset `socket` and calls
 * `onReset` once if so. A socket accepted paused is never read, so Node itself would not notice
 * the RST; this is how a connection waiting for its thread or process lets it go (issue 12).
 */
export function watchReset(socket: net.Socket, until: Promise<unknown>, onReset: () => void, everyMs = 50): void {
  let timer: NodeJS.Timeout | null = null
  const stop = () => {
    if (timer) clearInterval(timer)
    timer = null
  }
  timer = setInterval(() => {
    if (!alreadyReset(socket)) return
    stop()
    onReset()
  }, everyMs)
  timer.unref()
  void until.then(stop, stop)
}

/** UDP handles kept open after waking a read (see below): counted so the cost is visible. */
let wakeHandles = 0
export function wakeHandlesKept(): number {
  return wakeHandles
}

/**
 * Ends a connection whose thread is blocked in `recv` on a silent client: closing the descriptor
 * would not wake it (the blocked call holds the socket), and Node offers no `shutdown(SHUT_RD)`.
 * `connect(fd, AF_UNSPEC)` does — the kernel aborts the connection (RST to the client) and the
 * blocked read returns (EPIPE on Linux ≥ 6.6, ECONNRESET before). Node reaches that call only
 * through a UDP handle's `disconnect()`, so a UDP handle is opened on the same descriptor for it.
 * That handle must never be closed (it would close the descriptor a second time, perhaps someone
 * else's by then): it is unreferenced and kept, about 200 bytes per woken connection.
 */
export function abortConnection(fd: number): boolean {
  const socket = dgram.createSocket('udp4')
  const state = Object.getOwnPropertySymbols(socket)
    .map((s) => (socket as unknown as Record<symbol, unknown>)[s])
    .find((v): v is { handle: UdpHandle } => typeof v === 'object' && v !== null && 'handle' in v)
  const handle = state?.handle
  if (!handle || typeof handle.open !== 'function' || typeof handle.disconnect !== 'function') return false
  if (handle.open(fd) !== 0) return false
  wakeHandles++
  handle.unref?.()
  return handle.disconnect() === 0
}

// ── h6 (issue 10): a UDP receiver that sleeps ──────────────────────────────────────────────────
// Node's dgram starts reading the moment a socket is bound and has no pause, so every datagram
// leaves the kernel at once. Python's receiver, asleep in `time.sleep`, leaves them in the socket's
// receive buffer. The UDP handle's own recvStop()/recvStart() (src/udp_wrap.cc → uv_udp_recv_stop/
// uv_udp_recv_start) stop and restart libuv polling the descriptor; stopped, the datagrams wait in
// the kernel. recvStop() called inside a 'message' listener ends libuv's read loop after that one
// datagram (uv__udp_recvmsg checks recv_cb after each), which makes one recvfrom() take one.
// tests/integration/node-handles-udp.test.ts fails loudly if any of this moves.

interface UdpRecvHandle {
  recvStart(): number
  recvStop(): number
}

/** The UDPWrap behind a dgram socket: its state object (a symbol-keyed field) holds `handle`. */
function udpRecvHandle(socket: dgram.Socket): UdpRecvHandle | null {
  const state = Object.getOwnPropertySymbols(socket)
    .map((s) => (socket as unknown as Record<symbol, unknown>)[s])
    .find((v): v is { handle: UdpRecvHandle | null } => typeof v === 'object' && v !== null && 'handle' in v)
  const h = state?.handle
  return h && typeof h.recvStart === 'function' && typeof h.recvStop === 'function' ? h : null
}

/** Stops reading a bound UDP socket: datagrams wait in the kernel's receive buffer. False if this Node has no such handle method. */
export function pauseUdpReceive(socket: dgram.Socket): boolean {
  const h = udpRecvHandle(socket)
  return h !== null && h.recvStop() === 0
}

/** Reads again (each waiting datagram becomes a 'message'). False if this Node has no such handle method. */
export function resumeUdpReceive(socket: dgram.Socket): boolean {
  const h = udpRecvHandle(socket)
  return h !== null && h.recvStart() === 0
}

/**
 * Stops the kernel reads of a paused stream socket (a child's event pipe, fork-mode.ts): `pause()`
 * alone only stops 'data' events, and Node goes on reading into the stream's buffer (a system call
 * per write of the child) until its highWaterMark. This is what Node's own `Socket.pause()` does
 * for sockets made with `onread` (lib/net.js): clear `_handle.reading` and call `readStop()`; the
 * next `resume()` starts reading again through Node's usual path (`tryReadStart`).
 */
export function pauseReading(socket: net.Socket): boolean {
  socket.pause()
  const h = (socket as unknown as { _handle?: { reading?: boolean; readStop?(): number } | null })._handle
  if (!h || typeof h.readStop !== 'function') return false
  if (h.reading) {
    h.reading = false
    h.readStop()
  }
  return true
}

/** Undoes `pauseReading` (as Node's `Socket.resume()` does for `onread` sockets: `tryReadStart`). */
export function resumeReading(socket: net.Socket): void {
  const h = (socket as unknown as { _handle?: { reading?: boolean; readStart?(): number } | null })._handle
  if (h && typeof h.readStart === 'function' && !h.reading) {
    h.reading = true
    h.readStart()
  }
  socket.resume()
}

// ── h6: the public socket transfer, detected by feature ─────────────────────────────────────────
/**
 * Whether this Node can move an accepted socket to a worker with the public API,
 * `worker.postMessage({ socket }, [socket])` (nodejs/node#64225: Node ≥ 24.20 / 26.6, Unix). Node
 * marks every class it can transfer with its `messaging_transfer_symbol` method (FileHandle has it
 * on Node 20 and 24); `net.Socket` has none on Node 20 – 24.14, where the call throws (Node 20:
 * ERR_INVALID_TRANSFER_OBJECT, 24.14: DataCloneError). Read from the running Node, never from its
 * version string (Electron's Node carries its own patches). The threading mode does not use the
 * transfer yet (docs/ARCHITECTURE.md); tests/integration/socket-transfer.test.ts checks this answer
 * against a real postMessage.
 */
export function socketsTransferToWorkers(): boolean {
  return Object.getOwnPropertySymbols(net.Socket.prototype).some((s) => s.description === 'messaging_transfer_symbol')
}
