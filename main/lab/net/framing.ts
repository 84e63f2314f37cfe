import type { Framing } from '../../../shared/contract'
import { DEFAULT_MAX_FRAME_BYTES } from '../../../shared/contract/net-values'
import { LabError } from '../lab-error'

const LF = 0x0a
const MAX_LEN32 = 0xffff_ffff

/**
 * One message as it goes on the wire: `len32le`/`len32be` put a 4-byte length before the payload
 * (the course's `struct.pack('i', n)` on x86, and `struct.pack('!I', n)`), `line` ends it with `\n`,
 * `none` sends the bytes as they are (the receiver cannot tell where one message ends).
 */
export function encodeFrame(frame: Framing, payload: Buffer): Buffer {
  switch (frame) {
    case 'none':
      return payload
    case 'len32le':
    case 'len32be': {
      if (payload.length > MAX_LEN32) throw new LabError('ERR_FRAME_TOO_LARGE', `a 4-byte length cannot announce ${payload.length} bytes`, { bytes: payload.length })
      const out = Buffer.allocUnsafe(4 + payload.length)
      if (frame === 'len32le') out.writeUInt32LE(payload.length, 0)
      else out.writeUInt32BE(payload.length, 0)
      payload.copy(out, 4)
      return out
    }
    case 'line': {
      if (payload.includes(LF)) throw new LabError('ERR_INVALID_INPUT', 'a line-framed message cannot contain a newline; use a length prefix instead', { option: 'frame' })
      const out = Buffer.allocUnsafe(payload.length + 1)
      payload.copy(out, 0)
      out[payload.length] = LF
      return out
    }
  }
}

/** Thrown by `FrameDecoder.push`; carries the messages that were complete before the bad frame. */
export class FrameTooLargeError extends LabError {
  constructor(
    readonly declared: number,
    readonly max: number,
    readonly decoded: Buffer[],
    what: 'length prefix' | 'line',
  ) {
    super(
      'ERR_FRAME_TOO_LARGE',
      what === 'line'
        ? `a line grew past the cap of ${max} bytes without a newline`
        : `a length prefix announced ${declared} bytes, over the cap of ${max}`,
      { bytes: declared, max },
    )
  }
}

/**
 * Cuts a byte stream back into the messages `encodeFrame` made, however TCP split or merged them.
 * A declared length over `maxBytes` (or a line that grows past it) throws before anything of
 * that size is allocated (docs/SECURITY.md item 17); after that the decoder stays failed.
 * With `none` every non-empty chunk is returned as it is.
 */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private buffered = 0
  /** Payload length of the frame being read, once its prefix is in. */
  private need: number | null = null
  private failed: FrameTooLargeError | null = null

  constructor(
    readonly frame: Framing,
    readonly maxBytes: number = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  /** Bytes held for a message not yet complete. */
  get pendingBytes(): number {
    return this.buffered
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw new FrameTooLargeError(this.failed.declared, this.maxBytes, [], 'length prefix')
    if (this.frame === 'none') return chunk.length > 0 ? [chunk] : []
    try {
      return this.frame === 'line' ? this.pushLine(chunk) : this.pushLength(chunk)
    } catch (err) {
      if (err instanceof FrameTooLargeError) {
        this.failed = err
        this.chunks = []
        this.buffered = 0
      }
      throw err
    }
  }

  private pushLength(chunk: Buffer): Buffer[] {
    const out: Buffer[] = []
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    for (;;) {
      if (this.need === null) {
        if (this.buffered < 4) break
        const header = this.take(4)
        const declared = this.frame === 'len32le' ? header.readUInt32LE(0) : header.readUInt32BE(0)
        if (declared > this.maxBytes) throw new FrameTooLargeError(declared, this.maxBytes, out, 'length prefix')
        this.need = declared
      }
      if (this.buffered < this.need) break
      out.push(this.take(this.need))
      this.need = null
    }
    return out
  }

  private pushLine(chunk: Buffer): Buffer[] {
    const out: Buffer[] = []
    let start = 0
    for (let nl = chunk.indexOf(LF, start); nl !== -1; nl = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, nl)
      if (this.buffered + piece.length > this.maxBytes) throw new FrameTooLargeError(this.buffered + piece.length, this.maxBytes, out, 'line')
      if (this.chunks.length > 0) {
        out.push(Buffer.concat([...this.chunks, piece], this.buffered + piece.length))
        this.chunks = []
        this.buffered = 0
      } else {
        out.push(piece)
      }
      start = nl + 1
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      if (this.buffered + rest.length > this.maxBytes) throw new FrameTooLargeError(this.buffered + rest.length, this.maxBytes, out, 'line')
      this.chunks.push(rest)
      this.buffered += rest.length
    }
    return out
  }

  /** Removes the first n buffered bytes (n ≤ buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n
    const first = this.chunks[0]
    if (n === 0) return Buffer.alloc(0)
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]!
      const used = Math.min(c.length, n - filled)
      c.copy(out, filled, 0, used)
      filled += used
      if (used === c.length) this.chunks.shift()
      else this.chunks[0] = c.subarray(used)
    }
    return out
  }
}
