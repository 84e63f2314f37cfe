import { createRequire } from 'node:module'
import type IconvLite from 'iconv-lite'
import { EVENT_TEXT_CHARS, MAX_CLIENT_PAYLOAD_BYTES, type TextEncoding } from '../../../shared/contract'
import { LabError, limitError } from '../errors'

/**
 * Text ↔ bytes for the clients: UTF-8 (Node's own) and GBK (iconv-lite, pure JS), and hex
 * payloads as Packet Sender and NetAssist take them ("48 65 6c", "48:65:6c" or "48656c").
 */

/** Through require(), not import: Node 20's import of a CommonJS package first runs a lexer over it (see main/host/host.ts on ws). */
const iconv = createRequire(import.meta.url)('iconv-lite') as typeof IconvLite

/** Parses hex digits; spaces, tabs, newlines and colons between bytes are allowed. */
export function parseHex(text: string): Buffer {
  let digits = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (/[0-9a-fA-F]/.test(ch)) digits += ch
    else if (ch === ' ' || ch === ':' || ch === '\t' || ch === '\n' || ch === '\r') continue
    else {
      throw new LabError(
        'ERR_INVALID_INPUT',
        `payload is not hex: ${JSON.stringify(ch)} at position ${i + 1}; use the digits 0-9 and a-f, two per byte (e.g. "48 69")`,
        { option: 'payload', position: i + 1 },
      )
    }
  }
  if (digits.length % 2 !== 0) {
    throw new LabError('ERR_INVALID_INPUT', `payload is not hex: ${digits.length} digits is an odd number; each byte needs two digits (e.g. "0a", not "a")`, {
      option: 'payload',
      digits: digits.length,
    })
  }
  return Buffer.from(digits, 'hex')
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8')
  // iconv-lite replaces what GBK cannot hold with '?'; say so rather than send something else.
  const out = iconv.encode(text, 'gbk')
  if (iconv.decode(out, 'gbk') !== text) {
    const bad = [...text].find((ch) => iconv.decode(iconv.encode(ch, 'gbk'), 'gbk') !== ch) ?? '?'
    throw new LabError('ERR_ENCODING', `${JSON.stringify(bad)} cannot be written in GBK; choose UTF-8 or remove it`, { encoding, char: bad })
  }
  return out
}

export function decodeText(bytes: Buffer, encoding: TextEncoding): string {
  return encoding === 'utf8' ? bytes.toString('utf8') : iconv.decode(bytes, 'gbk')
}

/** Text for an event: at most EVENT_TEXT_CHARS characters. */
export function eventText(text: string): { text: string; cut: boolean } {
  return text.length > EVENT_TEXT_CHARS ? { text: text.slice(0, EVENT_TEXT_CHARS), cut: true } : { text, cut: false }
}

/**
 * A decoder for a stream of reads: a multi-byte character cut by a read's edge is completed
 * when the next read arrives, as a terminal would show it.
 */
export class StreamTextDecoder {
  private readonly decoder: { write(b: Buffer): string; end(): string | undefined }
  constructor(encoding: TextEncoding) {
    this.decoder = encoding === 'utf8' ? new (class {
      private readonly td = new TextDecoder('utf-8')
      write(b: Buffer): string {
        return this.td.decode(b, { stream: true })
      }
      end(): string {
        return this.td.decode()
      }
    })() : iconv.getDecoder('gbk')
  }
  write(bytes: Buffer): string {
    return this.decoder.write(bytes)
  }
  end(): string {
    return this.decoder.end() ?? ''
  }
}

/** The bytes a client payload stands for (hex or text in an encoding), within the size cap. */
export function payloadBytes(payload: string, opts: { hex?: boolean; encoding: TextEncoding; maxBytes?: number }): Buffer {
  const bytes = opts.hex ? parseHex(payload) : encodeText(payload, opts.encoding)
  const max = opts.maxBytes ?? MAX_CLIENT_PAYLOAD_BYTES
  if (bytes.length > max) throw limitError('MAX_CLIENT_PAYLOAD_BYTES', bytes.length, 'send less', { use: 'asked', max, params: { bytes: bytes.length } })
  return bytes
}

/** `[::1]` (as URLs write IPv6) → `::1` (as sockets take it); other hosts unchanged. */
export function socketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
