import {
  COMPARE_DEFAULTS,
  COMPARE_MAX_TIMELINE,
  COMPARE_MODES,
  type CompareExchange,
  type CompareMode,
  type CompareModeResult,
  type CompareRunResult,
  DEFAULT_REQUEST_QUEUE_SIZE,
  PYTHON_COMPARE_CLASSES,
  type PythonCompareMode,
  type ServeStartup,
  type ServedBy,
  type ServerEvent,
  type RunCancelled,
  type RunStep,
} from '../../../shared/contract'
import { limitError } from '../errors'
import { COMPARE_MAX_SERIAL_SPAN_MS } from '../../../shared/budgets'
import { parseHandler } from './handlers'
import { runLoad } from './load-client'
import { comparePython, startPythonCompareServer } from './python-compare-server'
import { TcpServer, type TcpServerOptions } from './tcp-server'
import { LOAD_REPLY_TIMEOUT_MS } from '../../../shared/budgets'

export interface CompareInput {
  clients?: number
  messages?: number
  bytes?: number
  handler?: string
  modes?: CompareMode[]
  requestQueueSize?: number
  python?: boolean
}

/** One row of the comparison: a mode on the lab's server, or on Python's socketserver. */
interface Row {
  mode: CompareMode
  server: 'lab' | 'python'
}

/**
 * Serial vs concurrent: for each mode, a lab TCP server in that mode (the same `TcpServer` that
 * `net.tcpServer.start` runs) on 127.0.0.1:0, and K closed-loop clients each doing M round trips.
 * A slow handler (`delay:20`) makes the waiting visible: in serial mode the k-th client is answered
 * only after the k−1 before it have finished.
 */
export async function runCompare(
  input: CompareInput,
  deps: {
    workersDir: string
    runId: string
    /** Round trips finished over every row, and the row running (run.progress, main/lab/runs.ts). */
    progress: (done: number, step: RunStep) => void
    /** Told the rows once the Python probe said which exist (the run's total and estimate follow them). */
    replan?: (pythonModes: readonly CompareMode[]) => void
    /** run.cancel: the mode in progress stops, the modes finished before it are returned (main/lab/runs.ts). */
    signal?: AbortSignal
    cancelled?: () => RunCancelled | undefined
  },
): Promise<CompareRunResult> {
  const settings = {
    clients: input.clients ?? COMPARE_DEFAULTS.clients,
    messages: input.messages ?? COMPARE_DEFAULTS.messages,
    bytes: input.bytes ?? COMPARE_DEFAULTS.bytes,
    handler: input.handler ?? COMPARE_DEFAULTS.handler,
    modes: [...new Set(input.modes ?? [...COMPARE_MODES])],
    requestQueueSize: input.requestQueueSize ?? DEFAULT_REQUEST_QUEUE_SIZE,
    python: input.python ?? false,
  }
  const plan = parseHandler(settings.handler)
  const serialSpan = settings.clients * settings.messages * plan.delayMs
  if (settings.modes.includes('serial') && serialSpan > COMPARE_MAX_SERIAL_SPAN_MS) {
    throw limitError('COMPARE_MAX_SERIAL_SPAN_MS', serialSpan, `serial mode would need about ${Math.round(serialSpan / 1000)} s (${settings.clients} × ${settings.messages} × ${plan.delayMs} ms); lower clients, messages or the delay`, {
      use: 'asked',
      field: 'clients',
    })
  }
  const { runId, progress } = deps
  // Python rows: each mode socketserver has, right after the lab's, so the machine's load hits both alike.
  const python = settings.python ? await pythonRows(settings.modes) : null
  const rows: Row[] = settings.modes.flatMap((mode): Row[] => [{ mode, server: 'lab' }, ...(python?.modes.includes(mode as PythonCompareMode) ? [{ mode, server: 'python' as const }] : [])])
  const perMode = settings.clients * settings.messages
  const startedAt = Date.now()
  const t0 = performance.now()
  if (python) deps.replan?.(python.modes)
  const stepOf = (modeIndex: number, mode: CompareMode, server: Row['server']): RunStep => ({ index: modeIndex, count: rows.length, mode, server })

  const results: CompareModeResult[] = []
  for (const [modeIndex, { mode, server: whose }] of rows.entries()) {
    if (deps.signal?.aborted) break
    const step = stepOf(modeIndex, mode, whose)
    progress(modeIndex * perMode, step)
    if (whose === 'python') {
      const row = await runPythonRow(mode as PythonCompareMode, settings, plan.delayMs, serialSpan, deps.signal, (done) => progress(modeIndex * perMode + done, step))
      // Cancelled mid-row: only finished rows are kept.
      if (deps.signal?.aborted) break
      results.push(row)
      continue
    }
    const options: TcpServerOptions = { host: '127.0.0.1', port: 0, handler: settings.handler, workersDir: deps.workersDir, mode, requestQueueSize: settings.requestQueueSize }
    // Its events are not forwarded (thousands of recv/send lines would bury the learner's own log);
    // only what says who served which client is kept, keyed by the client's port.
    const seen = new Map<number, { servedBy: ServedBy; at: number; queuedMs: number | null; startup: ServeStartup | null }>()
    const portOf = new Map<number, number>()
    const server = new TcpServer(`compare-${runId}-${mode}`, options, (e: ServerEvent) => {
      if (e.event === 'connection') {
        portOf.set(e.conn, e.remote.port)
        seen.set(e.remote.port, { servedBy: { ...e.servedBy }, at: e.at, queuedMs: seen.get(e.remote.port)?.queuedMs ?? null, startup: e.startup ? { ...e.startup } : null })
      } else if (e.event === 'served') {
        const p = portOf.get(e.conn)
        const entry = p === undefined ? undefined : seen.get(p)
        if (entry) entry.queuedMs = e.waitedMs
      }
    })
    try {
      const info = await server.listen()
      // Threading/forking: the clients come once the server's spares are ready (a Python server is
      // ready when it listens); each client's start-up figures then say honestly which found a spare.
      await Promise.race([server.sparesWarm(), untilAborted(deps.signal)])
      const epoch0 = Date.now()
      const load = await runLoad({
        proto: 'tcp',
        host: '127.0.0.1',
        port: info.port,
        clients: settings.clients,
        messages: settings.messages,
        bytes: settings.bytes,
        expect: plan.name,
        replyTimeoutMs: Math.max(LOAD_REPLY_TIMEOUT_MS, serialSpan * 2),
        timeline: true,
        signal: deps.signal,
        // Throttled by the run registry (one event per 100 ms at most, a new row at once).
        onProgress: (done) => progress(modeIndex * perMode + done, step),
      })
      // Cancelled mid-mode: its figures would describe a part of a run; only finished modes are kept.
      if (deps.signal?.aborted) break
      const clients = load.perClient.map((c) => {
        const s = seen.get(c.localPort)
        const connectMs = c.connectedAt === null ? null : round(c.connectedAt - c.connectAt)
        const serverWaitMs = mode === 'serial' ? (s?.queuedMs ?? 0) : mode === 'async' ? 0 : (s?.startup?.waitedMs ?? null)
        return {
          client: c.client,
          connectAt: round(c.connectAt),
          firstReplyAt: c.firstReplyAt === null ? null : round(c.firstReplyAt),
          waitMs: connectMs === null ? null : round(connectMs + (serverWaitMs ?? 0)),
          connectMs,
          serverWaitMs,
          firstReplyMs: c.firstReplyAt === null ? null : round(c.firstReplyAt - c.connectAt),
          serviceMs: c.firstReplyAt === null || c.doneAt === null ? null : round(c.doneAt - c.firstReplyAt),
          retried: connectMs !== null && connectMs >= RETRIED_CONNECT_MS,
          startup: s?.startup ?? null,
          doneAt: c.doneAt === null ? null : round(c.doneAt),
          messages: c.messages,
          wrong: c.wrong,
          p50Ms: round(c.p50Ms),
          p99Ms: round(c.p99Ms),
          error: c.error ? `${c.error.code}: ${c.error.message}` : null,
          servedBy: s?.servedBy ?? null,
          announcedAt: s ? s.at - epoch0 : null,
          queuedMs: s?.queuedMs ?? null,
        }
      })
      results.push({ ...modeFigures(load, clients, settings.requestQueueSize), mode, server: 'lab', port: info.port })
    } finally {
      await server.close()
    }
  }
  const cancelled = deps.cancelled?.()
  return {
    runId,
    settings,
    ...(python ? { python: { version: python.version, skipped: python.skipped } } : {}),
    startedAt,
    elapsedMs: round(performance.now() - t0),
    modes: results,
    ...(cancelled ? { cancelled } : {}),
  }
}

/** Resolves when the run is cancelled; never without a signal. */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    signal?.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** Which modes Python can run here, and why the others are left out (said on screen). */
async function pythonRows(modes: CompareMode[]): Promise<{ version: string | null; modes: PythonCompareMode[]; skipped: string[] }> {
  const found = await comparePython()
  const wanted = modes.filter((m): m is PythonCompareMode => m in PYTHON_COMPARE_CLASSES)
  const skipped: string[] = []
  if (modes.includes('async')) skipped.push('async: socketserver has no event-loop server')
  if (!found) return { version: null, modes: [], skipped: [...skipped, 'python3 was not found: no Python rows'] }
  const can = wanted.filter((m) => m !== 'forking' || process.platform !== 'win32')
  if (can.length < wanted.length) skipped.push('forking: Windows has no os.fork, so no ForkingTCPServer')
  return { version: found.version, modes: can, skipped }
}

/** The same clients against Python's socketserver class for `mode`: same handler, same backlog. */
async function runPythonRow(
  mode: PythonCompareMode,
  settings: { clients: number; messages: number; bytes: number; handler: string; requestQueueSize: number },
  delayMs: number,
  serialSpan: number,
  signal: AbortSignal | undefined,
  onDone: (done: number) => void,
): Promise<CompareModeResult> {
  const server = await startPythonCompareServer(mode, settings.requestQueueSize, settings.handler)
  try {
    const load = await runLoad({
      proto: 'tcp',
      host: '127.0.0.1',
      port: server.port,
      clients: settings.clients,
      messages: settings.messages,
      bytes: settings.bytes,
      expect: parseHandler(settings.handler).name,
      replyTimeoutMs: Math.max(30_000, serialSpan * 2),
      timeline: true,
      signal,
      // Throttled by the run registry, as the lab's rows are.
      onProgress: onDone,
    })
    const clients = load.perClient.map((c) => {
      const connectMs = c.connectedAt === null ? null : round(c.connectedAt - c.connectAt)
      const firstReplyMs = c.firstReplyAt === null ? null : round(c.firstReplyAt - c.connectAt)
      // Python does not say when it served a client: what the first reply took beyond the connect and one handler run was waiting.
      const serverWaitMs = firstReplyMs === null || connectMs === null ? null : round(Math.max(0, firstReplyMs - connectMs - delayMs))
      return {
        client: c.client,
        connectAt: round(c.connectAt),
        firstReplyAt: c.firstReplyAt === null ? null : round(c.firstReplyAt),
        waitMs: connectMs === null ? null : round(connectMs + (serverWaitMs ?? 0)),
        connectMs,
        serverWaitMs,
        firstReplyMs,
        serviceMs: c.firstReplyAt === null || c.doneAt === null ? null : round(c.doneAt - c.firstReplyAt),
        retried: connectMs !== null && connectMs >= RETRIED_CONNECT_MS,
        startup: null,
        doneAt: c.doneAt === null ? null : round(c.doneAt),
        messages: c.messages,
        wrong: c.wrong,
        p50Ms: round(c.p50Ms),
        p99Ms: round(c.p99Ms),
        error: c.error ? `${c.error.code}: ${c.error.message}` : null,
        servedBy: null,
        announcedAt: null,
        queuedMs: null,
        waitDerived: true,
      }
    })
    return { ...modeFigures(load, clients, settings.requestQueueSize), mode, server: 'python', pythonClass: PYTHON_COMPARE_CLASSES[mode], port: server.port }
  } finally {
    await server.stop()
  }
}

/** The figures every row has, from the load client's result and the per-client parts. */
function modeFigures(load: Awaited<ReturnType<typeof runLoad>>, clients: CompareModeResult['clients'], requestQueueSize: number) {
  let timeline: CompareExchange[] = load.exchanges.map((e) => ({ client: e.client, seq: e.seq, start: round(e.start), end: round(e.end) }))
  const sampled = timeline.length > COMPARE_MAX_TIMELINE
  if (sampled) {
    const step = Math.ceil(timeline.length / COMPARE_MAX_TIMELINE)
    timeline = timeline.filter((_, i) => i % step === 0)
  }
  return {
    totalMs: round(load.totalMs),
    msgsPerSec: round(load.msgsPerSec),
    p50Ms: round(load.p50Ms),
    p99Ms: round(load.p99Ms),
    maxMs: round(load.maxMs),
    messages: load.messages,
    wrong: load.wrong,
    failed: load.failedClients,
    clients,
    requestQueueSize,
    retried: clients.filter((c) => c.retried).length,
    firstReply: spread(clients.map((c) => c.firstReplyMs)),
    wait: spread(clients.map((c) => c.waitMs)),
    timeline,
    timelineSampled: sampled,
  }
}

/** A connect that took this long had its SYN dropped (full accept queue) and retried: Linux retries after 1 s. */
const RETRIED_CONNECT_MS = 1_000

function spread(values: (number | null)[]): { p50: number; p99: number; max: number } {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b)
  if (v.length === 0) return { p50: 0, p99: 0, max: 0 }
  const at = (p: number) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)]!
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(v[v.length - 1]!) }
}

/** Microsecond precision is plenty for a chart, and keeps the result small. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
