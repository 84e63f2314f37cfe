import net from 'node:net'
import type { TcpSendResult } from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'

export interface TcpSendOptions {
  host: string
  port: number
  message: string
  timeoutMs?: number
  /** After the first bytes of a reply, the reply is complete once nothing more arrives for this long. */
  quietMs?: number
}

/**
 * The course's client in one call: connect, send, read the reply, close.
 * The reply is complete when as many bytes came back as were sent (an echo server),
 * when the server closes, or when it has been quiet for `quietMs` after answering.
 */
export function tcpSendOnce(opts: TcpSendOptions): Promise<TcpSendResult> {
  const { host, port } = opts
  const timeoutMs = opts.timeoutMs ?? 5_000
  const quietMs = opts.quietMs ?? 150
  const payload = Buffer.from(opts.message, 'utf8')
  const started = performance.now()

  return new Promise<TcpSendResult>((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    let settled = false
    let quiet: NodeJS.Timeout | null = null
    const socket = net.connect({ host, port })
    socket.setNoDelay(true)

    const finish = (err?: LabError) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      if (quiet) clearTimeout(quiet)
      const local = { address: socket.localAddress ?? '?', port: socket.localPort ?? 0 }
      socket.destroy()
      if (err) return reject(err)
      const reply = Buffer.concat(chunks)
      resolve({
        local,
        remote: { address: host, port },
        bytesSent: payload.length,
        bytesReceived: reply.length,
        reply: reply.toString('utf8'),
        replyHex: reply.toString('hex'),
        elapsedMs: performance.now() - started,
      })
    }
    const deadline = setTimeout(() => {
      if (received > 0) finish()
      else finish(new LabError('ERR_TIMEOUT', `no reply from ${host}:${port} within ${timeoutMs} ms`, { host, port, ms: timeoutMs }))
    }, timeoutMs)

    socket.once('connect', () => {
      socket.write(payload)
    })
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      if (received >= payload.length) return finish()
      if (quiet) clearTimeout(quiet)
      quiet = setTimeout(() => finish(), quietMs)
    })
    socket.once('end', () => finish())
    socket.once('error', (err) => finish(fromNodeError(err, { host, port })))
  })
}
