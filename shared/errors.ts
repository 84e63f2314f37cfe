/**
 * The one catalogue of error codes. Every door returns these as data:
 * `{ ok: false, error: { code, message, hint? } }`. The renderer translates by code;
 * `message` and `hint` are English for the CLI and logs.
 */
export const ERROR_CODES = {
  ERR_INVALID_INPUT: 'Check the highlighted option; the message says which one and why.',
  ERR_UNKNOWN_METHOD: 'The caller asked for something the lab does not offer; update the lab or the caller.',
  ERR_PORT_IN_USE: 'Another program (or another lab server) already listens there. Choose another port, or port 0 for any free one.',
  ERR_PERMISSION_DENIED: 'Ports below 1024 need administrator rights on most systems. Use a port above 1024, such as 8081.',
  ERR_ADDRESS_NOT_AVAILABLE: 'That address does not belong to this machine. Use 127.0.0.1 to listen on this computer only.',
  ERR_CONNECTION_REFUSED: 'Nothing is listening on that host and port. Start the server first, or check the port number.',
  ERR_CONNECTION_RESET: 'The other side closed the connection abruptly (a reset). A server that stops mid-conversation does this.',
  ERR_HOST_NOT_FOUND: 'That host name could not be resolved. Offline, use 127.0.0.1 or localhost.',
  ERR_HOST_UNREACHABLE: 'No route to that host. Offline, only addresses on this machine (127.0.0.1) can be reached.',
  ERR_TIMEOUT: 'No answer in time. Is the server running, and does it reply to what you send?',
  ERR_NOT_FOUND: 'It may have been stopped already; refresh the list.',
  ERR_BAD_STATE: 'The thing is not in a state that allows this; stop it first or start it again.',
  ERR_LIMIT: 'A safety limit was reached; lower the number or wait for running work to finish.',
  ERR_FRAME_TOO_LARGE: 'A length prefix announced a message over the cap, so the connection was closed before allocating it. Check both sides use the same framing.',
  ERR_DATAGRAM_TOO_LARGE: 'A UDP datagram carries at most 65,507 bytes of data over IPv4. Send less, or use TCP.',
  ERR_ENCODING: 'The text could not be encoded or decoded; check the payload and the chosen encoding.',
  ERR_QUEUE_FULL: 'Too many tasks are waiting. Wait for some to finish or raise the queue limit.',
  ERR_TASK_CRASHED: 'The child process running the task exited unexpectedly; the pool replaced it.',
  ERR_TASK_TIMEOUT: 'The task ran past its deadline and its process was killed; the pool replaced it.',
  ERR_POOL_STOPPED: 'The process pool was stopped; start it again to run tasks.',
  ERR_UNSUPPORTED: 'This operating system does not offer that; the result says what is missing.',
  ERR_STORAGE: 'The lab could not write to its data folder (full disk or read-only?). Your experiment still ran.',
  ERR_UNAUTHORIZED: 'Open the lab with the full address it printed, including ?token=…',
  ERR_DISCONNECTED: 'The connection to the lab engine was lost. Restart the lab.',
  ERR_ENGINE_TIMEOUT: 'The lab engine did not answer this request in the time its longest run allows: it may be stuck or the machine overloaded. Reload the page; if it happens again, restart the lab.',
  ERR_CONSENT_REQUIRED: 'Listening on every interface (0.0.0.0 or ::, however spelled) lets other machines connect. Tick "Accept connections from other machines" (CLI: --all-interfaces; contract: allInterfaces: true), or use 127.0.0.1.',
  ERR_REMOTE_TARGET: 'The relay forwards to this machine only (127.0.0.1, ::1 or a name that resolves to them) unless you consent: anything else would carry your traffic over the network. CLI: --remote-target; contract: remoteTarget: true.',
  ERR_NO_REPLY: 'Something listens there (it accepted the connection) but did not answer what you sent: a serial server busy with another client, a handler that waits for more (framing?), or one that never replies.',
  ERR_SERVER_BUSY: 'A serial server (socketserver.TCPServer) serves one connection at a time: close the client it is serving, or start the server in threading, forking or async mode.',
  ERR_CANCELLED: 'You cancelled the run: what finished before it is kept and shown; run it again for the rest.',
  ERR_INTERNAL: 'Something unexpected happened inside the lab; the lab keeps running. Please report what you did.',
  ERR_OWNED_BY_HANDLER: "As in ForkingTCPServer, whose parent closes its copy of the socket right after fork(), only the connection's child process sends on it. The lab's parent keeps a copy only to end the connection: a write from another process could land inside the child's reply (processes share no memory for a lock here), and the child, blocked in recv(), cannot look for a message until its client sends. To send from the server panel, start the server in threading, async or serial mode.",
  ERR_SEND_WOULD_BLOCK: "The lab's main thread writes to a connection its thread serves only when the kernel takes the bytes at once: what waits in the socket's send queue plus the message may be at most 8 KiB (PANEL_SEND_OWNED_MAX_BYTES), and its thread may not be writing a reply. Both mean the client is not reading what it was sent; send again once it reads.",
  ERR_BROADCAST_NOT_ENABLED: 'The OS refuses a send to a broadcast address (EACCES) unless the socket asked for it: tick "Broadcast" (CLI: --broadcast; Node: socket.setBroadcast(true); Python: sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)).',
  ERR_BEYOND_LOOPBACK: 'Broadcast to 127.255.255.255 and multicast on the loopback interface (127.0.0.1) stay on this machine. Anything else reaches the network: tick "Also beyond this machine" (CLI: --all-interfaces; contract: allInterfaces: true), the same consent as listening on every interface.',
  ERR_NOT_A_PEER: 'A UDP server has no connections: the server panel sends only to an address that sent this server a datagram recently (the newest UDP_RECENT_PEERS). Send it a datagram from that client first, then choose it.',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export interface LabErrorData {
  code: ErrorCode
  message: string
  hint?: string
  /** Values for the localized message, e.g. `{ port: 8081 }`. */
  params?: Record<string, string | number>
  /**
   * The input field the error is about, as the contract names it (`port`, `up.delayMs`,
   * `messages[2]`): the page highlights that field and moves focus to it; the CLI names the option.
   */
  field?: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: LabErrorData }

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code)
}

export function errorData(code: ErrorCode, message: string, params?: LabErrorData['params'], field?: string): LabErrorData {
  const data: LabErrorData = { code, message, hint: ERROR_CODES[code] }
  if (params) data.params = params
  if (field) data.field = field
  return data
}
