/**
 * The binary form of a connection's events while they travel from the thread or process that serves
 * it to the main thread (the ring in shared-conn.ts; the forking child's event pipe). recv, message
 * and send happen for every message, so they are written without JSON and without hex: the serving
 * side copies at most EVENT_HEX_BYTES raw bytes, and the main thread makes the hex when it collects.
 * Anything else (an error) is JSON.
 *
 * Record: [u32 size of the whole record][u8 kind][u32 bytes][u32 raw length][raw | JSON]
 */
import { EVENT_HEX_BYTES } from '../../../shared/contract'

export const IoKind = { Json: 0, Recv: 1, Message: 2, Send: 3 } as const
export type IoKind = (typeof IoKind)[keyof typeof IoKind]

const HEAD = 13

export interface IoRecord {
  kind: IoKind
  bytes: number
  hex: string
  truncated: boolean
  json: unknown
  /** The whole record's size in bytes. */
  size: number
}

export function recordSize(data: Buffer | null, json: Buffer | null): number {
  return HEAD + (data ? Math.min(data.length, EVENT_HEX_BYTES) : (json?.length ?? 0))
}

/** Writes one record at `at` (the caller made room: recordSize bytes). */
export function encodeRecord(view: DataView, u8: Uint8Array, at: number, kind: IoKind, bytes: number, data: Buffer | null, json: Buffer | null): number {
  const body = data ? data.subarray(0, Math.min(data.length, EVENT_HEX_BYTES)) : json
  const len = body?.length ?? 0
  view.setUint32(at, HEAD + len)
  view.setUint8(at + 4, kind)
  view.setUint32(at + 5, bytes)
  view.setUint32(at + 9, len)
  if (body) u8.set(body, at + HEAD)
  return HEAD + len
}

export function decodeRecord(view: DataView, u8: Uint8Array, at: number): IoRecord {
  const size = view.getUint32(at)
  const kind = view.getUint8(at + 4) as IoKind
  const bytes = view.getUint32(at + 5)
  const len = view.getUint32(at + 9)
  const body = Buffer.from(u8.buffer, u8.byteOffset + at + HEAD, len)
  if (kind === IoKind.Json) return { kind, bytes, hex: '', truncated: false, json: JSON.parse(body.toString()), size }
  return { kind, bytes, hex: kind === IoKind.Send ? '' : body.toString('hex'), truncated: bytes > EVENT_HEX_BYTES, json: null, size }
}
