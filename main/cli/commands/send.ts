import { CLIENT_FRAMINGS, DEFAULT_MULTICAST_INTERFACE, methodSpecs, TEXT_ENCODINGS, type ClientEvent, type ClientFraming, type TextEncoding } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LabError } from '../../lab/errors'
import { payloadBytes } from '../../lab/net/encoding'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command, type OptionValues } from '../command'
import { intOption, rangeOf, usageError, type CliIo } from '../io'
import { TCP_REPLY_QUIET_MS } from '../../../shared/budgets'
import { DisposableStore } from '../../../shared/disposable'

/** The contract's fields: the ranges and the defaults below are read from them. */
const OPEN = methodSpecs['net.tcpClient.open'].input.shape
const SEND = methodSpecs['net.tcpClient.send'].input.shape
const UDP_SEND = methodSpecs['net.udp.send'].input.shape


function choice<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly unknown[]).includes(value)) throw usageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { option: name })
  return value as T
}

interface SendArgs {
  host: string
  port: number
  message: string
  hex: boolean
  encoding: TextEncoding
  frame: ClientFraming
  repeat: number
  gapMs: number
  nodelay: boolean
  timeoutMs: number
  json: boolean
  /** UDP broadcast and multicast (issue 14). */
  broadcast: boolean
  multicastInterface: string | undefined
  multicastTtl: number | undefined
  allInterfaces: boolean
}

function parse(positionals: string[], values: OptionValues): { proto: 'tcp' | 'udp'; args: SendArgs } {
  const [proto, host, portText, ...words] = positionals
  if (proto !== 'tcp' && proto !== 'udp') throw usageError(`lab send takes "tcp" or "udp", got ${JSON.stringify(proto ?? '')}`, { option: 'proto' })
  if (!host || portText === undefined || words.length === 0) throw usageError(`lab send ${proto} needs HOST PORT MESSAGE`)
  return {
    proto,
    args: {
      host,
      port: intOption(portText, 'port', OPEN.port)!,
      message: words.join(' '),
      hex: values.hex === true,
      encoding: choice(values.encoding, TEXT_ENCODINGS, 'encoding') ?? OPEN.encoding.default,
      frame: choice(values.frame, CLIENT_FRAMINGS, 'frame') ?? OPEN.frame.default,
      repeat: intOption(values.repeat as string | undefined, 'repeat', SEND.repeat) ?? SEND.repeat.default,
      gapMs: intOption(values.gap as string | undefined, 'gap', SEND.gapMs) ?? SEND.gapMs.default,
      nodelay: values.nodelay === true,
      timeoutMs: intOption(values.timeout as string | undefined, 'timeout', OPEN.timeoutMs) ?? OPEN.timeoutMs.default,
      json: values.json === true,
      broadcast: values.broadcast === true,
      multicastInterface: values['multicast-if'] as string | undefined,
      multicastTtl: intOption(values.ttl as string | undefined, 'ttl', UDP_SEND.multicastTtl),
      allInterfaces: values['all-interfaces'] === true,
    },
  }
}

/** One JSON line per client event, without the ids a script does not need. */
function eventLine(e: ClientEvent): string {
  const { clientId: _id, ...rest } = e
  return JSON.stringify(rest)
}

async function sendTcp(lab: Lab, a: SendArgs, io: CliIo, owned: DisposableStore): Promise<number> {
  const started = performance.now()
  const texts: string[] = []
  const messages: string[] = []
  const hexes: string[] = []
  let bytesReceived = 0
  let closed = false
  let lastData = 0
  let id = ''
  owned.add(lab.onEvent((ev) => {
    if (ev.topic !== 'net.client' || ev.payload.clientId !== id) return
    const e = ev.payload
    if (a.json && e.event !== 'connected') io.out(eventLine(e))
    if (e.event === 'received') {
      bytesReceived += e.bytes
      texts.push(e.text)
      hexes.push(e.hex)
      lastData = performance.now()
    } else if (e.event === 'message') messages.push(e.text)
    else if (e.event === 'closed') closed = true
  }))
  const client = await lab.invoke('net.tcpClient.open', { host: a.host, port: a.port, nodelay: a.nodelay, frame: a.frame, encoding: a.encoding, timeoutMs: a.timeoutMs })
  id = client.id
  const sent = await lab.invoke('net.tcpClient.send', { id, payload: a.message, hex: a.hex, repeat: a.repeat, gapMs: a.gapMs })
  // The reply is complete when as many bytes (or framed messages) came back as were sent, when the
  // server hangs up, or when it has been quiet for a moment after answering.
  const deadline = performance.now() + a.timeoutMs
  const sentAt = performance.now()
  for (;;) {
    const now = performance.now()
    const whole = a.frame === 'none' ? bytesReceived >= sent.totalBytes : messages.length >= sent.sends
    if (whole || closed || (bytesReceived > 0 && now - Math.max(lastData, sentAt) >= TCP_REPLY_QUIET_MS) || now >= deadline) break
    await new Promise((r) => setTimeout(r, 10))
  }
  const info = await lab.invoke('net.tcpClient.close', { id })
  if (bytesReceived === 0) {
    throw new LabError('ERR_TIMEOUT', closed ? `${a.host}:${a.port} closed the connection without replying` : `no reply from ${a.host}:${a.port} within ${a.timeoutMs} ms`, {
      host: a.host,
      port: a.port,
      ms: a.timeoutMs,
    })
  }
  const reply = a.frame === 'none' ? texts.join('') : messages.join('\n')
  if (a.json) {
    io.out(
      JSON.stringify({
        ok: true,
        local: info.local,
        remote: info.remote,
        sends: sent.sends,
        bytesSent: info.bytesSent,
        bytesReceived,
        reply,
        replyHex: hexes.join(''),
        ...(a.frame === 'none' ? {} : { messages }),
        elapsedMs: performance.now() - started,
      }),
    )
  } else io.out(reply)
  return 0
}

async function sendUdp(lab: Lab, a: SendArgs, io: CliIo, owned: DisposableStore): Promise<number> {
  if (a.frame !== 'none') throw usageError('--frame is for TCP: every UDP datagram already arrives whole', { option: 'frame' })
  if (a.nodelay) throw usageError('--nodelay is for TCP (Nagle\'s algorithm); UDP sends each datagram at once', { option: 'nodelay' })
  if (a.json) owned.add(lab.onEvent((ev) => ev.topic === 'net.client' && io.out(eventLine(ev.payload))))
  const r = await lab.invoke('net.udp.send', {
    host: a.host,
    port: a.port,
    payload: a.message,
    hex: a.hex,
    encoding: a.encoding,
    repeat: a.repeat,
    gapMs: a.gapMs,
    waitReplyMs: a.timeoutMs,
    ...(a.broadcast ? { broadcast: true } : {}),
    ...(a.multicastInterface !== undefined ? { multicastInterface: a.multicastInterface } : {}),
    ...(a.multicastTtl !== undefined ? { multicastTtl: a.multicastTtl } : {}),
    ...(a.allInterfaces ? { allInterfaces: true } : {}),
  })
  if (r.replies.length === 0) {
    throw new LabError('ERR_TIMEOUT', `no reply datagram from ${a.host}:${a.port} within ${a.timeoutMs} ms (UDP cannot tell whether anyone listens)`, {
      host: a.host,
      port: a.port,
      ms: a.timeoutMs,
    })
  }
  if (a.json) io.out(JSON.stringify({ ok: true, cast: r.cast, local: r.local, remote: r.remote, sent: r.sent.length, replies: r.replies.length, payloadBytes: r.payloadBytes, elapsedMs: r.elapsedMs }))
  // Broadcast and multicast: several hosts may answer, each line says which.
  else if (r.cast && r.cast.kind !== 'unicast') for (const reply of r.replies) io.out(`${reply.from.address}:${reply.from.port}  ${reply.text}`)
  else for (const reply of r.replies) io.out(reply.text)
  return 0
}

export const sendCommand: Command = {
  name: 'send',
  summary: 'send a message over TCP or UDP and print the reply',
  help: `lab send tcp|udp HOST PORT MESSAGE... [--hex] [--encoding utf8|gbk] [--frame F]
                  [--repeat N] [--gap MS] [--nodelay] [--timeout MS] [--json]
                  [--broadcast] [--multicast-if ADDR] [--ttl N] [--all-interfaces]

Connects to HOST:PORT (TCP) or sends datagrams to it (UDP), sends MESSAGE (the words joined
by spaces), prints the reply and exits 0. On failure (refused, no reply in time, unknown
host, bad hex) prints the error code and a hint and exits 1 (2 for bad usage).

  --hex              MESSAGE is hex digits, two per byte ("48 69" or "48:69" or "4869")
  --encoding E       utf8 or gbk (default ${OPEN.encoding.default}): how MESSAGE is encoded and the reply decoded
  --frame F          TCP only: none, len32le (struct.pack('i', n)), len32be ('!I'), line
                     (newline; default ${OPEN.frame.default}): each send is one framed message, the reply
                     is read as framed messages, one per output line
  --repeat N         send it N times (${rangeOf(SEND.repeat)}, default ${SEND.repeat.default}); UDP: one datagram each
  --gap MS           wait MS milliseconds between repeats (${rangeOf(SEND.gapMs)}, default ${SEND.gapMs.default})
  --nodelay          TCP only: turn Nagle's algorithm off (TCP_NODELAY)
  --timeout MS       how long to wait for a connection and a reply (${rangeOf(OPEN.timeoutMs)}, default ${OPEN.timeoutMs.default})
  --json             one JSON object per line: every "sent"/"received"/"message" event with
                     its time, bytes and hex, then {"ok":true,"reply":...,"bytesSent":...}

UDP broadcast and multicast (every host of a network, or every member of a group, may answer:
the whole --timeout is waited and each reply line starts with its sender):
  --broadcast        set SO_BROADCAST: a send to a broadcast address (127.255.255.255 stays
                     on this machine) is refused by the OS without it (EACCES)
  --multicast-if A   a group address as HOST (224.0.0.0-239.255.255.255) leaves by interface A
                     (default ${DEFAULT_MULTICAST_INTERFACE}, loopback: only this machine's members hear it)
  --ttl N            multicast: routers it may cross (${rangeOf(UDP_SEND.multicastTtl)}, default ${UDP_SEND.multicastTtl.default})
  --all-interfaces   consent to broadcast or multicast beyond this machine

Examples:
  lab send tcp 127.0.0.1 8081 hello                 → HELLO
  lab send tcp 127.0.0.1 8081 你好 --encoding gbk   (sends c4e3bac3)
  lab send udp 127.0.0.1 8081 ping --repeat 3 --gap 100
  lab send udp 127.255.255.255 8081 hello --broadcast
  lab send udp 239.1.2.3 8081 hello                  (to lab serve udp --multicast 239.1.2.3)`,
  options: {
    timeout: { type: 'string' },
    hex: { type: 'boolean' },
    encoding: { type: 'string' },
    frame: { type: 'string' },
    repeat: { type: 'string' },
    gap: { type: 'string' },
    nodelay: { type: 'boolean' },
    broadcast: { type: 'boolean' },
    'multicast-if': { type: 'string' },
    ttl: { type: 'string' },
    'all-interfaces': { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    const { proto, args } = parse(positionals, values)
    // Bad hex or text the encoding cannot hold is a usage error: say so before connecting anywhere.
    payloadBytes(args.message, { hex: args.hex, encoding: args.encoding, maxBytes: Number.MAX_SAFE_INTEGER })
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    const owned = new DisposableStore()
    try {
      return proto === 'tcp' ? await sendTcp(lab, args, io, owned) : await sendUdp(lab, args, io, owned)
    } finally {
      await lab.close()
      owned.dispose()
    }
  },
}
