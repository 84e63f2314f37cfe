import {
  DEFAULT_HANDLER,
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MULTICAST_INTERFACE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_REQUEST_QUEUE_SIZE,
  DEFAULT_PORT,
  DEFAULT_SERVER_MODE,
  DEFAULT_SPARES,
  DEFAULT_UDP_SERVER_MODE,
  DEFAULT_UDP_SPARES,
  FRAMINGS,
  handlerProblem,
  methodSpecs,
  MAX_DATAGRAM_BYTES,
  MAX_DELAY_MS,
  SERVER_MODES,
  UDP_SEND_ALL,
  UDP_SERVER_MODES,
  type Framing,
  type ServedBy,
  type ServerEvent,
  type ServerMode,
  type UdpServerMode,
} from '../../../shared/contract'
import { createInterface } from 'node:readline'
import { Lab } from '../../lab/lab'
import { toErrorData } from '../../lab/errors'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { clock, intOption, rangeOf, showBytes, usageError } from '../io'
import { DisposableStore } from '../../../shared/disposable'
import { DEFAULT_MAX_CONNECTIONS, UDP_RECENT_PEERS } from '../../../shared/budgets'

/** The contract's fields: every range and default below is read from them. */
const TCP = methodSpecs['net.tcpServer.start'].input.shape
const UDP = methodSpecs['net.udpServer.start'].input.shape

function who(s: ServedBy): string {
  const tid = s.tid === null ? 'tid unknown' : `tid ${s.tid}`
  switch (s.kind) {
    case 'loop':
      return `the event loop (pid ${s.pid})`
    case 'queue':
      return `the serial server (pid ${s.pid}, ${tid})`
    case 'thread':
      return `thread ${tid} (pid ${s.pid})`
    case 'process':
      return `process ${s.pid}`
  }
}

function describe(e: ServerEvent): string {
  switch (e.event) {
    case 'listening':
      return `listening on ${e.proto}://${e.host}:${e.port} — press Ctrl-C to stop`
    case 'connection':
      return `#${e.conn} connected from ${e.remote.address}:${e.remote.port}, served by ${who(e.servedBy)}`
    case 'queued':
      return `#${e.conn} waits in the queue (position ${e.position})`
    case 'served':
      return `#${e.conn} is served now, after waiting ${e.waitedMs} ms`
    case 'recv':
      return `#${e.conn} recv ${e.bytes} bytes: ${showBytes(e.hex)}${e.truncated ? '…' : ''}`
    case 'message':
      return `#${e.conn} message (${e.frame}) ${e.bytes} bytes: ${showBytes(e.hex)}${e.truncated ? '…' : ''}`
    case 'send':
      return `#${e.conn} sent ${e.bytes} bytes`
    case 'close':
      return `#${e.conn} closed (${e.reason})`
    case 'drop':
      return `dropped a connection from ${e.remote.address}:${e.remote.port}: too many open (${e.dropped} dropped so far)`
    case 'datagram':
      return `datagram from ${e.from.address}:${e.from.port}, ${e.bytes} bytes: ${showBytes(e.hex)}${e.truncated ? '…' : ''}${e.servedBy ? `, handled by ${who(e.servedBy)}${e.waitedMs ? ` after waiting ${e.waitedMs} ms` : ''}` : ''}`
    case 'sendto':
      return `sent ${e.bytes} bytes to ${e.to.address}:${e.to.port}`
    case 'error':
      return `${e.conn ? `#${e.conn} ` : ''}error ${e.error.code}: ${e.error.message}`
    case 'closed':
      return 'server closed'
    case 'spares':
      return `spares ready: ${e.ready} of ${e.of}`
  }
}

/**
 * `--send-stdin`: each stdin line is a server-side send (issue 14), "#N text" to connection N, else
 * to all; a refusal is printed with its code and the server goes on. Returns the stop function.
 */
function sendFromStdin(lab: Lab, serverId: string, json: boolean, print: (line: string) => void): () => void {
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (text) => {
    const one = /^#(\d+)\s(.*)$/.exec(text)
    const to = one ? Number(one[1]) : 'all'
    const payload = one ? one[2]! : text
    void lab.call('net.server.send', { id: serverId, to, payload }).then((r) => {
      if (r.ok) print(json ? JSON.stringify({ event: 'panel-send', ok: true, sent: r.value.sent, skipped: r.value.skipped }) : `sent ${r.value.payloadBytes} bytes to ${r.value.sent.map((x) => `#${x.conn}`).join(', ')}${r.value.skipped.length ? `; passed over ${r.value.skipped.map((x) => `#${x.conn} (${x.code})`).join(', ')}` : ''}`)
      else print(json ? JSON.stringify({ event: 'panel-send', ok: false, error: r.error }) : `error ${r.error.code}: ${r.error.message}`)
    }, (err: unknown) => print(JSON.stringify({ event: 'panel-send', ok: false, error: toErrorData(err) })))
  })
  return () => lines.close()
}

/**
 * `lab serve udp --send-stdin`: each stdin line is a datagram from the server's own port (issue 14,
 * NetAssist's UDP server mode, `net.udpServer.send`): "@ADDR:PORT text" to that recent peer, else to
 * every recent peer. The engine checks the line with the contract and refuses an address that has
 * not sent to the server lately (ERR_NOT_A_PEER); a refusal is printed with its code and the server goes on.
 */
function udpSendFromStdin(lab: Lab, serverId: string, json: boolean, print: (line: string) => void): () => void {
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (text) => {
    const one = /^@(\S+)\s(.*)$/.exec(text)
    const to = one ? one[1]! : UDP_SEND_ALL
    const payload = one ? one[2]! : text
    void lab.call('net.udpServer.send', { id: serverId, to, payload }).then((r) => {
      if (r.ok) print(json ? JSON.stringify({ event: 'panel-send', ok: true, sent: r.value.sent }) : `sent ${r.value.payloadBytes} bytes to ${r.value.sent.map((x) => x.peer).join(', ')}`)
      else print(json ? JSON.stringify({ event: 'panel-send', ok: false, error: r.error }) : `error ${r.error.code}: ${r.error.message}`)
    }, (err: unknown) => print(JSON.stringify({ event: 'panel-send', ok: false, error: toErrorData(err) })))
  })
  return () => lines.close()
}

/** One JSON object per line; the first names the actual port, for scripts that asked for port 0. */
function toJson(e: ServerEvent): Record<string, unknown> {
  if (e.event === 'listening') return { event: 'listening', proto: e.proto, host: e.host, port: e.port }
  const { serverId: _id, ...rest } = e
  return rest
}

const servedByJson = (s: ServedBy) => `{"kind":"${s.kind}","pid":${s.pid},"tid":${s.tid}}`
const addr = (a: { address: string; port: number }) => `{"address":${JSON.stringify(a.address)},"port":${a.port}}`

/**
 * The same line as `JSON.stringify(toJson(e))`, written by hand for the events that come once per
 * read or datagram: under load the generic path costs more than serving the traffic. `hex` is only
 * ever [0-9a-f], numbers are finite, and addresses go through JSON.stringify.
 */
export function jsonLine(e: ServerEvent): string {
  switch (e.event) {
    case 'recv':
      return `{"event":"recv","bytes":${e.bytes},"hex":"${e.hex}","truncated":${e.truncated},"conn":${e.conn},"at":${e.at}}`
    case 'send':
      return `{"event":"send","bytes":${e.bytes},"conn":${e.conn},"at":${e.at}}`
    case 'datagram':
      return `{"event":"datagram","from":${addr(e.from)},"bytes":${e.bytes},"hex":"${e.hex}","truncated":${e.truncated}${e.servedBy ? `,"servedBy":${servedByJson(e.servedBy)},"waitedMs":${e.waitedMs ?? 0}` : ''}${e.startup ? `,"startup":${JSON.stringify(e.startup)}` : ''},"at":${e.at}}`
    case 'sendto':
      return `{"event":"sendto","to":${addr(e.to)},"bytes":${e.bytes},"at":${e.at}}`
    default:
      return JSON.stringify(toJson(e))
  }
}

function pick<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined
  if (!allowed.includes(value as T)) throw usageError(`--${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { option })
  return value as T
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a TCP or UDP server until Ctrl-C',
  help: `lab serve tcp [--host H] [--all-interfaces] [--port P] [--mode M] [--handler H] [--recv-size N]
                 [--read-delay MS] [--frame F] [--max-frame N] [--idle-timeout MS]
                 [--max-connections N] [--json]
lab serve udp [--host H] [--all-interfaces] [--port P] [--mode M] [--handler H] [--spares N]
              [--max-datagram N] [--multicast GROUP [--multicast-if ADDR]] [--send-stdin] [--json]

Runs the course's server. TCP: every read (or, with --frame, every message) a client
sends is answered by the handler; an empty read or a reset ends that connection.
UDP: every datagram is answered to its sender. Stops on Ctrl-C or SIGTERM.

  --host H            address to listen on (default ${DEFAULT_HOST}: this machine only;
                      0.0.0.0 or :: listen on every network interface and
                      need --all-interfaces)
  --all-interfaces    consent to listen on every interface: other machines can
                      connect (0.0.0.0, ::, 0, [0::] … are refused without it)
  --port P            port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --mode M            how TCP connections are served (default ${DEFAULT_SERVER_MODE}):
                        serial    one at a time, the others wait in a queue
                                  (like socketserver.TCPServer)
                        threading one worker thread per connection
                                  (like ThreadingTCPServer)
                        forking   one child process per connection
                                  (like ForkingTCPServer)
                        async     Node's event loop serves every connection
                      UDP (default ${DEFAULT_UDP_SERVER_MODE}): serial (one datagram at a time, like
                      socketserver.UDPServer), threading (each datagram's handler on a
                      thread of its own, like ThreadingUDPServer), async
  --handler H         what the server answers (default ${DEFAULT_HANDLER}):
                        upper     the bytes upper-cased (ASCII letters), the course's handler
                        echo      the bytes unchanged
                        reverse   the bytes in reverse order
                        delay:MS  upper-cased, but only after MS milliseconds (0-${MAX_DELAY_MS})
  --recv-size N       each read hands the handler at most N bytes (${rangeOf(TCP.recvSize)}),
                      like the course's recv(1024); default: what the kernel gave
  --read-delay MS     pause MS ms (${rangeOf(TCP.readDelayMs)}) after each read, as a slow handler would:
                      what the client sends meanwhile merges into the next read
  --frame F           how messages are cut from the byte stream (default ${TCP.frame.default}):
                        none      every read is handled as it comes
                        len32le   4-byte little-endian length first (struct.pack('i', n))
                        len32be   4-byte big-endian length first (struct.pack('!I', n))
                        line      every message ends with a newline
                      replies are framed the same way
  --max-frame N       largest message accepted, in bytes (default ${DEFAULT_MAX_FRAME_BYTES});
                      a larger declared length closes that connection at once
  --idle-timeout MS   close a connection silent for MS ms (default ${DEFAULT_IDLE_TIMEOUT_MS}; 0: never)
  --request-queue-size N  the listen backlog, socketserver's request_queue_size (default
                      ${DEFAULT_REQUEST_QUEUE_SIZE}, at most the OS's somaxconn): connects beyond it are dropped and retried
  --spares N          threading/forking (TCP), threading (UDP): threads or processes
                      kept ready (${rangeOf(TCP.spares)}; default ${DEFAULT_SPARES.threading} threads, ${DEFAULT_SPARES.forking} process${DEFAULT_SPARES.forking === 1 ? '' : 'es'}, UDP ${DEFAULT_UDP_SPARES})
  --max-connections N connections open at once, queued ones included (default ${DEFAULT_MAX_CONNECTIONS.serial},
                      ${DEFAULT_MAX_CONNECTIONS.threading} for threading and forking); more are dropped and reported
  --max-datagram N    UDP: refuse datagrams over N bytes (default ${MAX_DATAGRAM_BYTES})
  --multicast GROUP   UDP: join the IPv4 multicast group GROUP (224.0.0.0-239.255.255.255;
                      239.x.x.x is for private use) and bind the group address itself (a
                      socket bound to 127.0.0.1 never hears a group); several servers may
                      join one group on one port: each receives every datagram sent to it
  --multicast-if A    the interface to join on (default ${DEFAULT_MULTICAST_INTERFACE}, loopback: this machine
                      only; any other needs --all-interfaces)
  --send-stdin        TCP: send from the server, like NetAssist's server mode: each line
                      typed on stdin goes to every connection, "#N text" to connection #N
                      only (framed with the server's framing); prints what was sent or a
                      coded error (ERR_SERVER_BUSY, ERR_OWNED_BY_HANDLER, ERR_NOT_FOUND …)
                      UDP: each line is one datagram from the server's port to every recent
                      peer (the ${UDP_RECENT_PEERS} addresses that sent to it last), "@ADDR:PORT text" to
                      that peer only; any other address is ERR_NOT_A_PEER
  --json              one JSON object per line: first {"event":"listening","proto":...,
                      "host":...,"port":N}, then "connection" (with "servedBy":{"kind",
                      "pid","tid"}), "queued", "served", "recv" (with "conn", "bytes",
                      "hex"), "message", "send", "close", "drop", "datagram", "sendto", "error"`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    mode: { type: 'string' },
    handler: { type: 'string' },
    'recv-size': { type: 'string' },
    'read-delay': { type: 'string' },
    frame: { type: 'string' },
    'max-frame': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'request-queue-size': { type: 'string' },
    spares: { type: 'string' },
    'max-connections': { type: 'string' },
    'max-datagram': { type: 'string' },
    'all-interfaces': { type: 'boolean' },
    multicast: { type: 'string' },
    'multicast-if': { type: 'string' },
    'send-stdin': { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    const proto = positionals[0]
    if (proto !== 'tcp' && proto !== 'udp') throw usageError(`lab serve takes "tcp" or "udp", got ${JSON.stringify(proto ?? '')}`, { option: 'proto' })
    if (positionals.length > 1) throw usageError(`lab serve ${proto} takes no more arguments, got ${JSON.stringify(positionals[1])}`)
    const handler = values.handler as string | undefined
    const handlerWrong = handler === undefined ? null : handlerProblem(handler)
    if (handlerWrong) throw usageError(`--handler ${handlerWrong.en}, got ${JSON.stringify(handler)}`, { option: 'handler' })
    const tcpOnly = ['recv-size', 'read-delay', 'frame', 'max-frame', 'idle-timeout', 'max-connections', 'request-queue-size']
    const wrong = proto === 'udp' ? tcpOnly.find((o) => values[o] !== undefined) : ['max-datagram', 'multicast', 'multicast-if'].find((o) => values[o] !== undefined)
    if (wrong) throw usageError(`--${wrong} does not apply to lab serve ${proto}`, { option: wrong })
    const host = values.host as string | undefined
    const allInterfaces = values['all-interfaces'] === true ? true : undefined
    const port = intOption(values.port as string | undefined, 'port', TCP.port)
    const json = values.json === true
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    // Lines are written once per turn of the event loop, not once per event: under load one
    // write() per event would cost more than serving the traffic.
    let pending: string[] = []
    const flush = () => {
      if (pending.length === 0) return
      const lines = pending
      pending = []
      io.out(lines.join('\n'))
    }
    // What this command subscribed to ends with it (after the engine's last events are printed).
    const owned = new DisposableStore()
    owned.add(lab.onEvent((ev) => {
      if (ev.topic !== 'net.server') return
      if (pending.length === 0) setImmediate(flush)
      pending.push(json ? jsonLine(ev.payload) : `[${clock(ev.payload.at)}] ${describe(ev.payload)}`)
    }))
    try {
      if (proto === 'udp') {
        const server = await lab.invoke('net.udpServer.start', {
          host,
          allInterfaces,
          port,
          handler,
          mode: pick<UdpServerMode>(values.mode, UDP_SERVER_MODES, 'mode'),
          spares: intOption(values.spares as string | undefined, 'spares', UDP.spares),
          maxDatagramBytes: intOption(values['max-datagram'] as string | undefined, 'max-datagram', UDP.maxDatagramBytes),
          ...(typeof values.multicast === 'string' ? { multicastGroup: values.multicast } : {}),
          ...(typeof values['multicast-if'] === 'string' ? { multicastInterface: values['multicast-if'] } : {}),
        })
        if (values['send-stdin'] === true) owned.add(udpSendFromStdin(lab, server.id, json, (l) => {
          if (pending.length === 0) setImmediate(flush)
          pending.push(l)
        }))
      } else {
        const server = await lab.invoke('net.tcpServer.start', {
          host,
          allInterfaces,
          port,
          handler,
          mode: pick<ServerMode>(values.mode, SERVER_MODES, 'mode'),
          frame: pick<Framing>(values.frame, FRAMINGS, 'frame'),
          recvSize: intOption(values['recv-size'] as string | undefined, 'recv-size', TCP.recvSize),
          readDelayMs: intOption(values['read-delay'] as string | undefined, 'read-delay', TCP.readDelayMs),
          maxFrameBytes: intOption(values['max-frame'] as string | undefined, 'max-frame', TCP.maxFrameBytes),
          idleTimeoutMs: intOption(values['idle-timeout'] as string | undefined, 'idle-timeout', TCP.idleTimeoutMs),
          maxConnections: intOption(values['max-connections'] as string | undefined, 'max-connections', TCP.maxConnections),
          requestQueueSize: intOption(values['request-queue-size'] as string | undefined, 'request-queue-size', TCP.requestQueueSize),
          spares: intOption(values.spares as string | undefined, 'spares', TCP.spares),
        })
        if (values['send-stdin'] === true) owned.add(sendFromStdin(lab, server.id, json, (l) => {
          if (pending.length === 0) setImmediate(flush)
          pending.push(l)
        }))
      }
      await io.untilStopped()
    } finally {
      await lab.close()
      owned.dispose()
      flush()
    }
    return 0
  },
}
