import type { LabErrorData } from '../errors'
import { host, int, object, optional, port, string } from '../schema'
import { method } from './spec'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8081
/** Cap for one payload sent from a client (SECURITY.md item 9). */
export const MAX_PAYLOAD_CHARS = 65_536
/** How many bytes of each read are kept as hex in an event; the byte count is always exact. */
export const EVENT_HEX_BYTES = 256

export interface Address {
  address: string
  port: number
}

export type ServerState = 'idle' | 'listening' | 'closing' | 'closed'

export interface ServerInfo {
  id: string
  proto: 'tcp' | 'udp'
  host: string
  port: number
  state: ServerState
  handler: string
  startedAt: number
  connections: ConnectionInfo[]
}

export interface ConnectionInfo {
  conn: number
  remote: Address
  openedAt: number
  bytesIn: number
  bytesOut: number
}

export type ServerEvent = { serverId: string; at: number } & (
  | { event: 'listening'; proto: 'tcp' | 'udp'; host: string; port: number }
  | { event: 'connection'; conn: number; remote: Address }
  | { event: 'recv'; conn: number; bytes: number; hex: string; truncated: boolean }
  | { event: 'send'; conn: number; bytes: number }
  | { event: 'close'; conn: number; reason: 'client' | 'reset' | 'server' | 'error' }
  | { event: 'error'; conn?: number; error: LabErrorData }
  | { event: 'closed' }
)

export interface TcpSendResult {
  local: Address
  remote: Address
  bytesSent: number
  bytesReceived: number
  reply: string
  replyHex: string
  elapsedMs: number
}

const payload = string({ max: MAX_PAYLOAD_CHARS })
const timeoutMs = int({ min: 1, max: 60_000 })

export const netMethods = {
  'net.tcpServer.start': method<ServerInfo>()(object({ host: optional(host()), port: optional(port()) })),
  'net.server.stop': method<{ id: string }>()(object({ id: string({ min: 1, max: 64 }) })),
  'net.server.list': method<ServerInfo[]>()(object({})),
  'net.tcp.send': method<TcpSendResult>()(
    object({ host: host(), port: int({ min: 1, max: 65535 }), message: payload, timeoutMs: optional(timeoutMs) }),
  ),
}

export interface NetEvents {
  'net.server': ServerEvent
}
