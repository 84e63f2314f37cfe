/**
 * The binary form of a connection's events while they travel from the thread or process that serves
 * it to the main thread (the ring in shared-conn.ts; the forking child's event pipe). recv, message
 * and send happen for every message, so they are written without JSON and without hex: the serving
 * side copies at most EVENT_HEX_BYTES raw bytes (a reply's as well as a read's: the conversation shows
 * the handler's replies, issue 14), and the main thread makes the hex when it collects.
 * Anything else (an error) is JSON.
 *
 * Record: [u32 size of the whole record][u8 kind][u32 bytes][u32 raw length][raw | JSON]
 */
import { EVENT_HEX_BYTES } from '../../../shared/contract/net-values'

/** Totals: the running counts (bytes in, out, messages, bytes an unfinished message holds), a forking child's. */
export const IoKind = { Json: 0, Recv: 1, Message: 2, Send: 3, Totals: 4 } as const
export type IoKind = (typeof IoKind)[keyof typeof IoKind]

const HEAD = 13
/** A record's header: size, kind, bytes, raw length (shared-conn.ts writes it without a DataView). */
export const RECORD_HEAD_BYTES = HEAD

export interface IoRecord {
  kind: IoKind
  /** Totals only: [bytesIn, bytesOut, messages, held]. */
  totals?: [number, number, number, number]
  bytes: number
  hex: string
  truncated: boolean
  json: unknown
  /** The whole record's size in bytes. */
  size: number
}

/** The raw bytes a record keeps: the first `bytes` of `data` (which may be longer, a reused buffer), at most EVENT_HEX_BYTES. */
function keptOf(bytes: number, data: Buffer): number {
  return Math.min(bytes, data.length, EVENT_HEX_BYTES)
}

export function recordSize(bytes: number, data: Buffer | null, json: Buffer | null): number {
  return HEAD + (data ? keptOf(bytes, data) : (json?.length ?? 0))
}

/** Writes one record at `at` (the caller made room: recordSize bytes). */
export function encodeRecord(view: DataView, u8: Uint8Array, at: number, kind: IoKind, bytes: number, data: Buffer | null, json: Buffer | null): number {
  const body = data ? data.subarray(0, keptOf(bytes, data)) : json
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
  if (kind === IoKind.Totals) {
    const t = (i: number) => view.getFloat64(at + HEAD + i * 8)
    return { kind, bytes, hex: '', truncated: false, json: null, size, totals: [t(0), t(1), t(2), t(3)] }
  }
  if (kind === IoKind.Json) return { kind, bytes, hex: '', truncated: false, json: JSON.parse(body.toString()), size }
  return { kind, bytes, hex: body.toString('hex'), truncated: bytes > EVENT_HEX_BYTES, json: null, size }
}

/**
 * Records collected in one growing buffer, written out in one go: a forking child writes each
 * iteration's records to its event pipe with one `write` (event-records travel the same way as in
 * the threading ring, so the parent decodes them with the same code).
 */
export class RecordBatch {
  private buf = Buffer.allocUnsafe(4096)
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(bigger, 0, 0, this.length)
    this.buf = bigger
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength)
  }

  add(kind: IoKind, bytes: number, data: Buffer | null, json: Buffer | null): void {
    this.room(recordSize(bytes, data, json))
    this.length += encodeRecord(this.view, this.buf, this.length, kind, bytes, data, json)
  }

  totals(bytesIn: number, bytesOut: number, messages: number, held: number): void {
    this.room(HEAD + 32)
    const at = this.length
    this.view.setUint32(at, HEAD + 32)
    this.view.setUint8(at + 4, IoKind.Totals)
    this.view.setUint32(at + 5, 0)
    this.view.setUint32(at + 9, 32)
    ;[bytesIn, bytesOut, messages, held].forEach((v, i) => this.view.setFloat64(at + HEAD + i * 8, v))
    this.length += HEAD + 32
  }

  /** The records so far; the batch starts empty again. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.length)
    this.length = 0
    return out
  }
}

/** Cuts records out of a byte stream that arrives in pieces (the parent's side of a child's event pipe). */
export class RecordReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): IoRecord[] {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    const out: IoRecord[] = []
    let at = 0
    while (data.length - at >= 4) {
      const size = view.getUint32(at)
      if (data.length - at < size) break
      out.push(decodeRecord(view, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at))
      at += size
    }
    this.pending = Buffer.from(data.subarray(at))
    return out
  }
}
