import { MAX_UDP_PAYLOAD_BYTES, netUdpSendMethods, UDP_SEND_ALL, type RecentPeer, type TextEncoding, type UdpServerSendResult } from '../../../shared/contract'
import { UDP_RECENT_PEERS } from '../../../shared/budgets'
import { LabError } from '../errors'
import { macroPayload } from './macro-payload'
import { peerName } from '../../../shared/net-address'
import { hexOf } from './server-events'

/** What a UDP server offers the panel's send: its recent peers and a sendto from its own socket. */
export interface DatagramSendingServer {
  readonly id: string
  readonly state: string
  recentPeer(key: string): RecentPeer | undefined
  recentPeers(): RecentPeer[]
  sendFromPanel(to: RecentPeer, bytes: Buffer): Promise<number>
}

export interface UdpServerSendInput {
  to: string
  payload: string
  hex?: boolean
  encoding?: TextEncoding
  macros?: boolean
  counter?: number
}

/**
 * NetAssist's UDP server mode: one datagram from the server's own socket (so it comes from the
 * server's port, as a reply would) to a chosen recent peer or to every one of them. Only peers
 * that sent to the server are reachable this way; anything else is ERR_NOT_A_PEER, so the panel
 * never becomes a sender to arbitrary addresses. With `all`, one payload (one counter value).
 */
export async function udpServerSend(server: DatagramSendingServer, input: UdpServerSendInput): Promise<UdpServerSendResult> {
  if (server.state !== 'listening') throw new LabError('ERR_BAD_STATE', `server ${server.id} is ${server.state}`, { id: server.id })
  const targets = input.to === UDP_SEND_ALL ? server.recentPeers() : [server.recentPeer(input.to)]
  if (targets.length === 0) {
    throw new LabError('ERR_BAD_STATE', `server ${server.id} has heard from nobody yet: send it a datagram from a client first`, { id: server.id }, 'to')
  }
  const chosen = targets[0]
  if (!chosen) {
    throw new LabError(
      'ERR_NOT_A_PEER',
      `${input.to} has not sent a datagram to server ${server.id} recently (it remembers the ${UDP_RECENT_PEERS} it heard from last)`,
      { peer: input.to, id: server.id, max: UDP_RECENT_PEERS },
      'to',
    )
  }
  const plan = macroPayload({ ...input, encoding: input.encoding ?? netUdpSendMethods['net.udpServer.send'].input.shape.encoding.default, maxBytes: Number.MAX_SAFE_INTEGER }, 1)
  if (plan.maxBytes > MAX_UDP_PAYLOAD_BYTES) {
    throw new LabError('ERR_DATAGRAM_TOO_LARGE', `the payload is ${plan.maxBytes} bytes; one UDP datagram carries at most ${MAX_UDP_PAYLOAD_BYTES}`, { bytes: plan.maxBytes, max: MAX_UDP_PAYLOAD_BYTES }, 'payload')
  }
  const payload = plan.bytesFor(0)
  const sent: UdpServerSendResult['sent'] = []
  for (const peer of targets as RecentPeer[]) sent.push({ peer: peerName(peer), bytes: await server.sendFromPanel(peer, payload) })
  return { id: server.id, sent, payloadBytes: payload.length, hex: hexOf(payload), nextCounter: plan.nextCounter(1) }
}
