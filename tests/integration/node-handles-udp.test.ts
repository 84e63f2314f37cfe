/**
 * The private UDP handle methods the sticky experiment's sleeping receiver uses
 * (main/lab/net/node-handles.ts, pauseUdpReceive / resumeUdpReceive), checked on real sockets
 * against the running Node and the kernel's own table. If a Node upgrade moves them, this file
 * fails with what moved — before the UDP half silently reads at once again.
 */
import { execFileSync } from 'node:child_process'
import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { pauseUdpReceive, resumeUdpReceive } from '../../main/lab/net/node-handles'
import { readUdpSocket } from '../../main/lab/net/socket-table'

const linux = process.platform === 'linux'
const hasSs = linux && (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The kernel memory waiting in the receive buffer of the UDP socket bound to `port`. */
const inKernel = async (port: number) => (await readUdpSocket(port))?.recvQueueBytes ?? null
/** `ss -uanH`'s Recv-Q for the socket bound to 127.0.0.1:port. */
const ssRecvQ = (port: number) =>
  Number(
    execFileSync('ss', ['-uanH', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)[1],
  )

describe.skipIf(!linux)(`Node ${process.version}: the UDP handle's recvStop()/recvStart()`, () => {
  const open: dgram.Socket[] = []
  afterEach(() => open.splice(0).forEach((s) => s.close()))

  async function pair(): Promise<{ receiver: dgram.Socket; port: number; send(text: string): Promise<void>; got: string[] }> {
    const receiver = dgram.createSocket('udp4')
    const sender = dgram.createSocket('udp4')
    open.push(receiver, sender)
    await new Promise<void>((r) => receiver.bind({ address: '127.0.0.1', port: 0 }, () => r()))
    const port = receiver.address().port
    const got: string[] = []
    receiver.on('message', (m) => got.push(String(m)))
    const send = (text: string) => new Promise<void>((resolve, reject) => sender.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())))
    return { receiver, port, send, got }
  }

  /** Resolves once Node's event loop has read a datagram sent now to another socket: every ready socket was polled meanwhile. */
  async function loopPolled(): Promise<void> {
    const control = dgram.createSocket('udp4')
    open.push(control)
    await new Promise<void>((r) => control.bind({ address: '127.0.0.1', port: 0 }, () => r()))
    const arrived = new Promise((r) => control.once('message', r))
    control.send('ping', control.address().port, '127.0.0.1')
    await arrived
  }

  it('paused, datagrams wait in the kernel (rx_queue, as ss -uan says); resumed, Node reads them all', async () => {
    const { receiver, port, send, got } = await pair()
    expect(pauseUdpReceive(receiver), 'the dgram socket has no state symbol with a handle.recvStop() returning 0').toBe(true)
    await send('one')
    const one = await until(async () => ((await inKernel(port)) ?? 0) > 0 ? (await inKernel(port))! : undefined, 'the first datagram in the kernel')
    await send('two')
    await send('six')
    // Three datagrams of one size take three times one's memory: all three are in the kernel, none in Node.
    await until(async () => ((await inKernel(port)) === 3 * one ? true : undefined), 'three datagrams in the kernel')
    // Proof that Node's loop polled since: a second, unpaused socket got a datagram sent after the three.
    await loopPolled()
    expect(got).toEqual([])
    expect(await inKernel(port)).toBe(3 * one)
    if (hasSs) expect(ssRecvQ(port)).toBe(3 * one)
    expect(resumeUdpReceive(receiver), 'handle.recvStart() is gone or failed').toBe(true)
    await until(() => (got.length === 3 ? true : undefined), 'Node to read all three')
    expect(got).toEqual(['one', 'two', 'six'])
    expect(await inKernel(port)).toBe(0)
  })

  it('recvStop() inside a message listener: one datagram leaves the kernel, the others stay (one recvfrom, one datagram)', async () => {
    const { receiver, port, send, got } = await pair()
    expect(pauseUdpReceive(receiver)).toBe(true)
    receiver.prependListener('message', () => pauseUdpReceive(receiver))
    await send('aaa')
    const one = await until(async () => ((await inKernel(port)) ?? 0) > 0 ? (await inKernel(port))! : undefined, 'the first datagram in the kernel')
    await send('bbb')
    await send('ccc')
    await until(async () => ((await inKernel(port)) === 3 * one ? true : undefined), 'three datagrams in the kernel')
    for (let taken = 1; taken <= 3; taken++) {
      expect(resumeUdpReceive(receiver)).toBe(true)
      await until(() => (got.length === taken ? true : undefined), `datagram ${taken}`)
      // Exactly one more left the kernel: the rest are still there, not in Node's hands.
      await until(async () => ((await inKernel(port)) === (3 - taken) * one ? true : undefined), `${3 - taken} left in the kernel`)
      await loopPolled()
      expect(got.length).toBe(taken)
      expect(await inKernel(port)).toBe((3 - taken) * one)
      if (hasSs) expect(ssRecvQ(port)).toBe((3 - taken) * one)
    }
    expect(got).toEqual(['aaa', 'bbb', 'ccc'])
  })
})
