/**
 * One payload, several readings (issue 14): the conversation keeps the bytes and each row chooses
 * how to show them — as text in the connection's own encoding, as hex, or decoded as GBK, UTF-8 or
 * UTF-16LE (the browser's TextDecoder knows all three). Nothing is converted when it is received.
 */
import { hexToBytes, spacedHex, visible } from './net-bytes'

export const BYTE_VIEWS = ['text', 'hex', 'gbk', 'utf8', 'utf16le'] as const
export type ByteView = (typeof BYTE_VIEWS)[number]
/** What "text" means for a source: the encoding it sends and reads in (a client's setting; UTF-8 for servers). */
export type TextEncodingName = 'utf8' | 'gbk'

const LABELS: Record<Exclude<ByteView, 'text' | 'hex'>, string> = { gbk: 'gbk', utf8: 'utf-8', utf16le: 'utf-16le' }
const decoders = new Map<string, TextDecoder>()
function decoder(label: string): TextDecoder {
  let d = decoders.get(label)
  if (!d) decoders.set(label, (d = new TextDecoder(label, { fatal: false })))
  return d
}

/** The bytes (hex) as the chosen view shows them; bad bytes become U+FFFD, control characters visible marks. */
export function showBytes(hex: string, view: ByteView, text: TextEncodingName = 'utf8'): string {
  if (view === 'hex') return spacedHex(hex, Number.MAX_SAFE_INTEGER)
  const enc = view === 'text' ? text : view
  return visible(decoder(LABELS[enc]).decode(hexToBytes(hex)))
}

/** UTF-16LE needs whole two-byte units: an odd count leaves a byte the view cannot show. */
export function oddForUtf16(hex: string): boolean {
  return (hex.length / 2) % 2 === 1
}
