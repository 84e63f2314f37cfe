import { describe, expect, it } from 'vitest'
import type { RelayEvent } from '../../shared/contract'
import { tcpLanes } from '../../renderer/charts/relay-lanes'

const base = { relayId: 'relay-1', at: 0 }
const read = (seq: number, offset: number, text: string): RelayEvent => ({
  ...base,
  t: seq,
  event: 'in',
  conn: 1,
  dir: 'up',
  proto: 'tcp',
  seq,
  offset,
  bytes: text.length,
  hex: Buffer.from(text).toString('hex'),
  delayMs: 0,
  dueT: seq,
  action: 'forward',
  dup: false,
  holdFor: 0,
  keptBytes: text.length,
})
const write = (index: number, seq: number, offset: number, bytes: number): RelayEvent => ({ ...base, t: seq, event: 'out', conn: 1, dir: 'up', proto: 'tcp', index, offset, bytes, seqs: [seq], lateMs: 0, heldMs: 0, copy: false, order: index })

describe("the relay's TCP lanes", () => {
  it('draw the last unbroken run of listed reads: bytes the relay summed leave a gap that is not drawn as if it were not there', () => {
    const events: RelayEvent[] = [
      { ...base, t: 0, event: 'connection', conn: 1, proto: 'tcp', remote: { address: '127.0.0.1', port: 1 } },
      read(1, 0, 'ab'),
      write(1, 1, 0, 2),
      read(2, 2, 'cd'),
      write(2, 2, 2, 2),
      // Reads 3-99 (1,000 bytes) were summed.
      { ...base, t: 50, event: 'summary', conn: 1, dir: 'up', proto: 'tcp', fromT: 3, messages: 97, bytes: 1000, firstSeq: 3, lastSeq: 99, offset: 4 },
      read(100, 1004, 'xyz'),
      write(100, 100, 1004, 3),
      read(101, 1007, 'w'),
      write(101, 101, 1007, 1),
    ]
    const lanes = tcpLanes(events, 1, 'up')
    expect(lanes.totalBytes).toBe(4)
    expect(lanes.sends.map((s) => [s.offset, s.text])).toEqual([
      [0, 'xyz'],
      [3, 'w'],
    ])
    expect(lanes.recvs.map((r) => [r.offset, r.text])).toEqual([
      [0, 'xyz'],
      [3, 'w'],
    ])
  })
})
