import { describe, expect, it } from 'vitest'
import type { ServerEvent } from '../../shared/contract'
import { jsonLine } from '../../main/cli/commands/serve'

describe('lab serve --json lines', () => {
  const base = { serverId: 'tcp-1', at: 1_700_000_000_123 }
  const events: ServerEvent[] = [
    { ...base, event: 'recv', conn: 3, bytes: 5, hex: '68656c6c6f', truncated: false },
    { ...base, event: 'send', conn: 3, bytes: 5 },
    { ...base, event: 'datagram', from: { address: '::ffff:127.0.0.1', port: 5000 }, bytes: 300, hex: 'ab'.repeat(256), truncated: true },
    { ...base, event: 'sendto', to: { address: '127.0.0.1', port: 5000 }, bytes: 2 },
    { ...base, event: 'close', conn: 3, reason: 'idle' },
  ]
  it.each(events.map((e) => [e.event, e] as const))('%s: the hand-written line parses to the event without its server id', (_kind, e) => {
    const { serverId: _id, ...rest } = e
    expect(JSON.parse(jsonLine(e))).toEqual(rest)
  })

  it('writes the listening line with exactly proto, host and port', () => {
    expect(JSON.parse(jsonLine({ ...base, event: 'listening', proto: 'udp', host: '127.0.0.1', port: 9 }))).toEqual({ event: 'listening', proto: 'udp', host: '127.0.0.1', port: 9 })
  })
})
