/**
 * The threading panel send's queue read (owned-send.ts, issue 14): what one read of a socket's
 * tx_queue costs the lab's main thread with 1,000 connections open (2,001 TCP sockets of this
 * process). Prints one table; asserts nothing (docs/ARCHITECTURE.md, style habit 9). Baseline in
 * the same run: the read it replaced, the whole /proc/self/net/tcp read synchronously and parsed.
 *
 *   npm run bench -- tests/bench/owned-send-bench.ts
 *
 * "longest stall" is the longest time the main thread could not run anything else during the read
 * (the longest gap between setImmediate ticks spinning beside it): for the synchronous read that is
 * all of it; the asynchronous one leaves the kernel's text to a libuv thread. A row with no read at
 * all (a 10 ms timer) says what stalls the machine itself causes (other processes on the cores).
 */
import { fstatSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { afterAll, it } from 'vitest'
import { descriptorOf } from '../../main/lab/net/node-handles'
import { kernelSendQueue } from '../../main/lab/net/owned-send'
import { parseProcNetBytes } from '../../main/lab/net/socket-table-linux'

const CONNECTIONS = 1_000
const ROUNDS = 40
const server = net.createServer((s) => s.on('error', () => {}))
const clients: net.Socket[] = []
afterAll(async () => {
  for (const c of clients) c.destroy()
  await new Promise((r) => server.close(r))
})

/** The read owned-send.ts made before: the whole table, on the main thread. */
function wholeTableSync(fd: number): number | null {
  const inode = fstatSync(fd).ino
  const text = readFileSync('/proc/self/net/tcp')
  return parseProcNetBytes(text, text.length, 'tcp', 4, os.endianness() === 'LE', (i) => i === inode)[0]?.sendQueueBytes ?? null
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

it.skipIf(process.platform !== 'linux')('one send-queue read with 1,000 connections open: whole table synchronously vs kernelSendQueue', async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  for (let i = 0; i < CONNECTIONS; i++) {
    const c = net.connect(port, '127.0.0.1')
    c.on('error', () => {})
    clients.push(c)
    await new Promise<void>((resolve) => c.once('connect', resolve))
  }
  const fds = clients.map((c) => descriptorOf(c)!)
  const rows = { none: { wall: [] as number[], stall: [] as number[] }, sync: { wall: [] as number[], stall: [] as number[] }, async: { wall: [] as number[], stall: [] as number[] } }
  // Interleaved, each round on another connection (its row anywhere in the table).
  for (let r = 0; r < ROUNDS; r++) {
    const fd = fds[(r * 397) % fds.length]!
    for (const kind of ['none', 'sync', 'async'] as const) {
      let last = performance.now()
      let longest = 0
      let spinning = true
      const tick = () => {
        const now = performance.now()
        longest = Math.max(longest, now - last)
        last = now
        if (spinning) setImmediate(tick)
      }
      setImmediate(tick)
      await new Promise((resolve) => setTimeout(resolve, 2))
      const t0 = performance.now()
      const q = kind === 'none' ? await new Promise<number>((resolve) => setTimeout(() => resolve(0), 10)) : kind === 'sync' ? wholeTableSync(fd) : await kernelSendQueue(fd)
      const wall = performance.now() - t0
      await new Promise((resolve) => setImmediate(resolve))
      spinning = false
      if (q === null || q === undefined) throw new Error(`no row for fd ${fd}`)
      rows[kind].wall.push(wall)
      rows[kind].stall.push(longest)
    }
  }
  const base = median(rows.sync.stall)
  console.log(`\nsend-queue read, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds, load ${os.loadavg()[0]!.toFixed(1)}`)
  console.log('| read | median wall (ms) | median longest main-thread stall (ms) | stall vs whole table |')
  console.log('| --- | --- | --- | --- |')
  for (const [name, k] of [['no read (10 ms timer): the machine\'s own stalls', 'none'], ['whole /proc/self/net/tcp, synchronous (before)', 'sync'], ['kernelSendQueue: async, up to its row', 'async']] as const) {
    console.log(`| ${name} | ${median(rows[k].wall).toFixed(2)} | ${median(rows[k].stall).toFixed(2)} | ${(median(rows[k].stall) / base).toFixed(2)}× |`)
  }
})
