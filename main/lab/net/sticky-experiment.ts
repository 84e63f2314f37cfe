import dgram from 'node:dgram'
import net from 'node:net'
import {
  STICKY_HEX_BYTES,
  STICKY_KERNEL_SAMPLES,
  STICKY_MAX_READ_SPAN_MS,
  STICKY_MAX_SEND_SPAN_MS,
  netExperimentMethods,
  type StickyClose,
  type StickyDatagram,
  type StickyMessage,
  type StickyRecv,
  type StickyRunResult,
  type StickySend,
  type StickySettings,
  type StickyUdpResult,
} from '../../../shared/contract'
import { stickyPlan, type RunPlan } from '../../../shared/run-estimate'
import { fromNodeError, LabError, limitError } from '../errors'
import { abortableSleep, type RunHandle } from '../runs'
import { decodeText, encodeText } from './encoding'
import { encodeFrame, FrameDecoder } from './framing'
import { pauseUdpReceive, resumeUdpReceive } from './node-handles'
import { readTcpConnection, readUdpSocket } from './socket-table'
import { STICKY_CLOSE_WAIT_MS, STICKY_RUN_DEADLINE_MS, STICKY_UDP_WAIT_MS } from '../../../shared/budgets'

const HOST = '127.0.0.1'
/** The whole run (sends, reads, UDP half) must end within this, or it fails with ERR_TIMEOUT (shared/budgets.ts). */
const RUN_DEADLINE_MS = STICKY_RUN_DEADLINE_MS
/** After the last datagram, how long the UDP half waits for stragglers. */
const UDP_WAIT_MS = STICKY_UDP_WAIT_MS

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
const hex = (b: Buffer) => b.subarray(0, STICKY_HEX_BYTES).toString('hex')

export type StickyInput = Partial<Omit<StickySettings, 'messages'>> & { messages: string[] }

/** What an absent field means: its schema's default (the CLI's --help and the page's form read the same). */
const STICKY = netExperimentMethods['net.sticky.run'].input.shape

export function stickySettings(input: StickyInput): StickySettings {
  return {
    messages: input.messages,
    gapMs: input.gapMs ?? STICKY.gapMs.default,
    recvSize: input.recvSize ?? STICKY.recvSize.default,
    readDelayMs: input.readDelayMs ?? STICKY.readDelayMs.default,
    nodelay: input.nodelay ?? STICKY.nodelay.default,
    frame: input.frame ?? STICKY.frame.default,
    encoding: input.encoding ?? STICKY.encoding.default,
    udp: input.udp ?? STICKY.udp.default,
  }
}

/**
 * The sticky-packet experiment (粘包), on real sockets over loopback. A sender writes each message
 * with one `send()`; a receiver, like the course's server loop, sleeps `readDelayMs` and then calls
 * `recv(recvSize)`. While it sleeps, the sends pile up in the kernel's receive buffer, so one recv()
 * returns several of them merged; a recvSize smaller than a message splits it. Framing puts the
 * boundaries back. The UDP half sends the same messages as datagrams to a receiver that sleeps the
 * same way: they wait in the kernel, and each recvfrom() still gets exactly one.
 */
export async function runSticky(
  input: StickyInput,
  /** Opens the run as a cancellable one (main/lab/runs.ts); without it the run cannot be cancelled. */
  track?: (plan: RunPlan, work: (run: RunHandle) => Promise<StickyRunResult>) => Promise<StickyRunResult>,
): Promise<StickyRunResult> {
  const s = stickySettings(input)
  const payloads = s.messages.map((m) => encodeText(m, s.encoding))
  const wires = payloads.map((p) => encodeFrame(s.frame, p))
  const totalBytes = wires.reduce((n, w) => n + w.length, 0)
  if (s.gapMs * (s.messages.length - 1) > STICKY_MAX_SEND_SPAN_MS) {
    throw limitError('STICKY_MAX_SEND_SPAN_MS', s.gapMs * (s.messages.length - 1), `${s.messages.length} messages ${s.gapMs} ms apart take too long; lower the gap`, { use: 'asked', field: 'gapMs' })
  }
  // Worst case: every send read on its own, plus the splits recvSize forces.
  const reads = Math.ceil(totalBytes / s.recvSize) + s.messages.length
  if (s.readDelayMs * reads > STICKY_MAX_READ_SPAN_MS) {
    throw limitError('STICKY_MAX_READ_SPAN_MS', s.readDelayMs * reads, `up to ${reads} reads ${s.readDelayMs} ms apart take too long; lower the reader delay or raise recv size`, { use: 'asked', field: 'readDelayMs' })
  }
  // The UDP half's receiver sleeps before each of its recvfrom() calls too: one per message.
  if (s.udp && s.readDelayMs * s.messages.length > STICKY_MAX_READ_SPAN_MS) {
    throw limitError('STICKY_MAX_READ_SPAN_MS', s.readDelayMs * s.messages.length, `${s.messages.length} recvfrom() calls ${s.readDelayMs} ms apart take too long; lower the reader delay`, { use: 'asked', field: 'readDelayMs' })
  }
  const plan = stickyPlan({ ...s, messages: s.messages.length }, totalBytes)
  const body = async (run?: RunHandle): Promise<StickyRunResult> => {
    const startedAt = Date.now()
    const t0 = performance.now()
    const now = () => performance.now() - t0

    const tcp = await withDeadline(runTcp(s, payloads, wires, now, run), RUN_DEADLINE_MS, 'the sticky-packet run')
    // Units: the TCP half's bytes, then the UDP half's datagrams.
    const udpRun = run && { ...run, progress: (n: number) => run.progress(totalBytes + n) }
    const udp = s.udp && !run?.signal.aborted ? await withDeadline(runUdp(s, payloads, now, udpRun), RUN_DEADLINE_MS, 'the UDP half of the run') : null

    let merged = 0
    for (const r of tcp.recvs) if (r.sends.length > 1) merged++
    const split = tcp.sends.filter((send) => tcp.recvs.filter((r) => r.sends.includes(send.index)).length > 1).length
    const cancelled = run?.cancelled()
    const sent = tcp.sends.reduce((n, x) => n + x.bytes, 0)
    return { settings: s, startedAt, elapsedMs: now(), totalBytes: cancelled ? sent : totalBytes, sends: tcp.sends, recvs: tcp.recvs, messages: tcp.messages, merged, split, udp, close: tcp.close, ...(cancelled ? { cancelled } : {}) }
  }
  return track ? track(plan, body) : body()
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LabError('ERR_TIMEOUT', `${what} did not finish within ${ms / 1000} s`, { ms })), ms)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

async function runTcp(s: StickySettings, payloads: Buffer[], wires: Buffer[], now: () => number, run?: RunHandle): Promise<Pick<StickyRunResult, 'sends' | 'recvs' | 'messages' | 'close'>> {
  // pauseOnConnect: the receiver reads nothing until it calls recv(), so bytes wait in the kernel.
  const server = net.createServer({ pauseOnConnect: true })
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(fromNodeError(err, { host: HOST, port: 0 })))
    server.listen({ host: HOST, port: 0 }, () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  const sender = net.connect({ host: HOST, port })
  sender.setNoDelay(s.nodelay)
  // A late error (a reset while tearing down) must not become an uncaught exception.
  sender.on('error', () => {})
  let conn: net.Socket | null = null
  let result: Pick<StickyRunResult, 'sends' | 'recvs' | 'messages'>
  let senderPort: number | undefined
  try {
    const [receiver] = await Promise.all([
      accepted,
      new Promise<void>((resolve, reject) => {
        sender.once('connect', resolve)
        sender.once('error', (err) => reject(fromNodeError(err, { host: HOST, port })))
      }),
    ])
    conn = receiver
    senderPort = sender.localPort
    // The reader's socket in the kernel's table: local = the server's port, peer = the sender's.
    const kernel = () => readTcpConnection(port, senderPort!).then((q) => (q ? q.recvQueueBytes : null))
    const reading = receive(receiver, s, payloads, now, kernel, run)
    const sends = await send(sender, s, payloads, wires, now, run?.signal)
    const { recvs, messages } = await reading
    for (const r of recvs) {
      const end = r.offset + r.bytes
      r.sends = sends.filter((x) => x.offset < end && x.offset + x.bytes > r.offset).map((x) => x.index)
    }
    result = { sends, recvs, messages }
  } finally {
    sender.destroy()
    conn?.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { ...result, close: await closedState(senderPort, port) }
}

/** How long to look for the sender's TIME_WAIT after the close (it appears within a round trip on loopback). */
const CLOSE_WAIT_MS = STICKY_CLOSE_WAIT_MS

/**
 * Both ends are closed; the sender sent its FIN first. Poll the kernel (bounded) until the sender's
 * end is in TIME_WAIT and the receiver's end is gone, and report what it shows.
 */
async function closedState(senderPort: number | undefined, receiverPort: number): Promise<StickyClose | null> {
  if (!senderPort) return null
  const deadline = Date.now() + CLOSE_WAIT_MS
  for (;;) {
    const sender = await readTcpConnection(senderPort, receiverPort)
    if (sender === undefined) return null
    const receiver = await readTcpConnection(receiverPort, senderPort)
    const settled = sender?.state === 'TIME_WAIT' && !receiver
    if (settled || Date.now() > deadline) {
      return { closedFirst: 'sender', senderState: sender?.state ?? null, timerMs: sender?.timerMs ?? null, receiverState: receiver?.state ?? null, senderPort, receiverPort }
    }
    await sleep(10)
  }
}

async function send(sender: net.Socket, s: StickySettings, payloads: Buffer[], wires: Buffer[], now: () => number, signal?: AbortSignal): Promise<StickySend[]> {
  const sends: StickySend[] = []
  let offset = 0
  for (let i = 0; i < wires.length; i++) {
    if (i > 0 && s.gapMs > 0) await abortableSleep(s.gapMs, signal)
    // Cancelled: no more sends; the FIN below tells the reader the stream ends here.
    if (signal?.aborted) break
    const wire = wires[i]!
    sends.push({ index: i, offset, bytes: wire.length, payloadBytes: payloads[i]!.length, hex: hex(wire), text: s.messages[i]!, at: now() })
    offset += wire.length
    if (!sender.write(wire))
      await new Promise<void>((resolve) => {
        // A cancelled reader reads no more: the kernel buffers never drain, so the cancel ends the wait too.
        sender.once('drain', resolve)
        signal?.addEventListener('abort', () => resolve(), { once: true })
      })
  }
  sender.end()
  return sends
}

/** The course's server loop, slowed down: `time.sleep(delay); data = conn.recv(n)` until b''. */
async function receive(
  socket: net.Socket,
  s: StickySettings,
  payloads: Buffer[],
  now: () => number,
  kernelBytes: () => Promise<number | null | undefined>,
  run?: RunHandle,
): Promise<{ recvs: StickyRecv[]; messages: StickyMessage[] }> {
  const pending: Buffer[] = []
  let pendingBytes = 0
  let ended = false
  let failure: Error | null = null
  let wake: (() => void) | null = null
  socket.pause()
  socket.on('data', (chunk: Buffer) => {
    // Each 'data' is one read() from the kernel (or Node's own buffer in front of it).
    pending.push(chunk)
    pendingBytes += chunk.length
    wake?.()
  })
  socket.on('end', () => {
    ended = true
    wake?.()
  })
  socket.on('error', (err) => {
    failure = err
    wake?.()
  })
  // Cancelled: the reader stops at once, keeping the reads it made (a recv() blocked on an empty buffer wakes).
  const stop = () => wake?.()
  run?.signal.addEventListener('abort', stop, { once: true })
  const waitData = () =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = null
        resolve()
      }
    })

  const decoder = new FrameDecoder(s.frame)
  const recvs: StickyRecv[] = []
  const messages: StickyMessage[] = []
  let offset = 0
  for (;;) {
    if (run?.signal.aborted) break
    let inKernel: number | null = null
    if (s.readDelayMs > 0) {
      await abortableSleep(s.readDelayMs, run?.signal)
      if (run?.signal.aborted) break
      // While the reader slept, the bytes piled up in the kernel (the socket is paused: Node reads nothing).
      if (recvs.length < STICKY_KERNEL_SAMPLES) inKernel = (await kernelBytes()) ?? null
    }
    const buffered = pendingBytes
    if (pendingBytes < s.recvSize && !ended) {
      // recv(n): block until something is there, then take all that already sits in the buffers
      // (up to n). One turn of the event loop lets every read that is ready happen.
      socket.resume()
      if (pendingBytes === 0) await waitData()
      await tick()
      socket.pause()
      if (run?.signal.aborted) break
    }
    if (failure) throw fromNodeError(failure)
    if (pendingBytes === 0 && ended) break
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    const chunk = all.subarray(0, s.recvSize)
    const rest = all.subarray(chunk.length)
    pending.length = 0
    if (rest.length) pending.push(rest)
    pendingBytes = rest.length
    const at = now()
    recvs.push({ index: recvs.length, offset, bytes: chunk.length, hex: hex(chunk), text: decodeText(chunk, s.encoding), at, sends: [], kernelBytes: inKernel, bufferedBytes: buffered })
    offset += chunk.length
    run?.progress(offset)
    if (s.frame !== 'none') {
      for (const m of decoder.push(chunk)) {
        const index = messages.length
        messages.push({ index, bytes: m.length, hex: hex(m), text: decodeText(m, s.encoding), at, matches: payloads[index]?.equals(m) ?? false })
      }
    }
  }
  run?.signal.removeEventListener('abort', stop)
  return { recvs, messages }
}

/**
 * The UDP half, with the same slow receiver: `time.sleep(delay); data, addr = sock.recvfrom(n)`
 * until every datagram is in. Node's dgram reads as soon as a socket is bound; the receiver's
 * reading is stopped (node-handles: pauseUdpReceive) so datagrams wait in the kernel's receive
 * buffer while it sleeps, as they do for Python. Each recvfrom() restarts reading and stops it again
 * inside the first 'message': one call, one datagram.
 */
async function runUdp(s: StickySettings, payloads: Buffer[], now: () => number, run?: RunHandle): Promise<StickyUdpResult> {
  const receiver = dgram.createSocket('udp4')
  const sender = dgram.createSocket('udp4')
  sender.on('error', () => {})
  const datagrams: StickyDatagram[] = payloads.map((p, index) => ({
    index,
    bytes: p.length,
    received: 0,
    discarded: 0,
    hex: '',
    text: '',
    sentAt: 0,
    receivedAt: null,
    kernelBytes: null,
    waitingDatagrams: null,
    waitingBytes: null,
  }))
  let sent = 0
  let allSent = false
  let failure: Error | null = null
  try {
    await new Promise<void>((resolve, reject) => {
      receiver.once('error', reject)
      receiver.bind({ address: HOST, port: 0 }, () => resolve())
    })
    // Stopped before anything is sent: from here on a datagram leaves the kernel only in recvfrom().
    const slept = pauseUdpReceive(receiver)
    const port = receiver.address().port
    receiver.on('error', (err) => {
      failure = err
    })
    const reader = datagramReader(receiver, slept, () => allSent)
    const sending = (async () => {
      for (let i = 0; i < payloads.length; i++) {
        if (i > 0 && s.gapMs > 0) await abortableSleep(s.gapMs, run?.signal)
        if (run?.signal.aborted) break
        datagrams[i]!.sentAt = now()
        await new Promise<void>((resolve, reject) => sender.send(payloads[i]!, port, HOST, (err) => (err ? reject(fromNodeError(err, { host: HOST, port })) : resolve())))
        sent++
      }
      allSent = true
    })()
    sending.catch(() => {}) // awaited below; a failure there must not be unhandled meanwhile
    let received = 0
    while (received < datagrams.length && !run?.signal.aborted) {
      const d = datagrams[received]!
      if (slept && s.readDelayMs > 0) {
        await abortableSleep(s.readDelayMs, run?.signal)
        if (run?.signal.aborted) break
        if (received < STICKY_KERNEL_SAMPLES) {
          // Read right after the sleep, before recvfrom(): what the kernel holds for the receiver now.
          const waiting = sent - received
          const q = await readUdpSocket(port)
          if (q && q.recvQueueBytes !== null) {
            d.kernelBytes = q.recvQueueBytes
            d.waitingDatagrams = waiting
            d.waitingBytes = payloads.slice(received, received + waiting).reduce((n, p) => n + p.length, 0)
          }
        }
      }
      const msg = await reader.take()
      if (failure) throw fromNodeError(failure)
      if (!msg) break // nothing more arrived within UDP_WAIT_MS after the last send: the rest were lost
      // Datagrams arrive whole and in order over loopback: this one is the next unanswered one.
      // recvfrom(n) with a datagram larger than n returns n bytes and the kernel throws the rest away;
      // Node always hands over the whole datagram, so the lab cuts it to n and says so (`discarded`).
      const kept = msg.subarray(0, s.recvSize)
      d.received = kept.length
      d.discarded = msg.length - kept.length
      d.hex = hex(kept)
      d.text = decodeText(kept, s.encoding)
      d.receivedAt = now()
      received++
      run?.progress(received)
    }
    await sending
    return { datagrams, received, slept }
  } finally {
    sender.close()
    receiver.close()
  }
}

/**
 * The receiver's recvfrom(): `take()` waits for the next datagram and takes only it. With reading
 * paused, reading is restarted and stopped again inside the first 'message' (libuv then reads no
 * further datagram), so the others stay in the kernel. Without (`paused` false) Node reads each on
 * arrival and they wait here instead. `take()` resolves null once every datagram was sent and none
 * came within UDP_WAIT_MS.
 */
function datagramReader(receiver: dgram.Socket, paused: boolean, allSent: () => boolean): { take(): Promise<Buffer | null> } {
  const inbox: Buffer[] = []
  let wake: (() => void) | null = null
  receiver.on('message', (msg: Buffer) => {
    if (paused) pauseUdpReceive(receiver)
    inbox.push(msg)
    wake?.()
  })
  return {
    take: () =>
      new Promise<Buffer | null>((resolve) => {
        if (inbox.length > 0) {
          resolve(inbox.shift()!)
          return
        }
        let idleSince: number | null = null
        const timer = setInterval(() => {
          if (!allSent()) return
          idleSince ??= Date.now()
          if (Date.now() - idleSince >= UDP_WAIT_MS) finish()
        }, 50)
        const finish = () => {
          clearInterval(timer)
          wake = null
          resolve(inbox.shift() ?? null)
        }
        wake = finish
        if (paused) resumeUdpReceive(receiver)
      }),
  }
}
