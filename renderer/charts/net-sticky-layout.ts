/**
 * Geometry for the sticky-packet drawing: the sender's send() calls (top lane) and the
 * receiver's recv() chunks (bottom lane) on one byte axis, so a chunk that spans several
 * sends (merged) or a send cut by a chunk edge (split) is visible at a glance. Pure: numbers in, boxes out.
 */

export interface LaneSendInput {
  index: number
  offset: number
  bytes: number
  payloadBytes: number
  text: string
}
export interface LaneRecvInput {
  index: number
  offset: number
  bytes: number
  text: string
  sends: number[]
}

export type ChunkKind = 'clean' | 'merged' | 'split' | 'partial'

export interface LaneBox {
  index: number
  x: number
  w: number
  bytes: number
  label: string
  /** Where the label is centred: the payload's middle (a framing header is not part of the message). */
  labelX: number
  /** Sends: 'split' when cut over several recvs. Recvs: 'merged' (several sends), 'partial' (part of one send), 'clean'. */
  kind: ChunkKind
  /** Framing header (or trailing newline) inside a send, drawn shaded. */
  header: { x: number; w: number } | null
}

export interface LaneTick {
  x: number
  label: string
}

export interface StickyLayout {
  width: number
  sends: LaneBox[]
  recvs: LaneBox[]
  /** x of every recv boundary inside the stream, drawn through the send lane as "where the reader cut". */
  cuts: number[]
  ticks: LaneTick[]
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving at most `maxTicks` ticks over `total`. */
export function tickStep(total: number, maxTicks = 8): number {
  if (total <= 0) return 1
  const raw = total / Math.max(1, maxTicks)
  const pow = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return Math.max(1, m * pow)
  return Math.max(1, 10 * pow)
}

/** Cuts `text` to fit `px` at ~`charPx` per character, with "…"; empty when not even two characters fit. */
export function fitLabel(text: string, px: number, charPx = 7): string {
  const room = Math.floor((px - 6) / charPx)
  if (room < 2) return ''
  const chars = [...text]
  return chars.length <= room ? text : chars.slice(0, room - 1).join('') + '…'
}

export function layoutSticky(
  input: { totalBytes: number; sends: LaneSendInput[]; recvs: LaneRecvInput[]; frame: 'none' | 'len32le' | 'len32be' | 'line' },
  width: number,
): StickyLayout {
  const total = Math.max(1, input.totalBytes)
  const scale = width / total
  const x = (offset: number) => offset * scale
  const box = (offset: number, bytes: number) => {
    const left = x(offset)
    // At least one pixel, so a 1-byte send among megabytes is still drawn.
    return { x: left, w: Math.max(1, x(offset + bytes) - left) }
  }

  const chunksOf = new Map<number, number>()
  for (const r of input.recvs) for (const s of r.sends) chunksOf.set(s, (chunksOf.get(s) ?? 0) + 1)

  const sends: LaneBox[] = input.sends.map((s) => {
    const b = box(s.offset, s.bytes)
    const headerBytes = s.bytes - s.payloadBytes
    let header: LaneBox['header'] = null
    let payload = { x: b.x, w: b.w }
    if (headerBytes > 0 && input.frame !== 'none') {
      const h = Math.min(b.w, Math.max(1, headerBytes * scale))
      header = input.frame === 'line' ? { x: b.x + b.w - h, w: h } : { x: b.x, w: h }
      payload = input.frame === 'line' ? { x: b.x, w: b.w - h } : { x: b.x + h, w: b.w - h }
    }
    const kind: ChunkKind = (chunksOf.get(s.index) ?? 0) > 1 ? 'split' : 'clean'
    return { index: s.index, ...b, bytes: s.bytes, label: fitLabel(s.text, payload.w), labelX: payload.x + payload.w / 2, kind, header }
  })

  const recvs: LaneBox[] = input.recvs.map((r) => {
    const b = box(r.offset, r.bytes)
    let kind: ChunkKind = 'clean'
    if (r.sends.length > 1) kind = 'merged'
    else if (r.sends.length === 1 && (chunksOf.get(r.sends[0]!) ?? 0) > 1) kind = 'partial'
    return { index: r.index, ...b, bytes: r.bytes, label: fitLabel(r.text, b.w), labelX: b.x + b.w / 2, kind, header: null }
  })

  const cuts = input.recvs
    .map((r) => r.offset + r.bytes)
    .filter((end) => end > 0 && end < total)
    .map(x)

  const step = tickStep(total)
  const ticks: LaneTick[] = []
  for (let b = 0; b <= total; b += step) ticks.push({ x: x(b), label: String(b) })
  // The axis always ends with the stream's length; a regular tick too close to it gives way.
  const last = ticks.at(-1)!
  if (last.label !== String(total)) {
    if (last.x >= width - 30 && ticks.length > 1) ticks.pop()
    ticks.push({ x: width, label: String(total) })
  }

  return { width, sends, recvs, cuts, ticks }
}

/** The UDP half: each datagram its own box with a gap between, since datagrams do not share a stream. */
export function layoutDatagrams(datagrams: { index: number; bytes: number; received: number; text: string }[], width: number, gap = 6): LaneBox[] {
  const totalBytes = datagrams.reduce((n, d) => n + d.bytes, 0)
  const room = Math.max(1, width - gap * Math.max(0, datagrams.length - 1))
  const scale = totalBytes > 0 ? room / totalBytes : 0
  let left = 0
  return datagrams.map((d) => {
    const w = Math.max(2, d.bytes * scale)
    const b: LaneBox = { index: d.index, x: left, w, bytes: d.bytes, label: fitLabel(d.text, w), labelX: left + w / 2, kind: d.received < d.bytes ? 'partial' : 'clean', header: null }
    left += w + gap
    return b
  })
}
