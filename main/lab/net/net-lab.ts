import { DEFAULT_HANDLER, DEFAULT_HOST, DEFAULT_PORT, ONE_SHOT_TIMEOUT_MS, type netMethods, type ServerInfo } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { LabError } from '../errors'
import { bindAddress } from './bind-address'
import { serverMembership } from './udp-cast'
import { withOneShotClient } from './descriptors'
import { tcpSendOnce } from './tcp-client'
import { serverSend, type SendableServer } from './server-send'
import { TcpServer } from './tcp-server'
import { UdpServer } from './udp-server'
import { udpServerSend } from './udp-server-send'

type NetMethod = keyof typeof netMethods | 'net.server.send' | 'net.udpServer.send'

interface LabServer extends SendableServer {
  readonly id: string
  listen(): Promise<ServerInfo>
  info(): ServerInfo
  close(): Promise<void>
}

/** The network lab: the servers the learner started, and one-shot clients. */
export function createNetLab(ctx: LabContext): LabDomain<NetMethod> {
  const servers = new Map<string, LabServer>()
  let nextId = 1
  const emit = (event: Parameters<typeof ctx.emit<'net.server'>>[1]) => ctx.emit('net.server', event)

  const find = (id: string): LabServer => {
    const server = servers.get(id)
    if (!server) throw new LabError('ERR_NOT_FOUND', `no server with id ${id}`, { id })
    return server
  }

  const start = async (server: LabServer): Promise<ServerInfo> => {
    servers.set(server.id, server)
    try {
      return await server.listen()
    } catch (err) {
      servers.delete(server.id)
      await server.close()
      throw err
    }
  }

  /**
   * When a one-shot client got no reply: is it waiting in the queue of one of the lab's own serial
   * servers? Then say so, with who is being served, instead of a bare timeout.
   */
  const queuedBehind = (target: { host: string; port: number; timeoutMs?: number; replyTimeoutMs?: number }, local: { port: number }): LabError | null => {
    for (const server of servers.values()) {
      const info = server.info()
      if (info.proto !== 'tcp' || info.mode !== 'serial' || info.port !== target.port) continue
      const position = info.queue.findIndex((q) => q.remote.port === local.port)
      if (position < 0) continue
      const serving = info.connections.find((c) => c.state === 'serving')
      const where = `${target.host}:${target.port}`
      const who = serving ? `connection #${serving.conn} from ${serving.remote.address}:${serving.remote.port}` : 'another connection'
      return new LabError(
        'ERR_SERVER_BUSY',
        `${where} is a serial server still serving ${who}: this client was accepted and waits in its queue (position ${position + 1} of ${info.queue.length}), unanswered after ${target.replyTimeoutMs ?? target.timeoutMs ?? ONE_SHOT_TIMEOUT_MS.default} ms`,
        { host: target.host, port: target.port, where, position: position + 1, waiting: info.queue.length, ...(serving ? { serving: serving.conn } : {}) },
      )
    }
    return null
  }

  return {
    handlers: {
      'net.tcpServer.start': async ({ allInterfaces, ...input }) =>
        start(
          new TcpServer(
            `tcp-${nextId++}`,
            { ...input, host: await bindAddress(input.host ?? DEFAULT_HOST, allInterfaces), port: input.port ?? DEFAULT_PORT, handler: input.handler ?? DEFAULT_HANDLER, workersDir: ctx.workersDir },
            emit,
          ),
        ),
      'net.udpServer.start': async ({ allInterfaces, multicastGroup, multicastInterface, ...input }) => {
        // A group's member binds the group itself by default (udp-cast.ts says why), joined on loopback unless consented.
        const membership = multicastGroup === undefined ? null : serverMembership(multicastGroup, { host: input.host, multicastInterface, allInterfaces })
        const host = await bindAddress(membership?.bindHost ?? input.host ?? DEFAULT_HOST, allInterfaces)
        const multicast = membership ? { group: membership.group, interface: membership.interface } : undefined
        return start(new UdpServer(`udp-${nextId++}`, { ...input, host, multicast, port: input.port ?? DEFAULT_PORT, handler: input.handler ?? DEFAULT_HANDLER, workersDir: ctx.workersDir }, emit))
      },
      'net.server.stop': async ({ id }) => {
        const server = find(id)
        await server.close()
        servers.delete(id)
        return { id }
      },
      'net.server.list': () => [...servers.values()].map((s) => s.info()),
      'net.server.send': ({ id, ...input }) => serverSend(find(id), input),
      'net.udpServer.send': ({ id, ...input }) => {
        const server = find(id)
        if (!(server instanceof UdpServer)) throw new LabError('ERR_UNSUPPORTED', `${id} is a TCP server: send to its connections with net.server.send`, { id })
        return udpServerSend(server, input)
      },
      'net.tcp.send': (input) => withOneShotClient('a one-shot send', () => tcpSendOnce({ ...input, explainSilence: (local) => queuedBehind(input, local) })),
    },
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()))
      servers.clear()
    },
  }
}
