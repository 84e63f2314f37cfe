import net from 'node:net'
import { netMethods, ONE_SHOT_TIMEOUT_MS, type ClientFraming, type TcpSendResult, type TextEncoding } from '../../../shared/contract'
import { fromNodeError, LabError } from '../errors'
import { decodeText, payloadBytes, socketHost } from './encoding'
import { encodeFrame, FrameDecoder } from './framing'
import { TCP_REPLY_QUIET_MS } from '../../../shared/budgets'

/** What an absent field of `net.tcp.send` means (its schema's default). */
const ONE_SHOT = netMethods['net.tcp.send'].input.shape

export interface TcpSendOptions {
  host: string
  port: number
  message: string
  /** Both timeouts when the two below are not given. */
  timeoutMs?: number
  /** From connect() to the connection being accepted. */
  connectTimeoutMs?: number
  /** From being connected to the first reply bytes. */
  replyTimeoutMs?: number
  /** `message` is hex digits. */
  hex?: boolean
  encoding?: TextEncoding
  /** Send `message` framed; the reply is complete at the first whole framed message. */
  frame?: ClientFraming
  /** After the first bytes of a reply, the reply is complete once nothing more arrives for this long. */
  quietMs?: number
  /**
   * Asked when the connection was accepted but no reply came in time, while the socket is still
   * open: the engine knows its own servers and can say why (a serial server's queue holds it).
   */
  explainSilence?: (local: { address: string; port: number }) => LabError | null
}

/**
 * The course's client in one call: connect, send, read the reply, close.
 * The reply is complete when as many bytes came back as were sent (an echo server) or, with
 * framing, at the first whole framed message; when the server closes, or when it has been quiet
 * for `quietMs` after answering.
 */
export function tcpSendOnce(opts: TcpSendOptions): Promise<TcpSendResult> {
  const { host, port } = opts
  const connectMs = opts.connectTimeoutMs ?? opts.timeoutMs ?? ONE_SHOT_TIMEOUT_MS.default
  const replyMs = opts.replyTimeoutMs ?? opts.timeoutMs ?? ONE_SHOT_TIMEOUT_MS.default
  const quietMs = opts.quietMs ?? TCP_REPLY_QUIET_MS
  const encoding = opts.encoding ?? ONE_SHOT.encoding.default
  const frame = opts.frame ?? ONE_SHOT.frame.default
  const payload = encodeFrame(frame, payloadBytes(opts.message, { hex: opts.hex, encoding }))
  const decoder = frame === 'none' ? null : new FrameDecoder(frame)
  let firstMessage: Buffer | null = null
  const started = performance.now()

  return new Promise<TcpSendResult>((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    let settled = false
    let quiet: NodeJS.Timeout | null = null
    const socket = net.connect({ host: socketHost(host), port })
    socket.setNoDelay(true)

    const finish = (err?: LabError) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      const local = { address: socket.localAddress ?? '?', port: socket.localPort ?? 0 }
      socket.destroy()
      if (err) return reject(err)
      const reply = Buffer.concat(chunks)
      resolve({
        local,
        remote: { address: host, port },
        bytesSent: payload.length,
        bytesReceived: reply.length,
        reply: decodeText(firstMessage ?? reply, encoding),
        replyHex: reply.toString('hex'),
        elapsedMs: performance.now() - started,
      })
    }
    // Two deadlines, each a setting: the connect one, then (once connected) the reply one.
    let deadline = setTimeout(() => {
      const where = `${host}:${port}`
      finish(new LabError('ERR_TIMEOUT', `could not connect to ${where} within ${connectMs} ms`, { host, port, where, ms: connectMs, option: 'connectTimeoutMs' }))
    }, connectMs)
    const replyDeadline = () => {
      if (received > 0) return finish()
      const where = `${host}:${port}`
      const local = { address: socket.localAddress ?? '?', port: socket.localPort ?? 0 }
      finish(
        opts.explainSilence?.(local) ??
          new LabError('ERR_NO_REPLY', `${where} accepted the connection and got ${payload.length} bytes, but sent nothing back within ${replyMs} ms`, {
            host,
            port,
            where,
            ms: replyMs,
            bytes: payload.length,
            option: 'replyTimeoutMs',
          }),
      )
    }

    socket.once('connect', () => {
      clearTimeout(deadline)
      deadline = setTimeout(replyDeadline, replyMs)
      socket.write(payload)
    })
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      if (decoder) {
        try {
          firstMessage ??= decoder.push(chunk)[0] ?? null
        } catch (err) {
          return finish(fromNodeError(err))
        }
        if (firstMessage) return finish()
      } else if (received >= payload.length) return finish()
      if (quiet) clearTimeout(quiet)
      quiet = setTimeout(() => finish(), quietMs)
    })
    socket.once('end', () => finish())
    socket.once('error', (err) => finish(fromNodeError(err, { host, port })))
  })
}
