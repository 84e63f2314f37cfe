import { DEFAULT_HOST, DEFAULT_PORT, type ServerEvent } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { clock, parseIntOption, showBytes, usageError } from '../io'

function describe(e: ServerEvent): string {
  switch (e.event) {
    case 'listening':
      return `listening on ${e.proto}://${e.host}:${e.port} — press Ctrl-C to stop`
    case 'connection':
      return `#${e.conn} connected from ${e.remote.address}:${e.remote.port}`
    case 'recv':
      return `#${e.conn} recv ${e.bytes} bytes: ${showBytes(e.hex)}${e.truncated ? '…' : ''}`
    case 'send':
      return `#${e.conn} sent ${e.bytes} bytes`
    case 'close':
      return `#${e.conn} closed (${e.reason})`
    case 'error':
      return `${e.conn ? `#${e.conn} ` : ''}error ${e.error.code}: ${e.error.message}`
    case 'closed':
      return 'server closed'
    default:
      return JSON.stringify(e)
  }
}

/** One JSON object per line; the first names the actual port, for scripts that asked for port 0. */
function toJson(e: ServerEvent): Record<string, unknown> {
  if (e.event === 'listening') return { event: 'listening', proto: e.proto, host: e.host, port: e.port }
  const { serverId: _id, ...rest } = e
  return rest
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a server until Ctrl-C',
  help: `lab serve tcp [--host H] [--port P] [--json]

Runs the course's TCP server: every chunk a client sends comes back upper-cased;
an empty read or a reset ends that connection. Stops on Ctrl-C or SIGTERM.

  --host H     address to listen on (default ${DEFAULT_HOST}: this machine only;
               0.0.0.0 listens on every network interface)
  --port P     port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --json       one JSON object per line: first {"event":"listening",...,"port":N},
               then "connection", "recv" (with "conn", "bytes", "hex"), "send", "close"`,
  options: { host: { type: 'string' }, port: { type: 'string' }, ...JSON_OPTION },
  async run({ positionals, values, io }) {
    const proto = positionals[0]
    if (proto !== 'tcp') throw usageError(`lab serve takes "tcp", got ${JSON.stringify(proto ?? '')}`, { option: 'proto' })
    const json = values.json === true
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    lab.onEvent((ev) => {
      if (ev.topic !== 'net.server') return
      io.out(json ? JSON.stringify(toJson(ev.payload)) : `[${clock(ev.payload.at)}] ${describe(ev.payload)}`)
    })
    try {
      await lab.invoke('net.tcpServer.start', {
        host: values.host as string | undefined,
        port: parseIntOption(values.port as string | undefined, 'port', 0, 65535),
      })
      await io.untilStopped()
    } finally {
      await lab.close()
    }
    return 0
  },
}
