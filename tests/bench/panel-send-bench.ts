/**
 * What the server panel's send on a thread-served connection costs (issue 14, owned-send.ts):
 * - the send lock on the hot path: an uncontended lock + unlock, against one threading round trip
 *   measured in the same run;
 * - one panel send (its time is mostly reading /proc/net/tcp for the send queue), in threading mode
 *   against async mode (a plain socket.write), with few sockets and with 1,000 more connections open.
 * Medians; ratios are what to quote.
 */
import net from 'node:net'
import { describe, it } from 'vitest'
import { SharedConn } from '../../main/lab/net/shared-conn'
import { createTestLab } from '../helpers/lab'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function connected(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1' })
  s.setNoDelay(true)
  s.on('error', () => {})
  await new Promise<void>((resolve) => s.once('connect', () => resolve()))
  return s
}

/** `n` loopback connections to a sink of this process: the kernel's TCP table grows by 2n rows. */
async function crowd(n: number): Promise<() => Promise<void>> {
  const sink = net.createServer(() => {})
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()))
  const port = (sink.address() as net.AddressInfo).port
  const sockets: net.Socket[] = []
  for (let i = 0; i < n; i++) sockets.push(await connected(port))
  return async () => {
    for (const s of sockets) s.destroy()
    await new Promise((r) => sink.close(r))
  }
}

describe('server panel send on a thread-served connection', () => {
  it('prints the lock cost per reply and the time of one panel send', async () => {
    const lab = createTestLab()
    const rows: string[][] = []
    try {
      // The lock, uncontended, as the connection thread takes it around each reply.
      const conn = new SharedConn()
      const lockRuns: number[] = []
      for (let r = 0; r < 5; r++) {
        const n = 1_000_000
        const t0 = performance.now()
        for (let i = 0; i < n; i++) {
          conn.lockSend()
          conn.unlockSend()
        }
        lockRuns.push(((performance.now() - t0) * 1e6) / n)
      }
      const lockNs = median(lockRuns)

      // One threading round trip (64 bytes, upper), same run.
      const server = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading', spares: 2 })
      const c = await connected(server.port)
      const rounds = 2_000
      const t0 = performance.now()
      await new Promise<void>((resolve) => {
        let got = 0
        let n = 0
        const msg = Buffer.alloc(64, 0x61)
        c.on('data', (d: Buffer) => {
          got += d.length
          while (got >= 64) {
            got -= 64
            if (++n === rounds) return resolve()
            c.write(msg)
          }
        })
        c.write(msg)
      })
      const roundUs = ((performance.now() - t0) * 1000) / rounds
      rows.push(['send lock + unlock (uncontended), ns', lockNs.toFixed(1), `${((lockNs / (roundUs * 1000)) * 100).toFixed(3)} % of one threading round trip (${roundUs.toFixed(1)} µs)`])

      // One panel send: threading (lock + /proc read + write) against async (socket.write).
      const asyncServer = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'async' })
      const a = await connected(asyncServer.port)
      a.on('data', () => {})
      c.removeAllListeners('data')
      c.on('data', () => {})
      const connOf = async (id: string) => (await lab.invoke('net.server.list', {})).find((s) => s.id === id)!.connections[0]!.conn
      const timeSends = async (id: string, to: number) => {
        const ms: number[] = []
        for (let i = 0; i < 40; i++) {
          const s0 = performance.now()
          await lab.invoke('net.server.send', { id, to, payload: 'from the panel' })
          ms.push(performance.now() - s0)
          // A reading client acknowledges at once or within a delayed ACK; wait out the queue, not a fixed time.
          await new Promise((r) => setTimeout(r, 5))
        }
        return median(ms)
      }
      for (const extra of [0, 1_000]) {
        const release = await crowd(extra)
        const th = await timeSends(server.id, await connOf(server.id))
        const as = await timeSends(asyncServer.id, await connOf(asyncServer.id))
        rows.push([`panel send, ${extra} more connections open: threading / async, ms`, `${th.toFixed(2)} / ${as.toFixed(2)}`, `${(th / as).toFixed(1)}×`])
        await release()
      }
      c.destroy()
      a.destroy()
    } finally {
      await lab.close()
    }
    console.log(['', '| measure | value | ratio |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'))
  })
})
