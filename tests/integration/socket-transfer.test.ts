/**
 * The public socket transfer (issue 9: use it where the running Node has it) is detected by feature
 * (node-handles.ts socketsTransferToWorkers); this checks the answer against a real
 * `worker.postMessage({ socket }, [socket])` of an accepted connection on the running Node.
 */
import net from 'node:net'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { socketsTransferToWorkers } from '../../main/lab/net/node-handles'

describe('socketsTransferToWorkers', () => {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('says what a real postMessage of an accepted socket to a worker does on this Node', async () => {
    const accepted = new Promise<net.Socket>((resolve) => {
      const server = net.createServer({ pauseOnConnect: true }, resolve)
      cleanups.push(() => new Promise((r) => server.close(r)))
      server.listen(0, '127.0.0.1', () => {
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
        client.on('error', () => {})
        cleanups.push(() => client.destroy())
      })
    })
    const socket = await accepted
    cleanups.push(() => socket.destroy())
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads'); parentPort.once('message', (m) => parentPort.postMessage(m.socket?.constructor?.name ?? typeof m.socket))`,
      { eval: true },
    )
    cleanups.push(() => worker.terminate())
    let outcome: string
    try {
      worker.postMessage({ socket }, [socket as never])
      outcome = await new Promise<string>((resolve) => worker.once('message', resolve))
    } catch (err) {
      outcome = `threw ${(err as Error).name}`
    }
    if (socketsTransferToWorkers()) expect(outcome).toBe('Socket')
    else expect(outcome).toMatch(/^threw (TypeError|DataCloneError)$/)
  })
})
