import type { netClientMethods, netExperimentMethods } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { LabError } from '../errors'

type ClientMethod = keyof typeof netClientMethods | keyof typeof netExperimentMethods

const notYet = (what: string) => () => {
  throw new LabError('ERR_UNSUPPORTED', `${what} is not built yet in this version of the lab`)
}

/** Persistent TCP clients, the UDP sender and the two network experiments. */
export function createNetClientsLab(_ctx: LabContext): LabDomain<ClientMethod> {
  return {
    handlers: {
      'net.tcpClient.open': notYet('net.tcpClient.open'),
      'net.tcpClient.send': notYet('net.tcpClient.send'),
      'net.tcpClient.close': notYet('net.tcpClient.close'),
      'net.tcpClient.list': () => [],
      'net.udp.send': notYet('net.udp.send'),
      'net.sticky.run': notYet('net.sticky.run'),
      'net.compare.run': notYet('net.compare.run'),
    },
    async close() {},
  }
}
