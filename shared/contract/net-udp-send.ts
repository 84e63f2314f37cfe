/**
 * The UDP server's send from the server panel (issue 14): a UDP server has no connections, so the
 * panel sends a datagram to one of the peers that sent it one recently (ServerInfo.peers, at most
 * UDP_RECENT_PEERS), or to all of them. Apart from `net.server.send` (TCP connections), whose
 * threading/forking paths change on their own.
 */
import { FIRST_MACRO_COUNTER, MAX_MACRO_COUNTER } from '../macros'
import { boolean, int, object, oneOf, optional, string } from '../schema'
import { MAX_CLIENT_PAYLOAD_CHARS, TEXT_ENCODINGS } from './net-clients'
import { method } from './spec'

/** What one `net.udpServer.send` did. */
export interface UdpServerSendResult {
  id: string
  /** Each peer written to ("address:port"), with the datagram's bytes. */
  sent: { peer: string; bytes: number }[]
  /** Bytes of the payload, its hex (first 256 bytes). */
  payloadBytes: number
  hex: string
  /** The counter the next send should start from (`counter` + 1 with macros on, else `counter`). */
  nextCounter: number
}

/** `to` that means every recent peer. */
export const UDP_SEND_ALL = 'all'

export const netUdpSendMethods = {
  /**
   * Sends `payload` (text in `encoding`, or hex digits) as one datagram from UDP server `id`'s own
   * socket to `to`: a recent peer, "address:port" as ServerInfo.peers lists it, or `all` recent
   * peers. An address that has not sent to the server recently → ERR_NOT_A_PEER; a payload over a
   * datagram's size → ERR_DATAGRAM_TOO_LARGE; a TCP server → ERR_UNSUPPORTED (use net.server.send).
   */
  'net.udpServer.send': method<UdpServerSendResult>()(
    object({
      id: string({ min: 1, max: 64 }),
      /** "address:port" of a recent peer ("[::1]:5000" for IPv6), or "all". */
      to: string({ min: 1, max: 64 }),
      payload: string({ max: MAX_CLIENT_PAYLOAD_CHARS }),
      hex: optional(boolean()),
      encoding: optional(oneOf(TEXT_ENCODINGS), 'utf8'),
      /** Expand macros in the payload; `counter` is `{{COUNTER}}` (default 1). */
      macros: optional(boolean()),
      counter: optional(int({ min: FIRST_MACRO_COUNTER, max: MAX_MACRO_COUNTER }), FIRST_MACRO_COUNTER),
    }),
  ),
}
