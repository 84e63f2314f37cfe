import { DEFAULT_HOST, methodSpecs } from '../../../shared/contract'
import { BENCH_DEFAULTS, BENCH_OPTIONS } from '../../../shared/bench-limits'
import { LabError } from '../../lab/errors'
import { runLoad, type LoadResult } from '../../lab/net/load-client'
import { JSON_OPTION, type Command } from '../command'
import { intOption, rangeOf, usageError } from '../io'

function summary(r: LoadResult): Record<string, unknown> {
  return {
    ok: r.wrong === 0 && r.failedClients === 0,
    proto: r.proto,
    clients: r.clients,
    messages: r.messagesPerClient,
    bytes: r.bytes,
    completed: r.messages,
    msgsPerSec: Math.round(r.msgsPerSec),
    p50Ms: Number(r.p50Ms.toFixed(3)),
    p99Ms: Number(r.p99Ms.toFixed(3)),
    maxMs: Number(r.maxMs.toFixed(3)),
    totalMs: Number(r.totalMs.toFixed(1)),
    wrong: r.wrong,
    lost: r.lost,
    failedClients: r.failedClients,
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'closed-loop load against an upper-casing echo server',
  help: `lab bench tcp|udp --port P [--host H] [--clients K] [--messages M] [--bytes B]
                [--timeout MS] [--json]

Runs K clients at once against HOST:PORT; each sends M requests of B bytes, one after
another, the next only when the reply to the previous one came back (a closed loop).
Works against any upper-casing echo server (the lab's \`lab serve\`, the course's Python
server, …): every reply must be the request upper-cased, or it counts as wrong.
Prints messages per second and the latency percentiles; exits 1 when a reply was wrong
or a client failed.

  --host H        server address (default ${DEFAULT_HOST})
  --port P        server port (required)
  --clients K     clients at once (default ${BENCH_DEFAULTS.clients}, ${rangeOf(BENCH_OPTIONS.clients)})
  --messages M    round trips per client (default ${BENCH_DEFAULTS.messages}, ${rangeOf(BENCH_OPTIONS.messages)})
  --bytes B       bytes per request (default ${BENCH_DEFAULTS.bytes}, ${rangeOf(BENCH_OPTIONS.bytes)})
  --timeout MS    how long one reply may take (default ${BENCH_DEFAULTS.replyTimeoutMs}, ${rangeOf(BENCH_OPTIONS.replyTimeoutMs)}); UDP: after it the
                  request counts as lost and the client goes on
  --json          one JSON object: {"ok":…,"msgsPerSec":…,"p50Ms":…,"p99Ms":…,"wrong":…}`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    clients: { type: 'string' },
    messages: { type: 'string' },
    bytes: { type: 'string' },
    timeout: { type: 'string' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    const proto = positionals[0]
    if (proto !== 'tcp' && proto !== 'udp') throw usageError(`lab bench takes "tcp" or "udp", got ${JSON.stringify(proto ?? '')}`, { option: 'proto' })
    if (positionals.length > 1) throw usageError(`unexpected ${JSON.stringify(positionals[1])}; lab bench takes options only after the protocol`)
    const port = intOption(values.port as string | undefined, 'port', methodSpecs['net.tcpClient.open'].input.shape.port)
    if (port === undefined) throw usageError('lab bench needs --port P (the server to load)', { option: 'port' })
    const host = (values.host as string | undefined) ?? DEFAULT_HOST
    const clients = intOption(values.clients as string | undefined, 'clients', BENCH_OPTIONS.clients) ?? BENCH_DEFAULTS.clients
    const messages = intOption(values.messages as string | undefined, 'messages', BENCH_OPTIONS.messages) ?? BENCH_DEFAULTS.messages
    const bytes = intOption(values.bytes as string | undefined, 'bytes', BENCH_OPTIONS.bytes) ?? BENCH_DEFAULTS.bytes
    const replyTimeoutMs = intOption(values.timeout as string | undefined, 'timeout', BENCH_OPTIONS.replyTimeoutMs) ?? BENCH_DEFAULTS.replyTimeoutMs
    const r = await runLoad({ proto, host, port, clients, messages, bytes, replyTimeoutMs })
    const failures = r.perClient.filter((c) => c.error)
    if (failures.length === r.clients) throw failures[0]!.error ?? new LabError('ERR_INTERNAL', 'every client failed')
    if (values.json === true) io.out(JSON.stringify(summary(r)))
    else {
      io.out(`${proto} bench against ${host}:${port}: ${clients} clients × ${messages} round trips × ${bytes} bytes`)
      io.out(`  messages/s  ${Math.round(r.msgsPerSec)}`)
      io.out(`  p50         ${r.p50Ms.toFixed(3)} ms`)
      io.out(`  p99         ${r.p99Ms.toFixed(3)} ms`)
      io.out(`  completed   ${r.messages} in ${(r.totalMs / 1000).toFixed(2)} s`)
      io.out(`  wrong       ${r.wrong}`)
      if (proto === 'udp') io.out(`  lost        ${r.lost}`)
      for (const c of failures) io.err(`client ${c.client} failed: ${c.error!.code}: ${c.error!.message}`)
    }
    return r.wrong === 0 && failures.length === 0 ? 0 : 1
  },
}
