import { DEFAULT_HOST, DEFAULT_PORT, type netMethods } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { LabError } from '../errors'
import { tcpSendOnce } from './tcp-client'
import { TcpServer } from './tcp-server'

type NetMethod = keyof typeof netMethods

/** The network lab: the servers the learner started, and one-shot clients. */
export function createNetLab(ctx: LabContext): LabDomain<NetMethod> {
  const servers = new Map<string, TcpServer>()
  let nextId = 1

  const find = (id: string): TcpServer => {
    const server = servers.get(id)
    if (!server) throw new LabError('ERR_NOT_FOUND', `no server with id ${id}`, { id })
    return server
  }

  return {
    handlers: {
      'net.tcpServer.start': async (input) => {
        const id = `tcp-${nextId++}`
        const server = new TcpServer(
          id,
          { host: input.host ?? DEFAULT_HOST, port: input.port ?? DEFAULT_PORT, handler: 'upper' },
          (event) => ctx.emit('net.server', event),
        )
        const info = await server.listen()
        servers.set(id, server)
        return info
      },
      'net.server.stop': async ({ id }) => {
        const server = find(id)
        await server.close()
        servers.delete(id)
        return { id }
      },
      'net.server.list': () => [...servers.values()].map((s) => s.info()),
      'net.tcp.send': (input) => tcpSendOnce(input),
    },
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()))
      servers.clear()
    },
  }
}
