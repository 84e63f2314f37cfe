import type { MethodName } from '../../shared/contract'
import type { ErrorCode, LabErrorData } from '../../shared/errors'

/**
 * Which input field a failure is about when the code that failed did not say (a Node system error
 * knows the address, not the form): per method, per error code, the contract's name of the field.
 * The page highlights that field and moves focus to it (issue 12). A thrower that knows better
 * passes its own `field` to LabError and wins.
 */
const FIELDS: Partial<Record<MethodName, Partial<Record<ErrorCode, string>>>> = {
  'net.tcpServer.start': { ERR_PORT_IN_USE: 'port', ERR_PERMISSION_DENIED: 'port', ERR_ADDRESS_NOT_AVAILABLE: 'host', ERR_CONSENT_REQUIRED: 'host' },
  'net.udpServer.start': { ERR_PORT_IN_USE: 'port', ERR_PERMISSION_DENIED: 'port', ERR_ADDRESS_NOT_AVAILABLE: 'host', ERR_CONSENT_REQUIRED: 'host' },
  'net.relay.start': {
    ERR_PORT_IN_USE: 'listenPort',
    ERR_PERMISSION_DENIED: 'listenPort',
    ERR_ADDRESS_NOT_AVAILABLE: 'listenHost',
    ERR_CONSENT_REQUIRED: 'listenHost',
    ERR_REMOTE_TARGET: 'targetHost',
    ERR_HOST_NOT_FOUND: 'targetHost',
  },
  'net.tcp.send': { ERR_CONNECTION_REFUSED: 'port', ERR_HOST_NOT_FOUND: 'host', ERR_HOST_UNREACHABLE: 'host', ERR_ENCODING: 'message', ERR_DATAGRAM_TOO_LARGE: 'message' },
  'net.tcpClient.open': { ERR_CONNECTION_REFUSED: 'port', ERR_HOST_NOT_FOUND: 'host', ERR_HOST_UNREACHABLE: 'host' },
  'net.tcpClient.send': { ERR_ENCODING: 'payload' },
  'net.udp.send': { ERR_HOST_NOT_FOUND: 'host', ERR_HOST_UNREACHABLE: 'host', ERR_ENCODING: 'payload', ERR_DATAGRAM_TOO_LARGE: 'payload' },
  'net.sticky.run': { ERR_ENCODING: 'messages' },
  'net.server.send': { ERR_ENCODING: 'payload' },
  'net.udpServer.send': { ERR_ENCODING: 'payload' },
  'python.run': { ERR_PORT_IN_USE: 'port' },
}

/** The error with its field filled in from the table when the thrower named none. */
export function withField(method: MethodName, error: LabErrorData): LabErrorData {
  if (error.field) return error
  const field = FIELDS[method]?.[error.code]
  return field ? { ...error, field } : error
}
