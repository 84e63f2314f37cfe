import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FRAMINGS, type Framing } from '../../shared/contract'
import { encodeFrame, FrameDecoder } from '../../main/lab/net/framing'
import { LabError } from '../../main/lab/errors'

const framed = FRAMINGS.filter((f): f is Exclude<Framing, 'none'> => f !== 'none')

/** Messages a framing can carry: a line cannot contain its own terminator. */
const messagesFor = (frame: Framing) =>
  fc.array(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(frame === 'line' ? a.filter((b) => b !== 0x0a) : a)),
    { maxLength: 20 },
  )

/** Cuts `stream` at the given points (sorted, deduplicated), as TCP may split and merge sends. */
function cut(stream: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let prev = 0
  for (const p of [...at, stream.length]) {
    pieces.push(stream.subarray(prev, p))
    prev = p
  }
  return pieces
}

describe('framing', () => {
  it.each(framed)('%s: split and merged frames decode to the same messages, for any chunking (property)', (frame) => {
    fc.assert(
      fc.property(messagesFor(frame), fc.array(fc.nat(), { maxLength: 40 }), (messages, points) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrame(frame, m)))
        const decoder = new FrameDecoder(frame, 1024)
        const out = cut(stream, points).flatMap((piece) => decoder.push(piece))
        expect(out.map((b) => b.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')))
        expect(decoder.pendingBytes).toBe(0)
      }),
      { numRuns: 300 },
    )
  })

  it('none: hands back every non-empty chunk as it came', () => {
    const d = new FrameDecoder('none')
    expect(d.push(Buffer.from('ab'))).toEqual([Buffer.from('ab')])
    expect(d.push(Buffer.alloc(0))).toEqual([])
    expect(encodeFrame('none', Buffer.from('x'))).toEqual(Buffer.from('x'))
  })

  it('writes the course’s prefixes: struct.pack("i", n) on x86 and struct.pack("!I", n)', () => {
    expect(encodeFrame('len32le', Buffer.from('hi')).toString('hex')).toBe('02000000' + '6869')
    expect(encodeFrame('len32be', Buffer.from('hi')).toString('hex')).toBe('00000002' + '6869')
    expect(encodeFrame('line', Buffer.from('hi')).toString()).toBe('hi\n')
    expect(() => encodeFrame('line', Buffer.from('a\nb'))).toThrow(LabError)
  })

  it.each(['len32le', 'len32be'] as const)('%s: a declared length over the cap throws ERR_FRAME_TOO_LARGE before allocating', (frame) => {
    const d = new FrameDecoder(frame, 1000)
    const ok = encodeFrame(frame, Buffer.from('fine'))
    const header = Buffer.alloc(4)
    if (frame === 'len32le') header.writeUInt32LE(0xffff_fff0)
    else header.writeUInt32BE(0xffff_fff0)
    let thrown: unknown
    try {
      d.push(Buffer.concat([ok, header]))
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', params: { bytes: 0xffff_fff0, max: 1000 } })
    // The message completed before the bad prefix is not lost.
    expect((thrown as { decoded: Buffer[] }).decoded.map(String)).toEqual(['fine'])
    // Nothing of that size was kept; the decoder stays failed.
    expect(d.pendingBytes).toBe(0)
    expect(() => d.push(Buffer.from('more'))).toThrow(/over the cap|cap/)
  })

  it('accepts a frame exactly at the cap, and a line exactly at the cap', () => {
    const d = new FrameDecoder('len32be', 8)
    expect(d.push(encodeFrame('len32be', Buffer.alloc(8, 1)))).toHaveLength(1)
    const l = new FrameDecoder('line', 8)
    expect(l.push(Buffer.from('12345678\n'))).toEqual([Buffer.from('12345678')])
    expect(() => l.push(Buffer.from('123456789'))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
  })

  it('line: an unfinished line growing past the cap throws, however it is split', () => {
    const d = new FrameDecoder('line', 10)
    expect(d.push(Buffer.from('12345'))).toEqual([])
    expect(() => d.push(Buffer.from('678901'))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
  })
})
