import dgram from 'node:dgram'
import net from 'node:net'
import { fromNodeError, LabError } from '../errors'
import { applyHandler, type HandlerName } from './handlers'
import { LOAD_REPLY_TIMEOUT_MS } from '../../../shared/budgets'
import { DEFAULT_HANDLER } from '../../../shared/contract'

/**
 * A closed-loop load client: K clients, each sending M requests of B bytes one after another,
 * the next only after the reply to the previous one arrived (as the course's client loop does).
 * Every reply is checked against what the handler should answer, so a server that mixes up
 * connections or loses bytes shows as `wrong`, not as speed. Used by `lab bench`, the
 * serial-vs-concurrent comparison and the benchmarks, against the lab's servers or any other.
 */
export interface LoadOptions {
  proto: 'tcp' | 'udp'
  host: string
  port: number
  clients: number
  messages: number
  bytes: number
  /** What the server should answer (default 'upper', the course's). `delay:<ms>` answers upper-cased. */
  expect?: HandlerName
  /** How long one reply may take before the client gives up (TCP: fails; UDP: counts it lost). */
  replyTimeoutMs?: number
  /** Record every exchange's start and end (for a timeline). */
  timeline?: boolean
  /** Called after every completed round trip with the total so far. */
  onProgress?: (done: number) => void
  /** Aborted (run.cancel): every client stops, closes its socket and keeps what it finished. */
  signal?: AbortSignal
}

export interface LoadClientResult {
  client: number
  /** The client's own port once connected (0 before): how a server's events name this client. */
  localPort: number
  /** ms since the run's start (performance clock). */
  connectAt: number
  /** TCP: when the handshake completed (a SYN dropped by a full accept queue is retried after 1 s). */
  connectedAt: number | null
  firstReplyAt: number | null
  doneAt: number | null
  messages: number
  wrong: number
  lost: number
  p50Ms: number
  p99Ms: number
  error: LabError | null
}

export interface LoadResult {
  proto: 'tcp' | 'udp'
  clients: number
  messagesPerClient: number
  bytes: number
  /** From the first connect to the last reply, ms. */
  totalMs: number
  /** Completed round trips (answered, right or wrong). */
  messages: number
  wrong: number
  /** UDP only: requests whose reply never came within replyTimeoutMs. */
  lost: number
  failedClients: number
  msgsPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  perClient: LoadClientResult[]
  /** When `timeline`: [client, seq, start, end] per exchange, ms since the run's start. */
  exchanges: { client: number; seq: number; start: number; end: number }[]
}

/** Sorted-array percentile (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

const FILLER = Buffer.from('abcdefghijklmnopqrstuvwxyz')

/** The request a client sends: its id and sequence number, padded with lower-case letters. */
export function makeRequest(client: number, seq: number, bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes)
  for (let i = 0; i < bytes; i++) out[i] = FILLER[(i + client + seq) % FILLER.length]!
  const tag = Buffer.from(`c${client}m${seq}|`)
  tag.copy(out, 0, 0, Math.min(tag.length, bytes))
  return out
}

interface ClientRun {
  index: number
  latencies: Float64Array
  count: number
  result: LoadClientResult
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const expect = opts.expect ?? DEFAULT_HANDLER
  const replyTimeoutMs = opts.replyTimeoutMs ?? LOAD_REPLY_TIMEOUT_MS
  const t0 = performance.now()
  let done = 0
  const exchanges: LoadResult['exchanges'] = []
  const record = (client: number, seq: number, start: number, end: number) => {
    done++
    if (opts.timeline) exchanges.push({ client, seq, start: start - t0, end: end - t0 })
    opts.onProgress?.(done)
  }
  const runs: ClientRun[] = Array.from({ length: opts.clients }, (_, index) => ({
    index,
    latencies: new Float64Array(opts.messages),
    count: 0,
    result: { client: index, localPort: 0, connectAt: 0, connectedAt: null, firstReplyAt: null, doneAt: null, messages: 0, wrong: 0, lost: 0, p50Ms: 0, p99Ms: 0, error: null },
  }))
  const one = opts.proto === 'tcp' ? tcpClient : udpClient
  await Promise.all(runs.map((run) => one(run, opts, expect, replyTimeoutMs, t0, record)))
  const totalMs = performance.now() - t0

  let total = 0
  for (const r of runs) total += r.count
  const all = new Float64Array(total)
  let at = 0
  let wrong = 0
  let lost = 0
  let failed = 0
  for (const r of runs) {
    const mine = r.latencies.subarray(0, r.count).sort()
    all.set(mine, at)
    at += r.count
    r.result.messages = r.count
    r.result.p50Ms = percentile(mine, 50)
    r.result.p99Ms = percentile(mine, 99)
    wrong += r.result.wrong
    lost += r.result.lost
    if (r.result.error) failed++
  }
  all.sort()
  return {
    proto: opts.proto,
    clients: opts.clients,
    messagesPerClient: opts.messages,
    bytes: opts.bytes,
    totalMs,
    messages: total,
    wrong,
    lost,
    failedClients: failed,
    msgsPerSec: totalMs > 0 ? (total / totalMs) * 1000 : 0,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    maxMs: all.length ? all[all.length - 1]! : 0,
    perClient: runs.map((r) => r.result),
    exchanges: opts.timeline ? exchanges.sort((a, b) => a.start - b.start) : exchanges,
  }
}

type RecordFn = (client: number, seq: number, start: number, end: number) => void

function tcpClient(run: ClientRun, opts: LoadOptions, expect: HandlerName, replyTimeoutMs: number, t0: number, record: RecordFn): Promise<void> {
  const { host, port, bytes, messages } = opts
  const res = run.result
  return new Promise<void>((resolve) => {
    res.connectAt = performance.now() - t0
    const socket = net.connect({ host, port })
    socket.setNoDelay(true)
    let seq = 0
    let want: Buffer = Buffer.alloc(0)
    let got: Buffer[] = []
    let gotBytes = 0
    let sentAt = 0
    let finished = false
    let timer: NodeJS.Timeout | null = null

    const finish = (err: LabError | null) => {
      if (finished) return
      finished = true
      if (timer) clearTimeout(timer)
      opts.signal?.removeEventListener('abort', cancel)
      res.error = err
      if (err) socket.destroy()
      else socket.end()
      resolve()
    }
    const cancel = () => finish(new LabError('ERR_CANCELLED', `client ${run.index}: the run was cancelled after ${seq} replies`))
    if (opts.signal?.aborted) queueMicrotask(cancel)
    opts.signal?.addEventListener('abort', cancel, { once: true })
    const armTimer = () => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(
        () => finish(new LabError('ERR_TIMEOUT', `client ${run.index}: no reply to message ${seq + 1} within ${replyTimeoutMs} ms`, { ms: replyTimeoutMs })),
        replyTimeoutMs,
      )
    }
    const sendNext = () => {
      const request = makeRequest(run.index, seq, bytes)
      want = applyHandler(expect, request)
      sentAt = performance.now()
      socket.write(request)
      armTimer()
    }
    socket.once('connect', () => {
      res.connectedAt = performance.now() - t0
      res.localPort = socket.localPort ?? 0
      sendNext()
    })
    socket.on('data', (chunk: Buffer) => {
      got.push(chunk)
      gotBytes += chunk.length
      while (gotBytes >= bytes && !finished) {
        const all = got.length === 1 ? got[0]! : Buffer.concat(got, gotBytes)
        const reply = all.subarray(0, bytes)
        const rest = all.subarray(bytes)
        got = rest.length ? [rest] : []
        gotBytes = rest.length
        const now = performance.now()
        if (res.firstReplyAt === null) res.firstReplyAt = now - t0
        if (!reply.equals(want)) res.wrong++
        run.latencies[run.count++] = now - sentAt
        record(run.index, seq, sentAt, now)
        seq++
        if (seq >= messages) {
          res.doneAt = now - t0
          finish(null)
          return
        }
        sendNext()
      }
    })
    socket.on('error', (err) => finish(fromNodeError(err, { host, port })))
    socket.on('close', () => {
      if (!finished) finish(new LabError('ERR_CONNECTION_RESET', `client ${run.index}: the server closed the connection after ${seq} replies`, { host, port }))
    })
  })
}

function udpClient(run: ClientRun, opts: LoadOptions, expect: HandlerName, replyTimeoutMs: number, t0: number, record: RecordFn): Promise<void> {
  const { host, port, bytes, messages } = opts
  const res = run.result
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4')
  return new Promise<void>((resolve) => {
    res.connectAt = performance.now() - t0
    let seq = 0
    let want: Buffer = Buffer.alloc(0)
    let sentAt = 0
    let finished = false
    let timer: NodeJS.Timeout | null = null
    let hadLoss = false

    const cancel = () => finish(new LabError('ERR_CANCELLED', `client ${run.index}: the run was cancelled after ${seq} replies`))
    const finish = (err: LabError | null) => {
      if (finished) return
      finished = true
      if (timer) clearTimeout(timer)
      opts.signal?.removeEventListener('abort', cancel)
      res.error = err
      socket.close()
      resolve()
    }
    if (opts.signal?.aborted) queueMicrotask(cancel)
    opts.signal?.addEventListener('abort', cancel, { once: true })
    const advance = () => {
      seq++
      if (seq >= messages) {
        res.doneAt = performance.now() - t0
        finish(null)
      } else sendNext()
    }
    const sendNext = () => {
      const request = makeRequest(run.index, seq, bytes)
      want = applyHandler(expect, request)
      sentAt = performance.now()
      socket.send(request)
      if (timer) clearTimeout(timer)
      // UDP may drop a datagram: count it lost and go on, as a real client with a timeout would.
      timer = setTimeout(() => {
        res.lost++
        hadLoss = true
        advance()
      }, replyTimeoutMs)
    }
    socket.on('message', (reply) => {
      if (finished) return
      if (!reply.equals(want)) {
        // After a loss, a late reply to an earlier request may still come: skip it.
        if (hadLoss) return
        res.wrong++
      }
      const now = performance.now()
      if (timer) clearTimeout(timer)
      if (res.firstReplyAt === null) res.firstReplyAt = now - t0
      run.latencies[run.count++] = now - sentAt
      record(run.index, seq, sentAt, now)
      advance()
    })
    socket.on('error', (err) => finish(fromNodeError(err, { host, port })))
    // A connected UDP socket only takes datagrams from the server, and learns of ICMP "port unreachable".
    socket.connect(port, host, () => {
      if (finished) return
      res.localPort = socket.address().port
      sendNext()
    })
  })
}
