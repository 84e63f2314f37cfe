import { netWorkbenchMethods, type Framing, type ServerInfo, type ServerSendResult, type TextEncoding } from '../../../shared/contract'
import { LabError } from '../errors'
import { encodeFrame } from './framing'
import { macroPayload } from './macro-payload'
import { hexOf } from './server-events'

/** What a server offers the panel's send: its state and a write on one of its connections. */
export interface SendableServer {
  readonly id: string
  info(): ServerInfo
  writeOn?(conn: number, bytes: Buffer): number | Promise<number>
}

export interface ServerSendInput {
  to: number | 'all'
  payload: string
  hex?: boolean
  encoding?: TextEncoding
  frame?: Framing
  macros?: boolean
  counter?: number
}

/**
 * NetAssist's server mode: a message from the server panel to one chosen connection or to all.
 * With `to: 'all'` every connection that can take it gets the same bytes (one send: with macros, one
 * counter value); the ones that cannot are listed with their reason's code, and the send fails
 * only when none could take it (with the first connection's reason).
 */
export async function serverSend(server: SendableServer, input: ServerSendInput): Promise<ServerSendResult> {
  const info = server.info()
  if (info.proto !== 'tcp' || !server.writeOn) {
    throw new LabError('ERR_UNSUPPORTED', `${info.id} is a UDP server: it has no connections; it answers each datagram to the address it came from`, { id: info.id })
  }
  if (info.state !== 'listening') throw new LabError('ERR_BAD_STATE', `server ${info.id} is ${info.state}`, { id: info.id })
  const targets = input.to === 'all' ? [...info.connections.map((c) => c.conn)].sort((a, b) => a - b) : [input.to]
  if (targets.length === 0) throw new LabError('ERR_BAD_STATE', `server ${info.id} has no connection to send to: connect a client first`, { id: info.id })
  const encoding = input.encoding ?? netWorkbenchMethods['net.server.send'].input.shape.encoding.default
  const frame = input.frame ?? info.frame
  const plan = macroPayload({ ...input, encoding }, 1)
  const payload = plan.bytesFor(0)
  const wire = encodeFrame(frame, payload)
  const sent: ServerSendResult['sent'] = []
  const skipped: ServerSendResult['skipped'] = []
  let first: LabError | null = null
  for (const conn of targets) {
    try {
      sent.push({ conn, bytes: await server.writeOn(conn, wire) })
    } catch (err) {
      if (input.to !== 'all' || !(err instanceof LabError)) throw err
      first ??= err
      skipped.push({ conn, code: err.code })
    }
  }
  if (sent.length === 0 && first) throw first
  return { id: info.id, sent, skipped, payloadBytes: payload.length, hex: hexOf(payload), nextCounter: plan.nextCounter(1) }
}
