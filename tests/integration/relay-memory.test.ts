import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { NO_CONDITIONS, RELAY_LIMITS, type RelayConditions, type RelayEvent } from '../../shared/contract'
import { Relay } from '../../main/lab/net/relay'

/**
 * The relay's memory bound (issue 14, "Performance and safety"): a receiver that never reads
 * backpressures the sender through the relay; the bytes inside the relay's process (held by the
 * link, in its sockets' readable and writable buffers) stay under the bound, sampled all along,
 * with no conditions (the pass-through path) and with a delay (the held path).
 */
const until = async (cond: () => boolean, what: string, ms = 30_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('the relay under a receiver that does not read', () => {
  const closers: (() => unknown)[] = []
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c()
  })

  for (const [name, up] of [
    ['no conditions (pass-through)', {}],
    ['a 1 ms delay (held bytes)', { delayMs: 1 }],
  ] as [string, Partial<RelayConditions>][]) {
    it(`keeps its buffered bytes under the bound with ${name}, and the sender blocks`, async () => {
      const sockets: net.Socket[] = []
      const target = net.createServer({ pauseOnConnect: true }, (s) => {
        sockets.push(s)
        s.on('error', () => {})
      })
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
      closers.push(() => new Promise<void>((r) => target.close(() => r())), () => sockets.forEach((s) => s.destroy()))
      const events: RelayEvent[] = []
      const relay = new Relay(
        'relay-mem',
        { proto: 'tcp', listenHost: '127.0.0.1', listenPort: 0, targetHost: '127.0.0.1', targetPort: (target.address() as net.AddressInfo).port, seed: 1, up: { ...NO_CONDITIONS, ...up }, down: { ...NO_CONDITIONS } },
        (e) => events.push(e),
      )
      const info = await relay.start()
      closers.push(() => relay.stop())
      const client = net.connect({ host: '127.0.0.1', port: info.listen.port })
      client.on('error', () => {})
      closers.push(() => client.destroy())
      await new Promise((r) => client.once('connect', r))

      const chunk = Buffer.alloc(64 * 1024, 7)
      const total = 256 * 1024 * 1024
      let written = 0
      let blocked = false
      void (async () => {
        while (written < total && !client.destroyed) {
          written += chunk.length
          if (!client.write(chunk)) {
            blocked = true
            await new Promise((r) => client.once('drain', r))
            blocked = false
          }
        }
      })()
      let max = 0
      let bound = 0
      let stable = 0
      let last = -1
      // Sampled every few ms until the sender has stayed blocked with nothing moving: every buffer between it and the target is full.
      await until(() => {
        const b = relay.bufferedBytes('up')
        max = Math.max(max, b.now)
        bound = Math.max(bound, b.bound)
        stable = blocked && written === last ? stable + 1 : 0
        last = written
        return stable > 40
      }, 'the sender to stay blocked')
      expect(written).toBeLessThan(total)
      expect(bound).toBeGreaterThan(0)
      expect(max).toBeLessThanOrEqual(bound)
      // The bound itself is small: the held limit and a few socket buffers, not what the sender tried to write.
      expect(bound).toBeLessThan(RELAY_LIMITS.heldBytesPerDirection + 1024 * 1024)
      // What went through the relay is in the kernel's buffers (target's receive, relay's send), not in the relay's heap.
      expect(max).toBeLessThan(written)
    }, 60_000)
  }
})
