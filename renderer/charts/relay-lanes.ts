/**
 * The relay's events in the shapes the sticky-packet lanes draw (StickyLanes, StickyUdpLanes):
 * one connection, one direction. TCP: the relay's reads from one side on top, its writes to the
 * other below, on one byte axis (merged and split writes show as in the experiment). UDP: one
 * slot per datagram the client sent; a lost one leaves its slot empty. Pure: events in, lanes out.
 */
import type { RelayDirection, RelayEvent, StickyDatagram, StickyRecv, StickySend, StickyUdpResult } from '../../shared/contract'
import { hexToText } from '../format/net-bytes'

type In = Extract<RelayEvent, { event: 'in' }>
type Out = Extract<RelayEvent, { event: 'out' }>

export interface RelayTcpLanes {
  totalBytes: number
  sends: StickySend[]
  recvs: StickyRecv[]
  settings: { frame: 'none'; recvSize: number }
}

export function relayConns(events: RelayEvent[], proto: 'tcp' | 'udp'): number[] {
  const conns = new Set<number>()
  for (const e of events) if (e.event === 'connection' && e.proto === proto) conns.add(e.conn)
  return [...conns]
}

const ofConn = (events: RelayEvent[], conn: number, dir: RelayDirection) => ({
  ins: events.filter((e): e is In => e.event === 'in' && e.conn === conn && e.dir === dir),
  outs: events.filter((e): e is Out => e.event === 'out' && e.conn === conn && e.dir === dir),
})

export function tcpLanes(events: RelayEvent[], conn: number, dir: RelayDirection): RelayTcpLanes {
  const all = ofConn(events, conn, dir)
  // The last unbroken run of listed reads: older events may have been dropped from the log, and reads
  // the relay summed ('summary', no condition set) leave a gap in the stream that cannot be drawn.
  let from = all.ins.length - 1
  while (from > 0 && all.ins[from - 1]!.offset + all.ins[from - 1]!.bytes === all.ins[from]!.offset) from--
  const ins = all.ins.slice(Math.max(0, from))
  const outs = all.outs
  const base = ins[0]?.offset ?? 0
  const sends: StickySend[] = ins.map((e, i) => ({ index: i, offset: e.offset - base, bytes: e.bytes, payloadBytes: e.bytes, hex: e.hex, text: hexToText(e.hex), at: e.t }))
  const indexOfSeq = new Map(ins.map((e, i) => [e.seq, i]))
  const recvs: StickyRecv[] = outs
    .filter((o) => o.offset >= base)
    .map((o, i) => ({
      index: i,
      offset: o.offset - base,
      bytes: o.bytes,
      hex: '',
      text: o.seqs.map((s) => hexToText(ins[indexOfSeq.get(s) ?? -1]?.hex ?? '')).join(''),
      at: o.t,
      sends: o.seqs.flatMap((s) => (indexOfSeq.has(s) ? [indexOfSeq.get(s)!] : [])),
      kernelBytes: null,
      bufferedBytes: 0,
    }))
  const totalBytes = ins.reduce((n, e) => n + e.bytes, 0)
  return { totalBytes, sends, recvs, settings: { frame: 'none', recvSize: 0 } }
}

export interface RelayUdpLanes {
  udp: StickyUdpResult
  messages: string[]
}

/** ⇄ marks a datagram that arrived after later ones, ×2 one that arrived twice. */
export function udpLanes(events: RelayEvent[], conn: number, dir: RelayDirection): RelayUdpLanes {
  const { ins, outs } = ofConn(events, conn, dir)
  const firstOut = new Map<number, Out>()
  const copies = new Map<number, number>()
  for (const o of outs) {
    const seq = o.seqs[0]!
    if (!firstOut.has(seq)) firstOut.set(seq, o)
    copies.set(seq, (copies.get(seq) ?? 0) + 1)
  }
  let maxOrderBefore = 0
  const late = new Set<number>()
  for (const o of [...firstOut.values()].sort((a, b) => a.order - b.order)) {
    const seq = o.seqs[0]!
    if (seq < maxOrderBefore) late.add(seq)
    maxOrderBefore = Math.max(maxOrderBefore, seq)
  }
  const datagrams: StickyDatagram[] = ins.map((e, i) => {
    const out = firstOut.get(e.seq)
    const text = hexToText(e.hex)
    const marks = `${late.has(e.seq) ? ' ⇄' : ''}${(copies.get(e.seq) ?? 0) > 1 ? ' ×2' : ''}`
    return {
      index: i,
      bytes: e.bytes,
      received: out ? e.keptBytes : 0,
      discarded: out ? e.bytes - e.keptBytes : 0,
      hex: e.hex,
      text: `${text}${marks}`,
      sentAt: e.t,
      receivedAt: out ? out.t : null,
      // The kernel's queue is the sticky experiment's evidence; the relay does not read it.
      kernelBytes: null,
      waitingDatagrams: null,
      waitingBytes: null,
    }
  })
  return { udp: { datagrams, received: datagrams.filter((d) => d.receivedAt !== null).length, slept: false }, messages: ins.map((e) => hexToText(e.hex)) }
}
