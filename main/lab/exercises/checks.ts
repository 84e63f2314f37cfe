import dgram from 'node:dgram'
import net from 'node:net'
import path from 'node:path'
import type { CheckStep, ExerciseId, Said } from '../../../shared/contract'
import type { FoundPython } from '../python/find-python'
import { connect, exchange, freePort, sleep, startPeer, until, type Peer } from './run-peer'

const said = (zh: string, en: string): Said => ({ zh, en })
const show = (s: string | null) => (s === null ? null : JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s))

/** What a check hands back: its steps, and the program's stderr (its traceback). */
export interface CheckOutcome {
  steps: CheckStep[]
  stderr: string[]
}

interface Ctx {
  python: FoundPython
  file: string
  /** Peers started by this check: all stopped when it ends. */
  peers: Peer[]
}

const start = (c: Ctx, args: string[]) => {
  const peer = startPeer(c.python, c.file, args, path.dirname(c.file))
  c.peers.push(peer)
  return peer
}

const exitedWhy = (peer: Peer): Said => {
  const last = peer.stderr.at(-1) ?? ''
  return said(`程序已经退出${last ? `：${last}` : ''}。`, `the program has exited${last ? `: ${last}` : ''}.`)
}

/** Starts a TCP server program on a free port and waits until it accepts connections. */
async function startTcpServer(c: Ctx, steps: CheckStep[]): Promise<{ peer: Peer; port: number } | null> {
  const port = await freePort('tcp')
  const peer = start(c, [String(port)])
  let probe: net.Socket | null = null
  const up = await until(async () => {
    if (peer.exited()) return true
    probe = await connect(port, 300)
    return probe !== null
  }, 10_000, 100)
  ;(probe as net.Socket | null)?.destroy()
  const ok = up && !peer.exited()
  steps.push({
    title: said(`启动 python3 ${path.basename(c.file)} ${port}，等它在 127.0.0.1:${port} 上接受连接`, `start python3 ${path.basename(c.file)} ${port} and wait until it accepts connections on 127.0.0.1:${port}`),
    sent: null,
    got: null,
    ok,
    why: ok ? null : peer.exited() ? exitedWhy(peer) : said('10 秒内没有接受连接：它是否在 127.0.0.1 上监听第一个参数给出的端口？', 'it did not accept a connection within 10 s: does it listen on 127.0.0.1 at the port given as its first argument?'),
  })
  return ok ? { peer, port } : null
}

async function helloStep(port: number, steps: CheckStep[], title: Said, text = 'hello'): Promise<net.Socket | null> {
  const s = await connect(port)
  if (!s) {
    steps.push({ title, sent: show(text), got: null, ok: false, why: said('连接被拒绝：服务器已经不在了。', 'the connection was refused: the server is gone.') })
    return null
  }
  const got = await exchange(s, text, text.length)
  const ok = got === text.toUpperCase()
  steps.push({
    title,
    sent: show(text),
    got: show(got),
    ok,
    why: ok ? null : got === '' ? said('3 秒内没有任何回复。', 'no reply within 3 s.') : said(`期望收到 ${show(text.toUpperCase())}。`, `expected ${show(text.toUpperCase())}.`),
  })
  return s
}

/** (a) hello → HELLO; a client that resets while the server is inside sendall(); the next client still served. */
async function upperServer(c: Ctx): Promise<CheckStep[]> {
  const steps: CheckStep[] = []
  const srv = await startTcpServer(c, steps)
  if (!srv) return steps
  const first = await helloStep(srv.port, steps, said('发送 "hello"，期望收到 "HELLO"', 'send "hello", expect "HELLO"'))
  first?.end()
  if (!steps.at(-1)!.ok) return steps

  // Send far more than the server's buffers hold, never read: its sendall() of the replies blocks.
  const bulk = await connect(srv.port)
  if (bulk) {
    bulk.pause()
    bulk.write(Buffer.alloc(16 * 1024 * 1024, 0x61))
    let last = -1
    let still = 0
    // The write stalls (bytes stay queued) once the server no longer reads: it is inside sendall().
    await until(() => {
      const queued = bulk.writableLength
      still = queued > 0 && queued === last ? still + 1 : 0
      last = queued
      return still >= 4 || srv.peer.exited()
    }, 10_000, 50)
    bulk.resetAndDestroy()
  }
  steps.push({
    title: said('一个客户端发送 16 MiB 却从不读取回复，等服务器卡在 sendall() 里，然后重置连接（RST）', 'a client sends 16 MiB and never reads the replies; once the server is stuck inside sendall(), it resets the connection (RST)'),
    // Said in symbols, the same in both languages: the bytes sent, then the reset.
    sent: '"aaaa…" × 16 MiB + RST',
    got: null,
    ok: true,
    why: null,
  })
  await until(() => srv.peer.exited(), 500)
  const next = await helloStep(srv.port, steps, said('下一个客户端发送 "hello"，期望仍然收到 "HELLO"', 'the next client sends "hello" and still expects "HELLO"'))
  next?.end()
  const last = steps.at(-1)!
  if (!last.ok && srv.peer.exited()) {
    last.why = said(
      `服务器在重置之后退出了${srv.peer.stderr.some((l) => /ConnectionResetError|BrokenPipeError/.test(l)) ? '（ConnectionResetError）' : ''}：sendall() 在 try 外面。让 try 包住整个通信循环（第 6 课）。`,
      `the server exited after the reset${srv.peer.stderr.some((l) => /ConnectionResetError|BrokenPipeError/.test(l)) ? ' (ConnectionResetError)' : ''}: sendall() is outside the try. Wrap the whole communication loop in it (lesson 6).`,
    )
  }
  return steps
}

/** (b) A stays connected; B must still be answered. */
async function twoClients(c: Ctx): Promise<CheckStep[]> {
  const steps: CheckStep[] = []
  const srv = await startTcpServer(c, steps)
  if (!srv) return steps
  const a = await helloStep(srv.port, steps, said('客户端 A 发送 "hello"，期望 "HELLO"，然后保持连接', 'client A sends "hello", expects "HELLO", and stays connected'))
  if (!a || !steps.at(-1)!.ok) return steps
  const b = await helloStep(srv.port, steps, said('A 还连着，客户端 B 发送 "world"，期望 "WORLD"', 'with A still connected, client B sends "world" and expects "WORLD"'), 'world')
  const last = steps.at(-1)!
  if (!last.ok && last.got === null) last.why = said('B 连不上。', 'B could not connect.')
  else if (!last.ok && last.got === '""') {
    last.why = said('A 连着的时候 B 得不到回复：服务器一次只服务一个连接（像 TCPServer）。换成每个连接一个线程（ThreadingTCPServer）。', 'B got no answer while A was connected: the server serves one connection at a time (like TCPServer). Serve each connection in its own thread (ThreadingTCPServer).')
  }
  a.end()
  b?.end()
  return steps
}

const frame = (text: string) => {
  const body = Buffer.from(text, 'utf8')
  const header = Buffer.alloc(4)
  header.writeInt32LE(body.length)
  return Buffer.concat([header, body])
}

/** Runs the learner's client against a server that does `serve` with the one connection it gets. */
async function withServer(c: Ctx, serve: (s: net.Socket) => Promise<void>): Promise<Peer> {
  const server = net.createServer((s) => {
    s.on('error', () => {})
    void serve(s)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as net.AddressInfo).port
  const peer = start(c, [String(port)])
  await Promise.race([peer.exit, sleep(6_000)])
  server.close()
  return peer
}

/** (c) a sticky burst with a split header; then a 2 GB length that must be refused. */
async function framedClient(c: Ctx): Promise<CheckStep[]> {
  const steps: CheckStep[] = []
  const messages = ['hello', 'world', 'sticky', 'packets']
  const peer = await withServer(c, async (s) => {
    const all = Buffer.concat(messages.map(frame))
    const cut = all.length - frame('packets').length + 2
    s.write(all.subarray(0, cut)) // three whole frames and half of the fourth's header, in one send
    await sleep(100)
    s.end(all.subarray(cut))
  })
  const printed = peer.stdout
  const ok = peer.exited() && printed.join('\n') === messages.join('\n')
  steps.push({
    title: said('服务器一次 send() 发出 3 条分帧消息和第 4 条报头的前 2 个字节，100 ms 后发出其余部分；期望每条消息各打印一行', 'the server sends 3 framed messages and the first 2 bytes of the 4th header in one send(), the rest 100 ms later; each message is expected on its own line'),
    sent: show(messages.join(' | ')),
    got: show(printed.join(' | ')),
    ok,
    why: ok
      ? null
      : !peer.exited()
        ? said('6 秒后程序还没结束：服务器关闭连接后它应当退出。', 'the program had not finished after 6 s: it should exit once the server closes.')
        : printed.length < messages.length
          ? said('消息粘在一起或被拆开了：先用 recv_exactly 读满 4 字节的报头，再读满正文（第 10 课）。', 'messages stuck together or split: read exactly 4 header bytes with recv_exactly, then exactly the body (lesson 10).')
          : said(`期望的输出是 ${show(messages.join(' | '))}。`, `the output should be ${show(messages.join(' | '))}.`),
  })
  if (!ok) return steps

  const huge = 2_147_483_647
  const refused = await withServer(c, async (s) => {
    const header = Buffer.alloc(4)
    header.writeInt32LE(huge)
    s.write(Buffer.concat([frame('ok'), header, Buffer.from('not two gigabytes')]))
    // Keep the connection open: a client that trusts the length would wait here for ever.
    await sleep(6_500)
    s.destroy()
  })
  const said1 = refused.stdout.join(' | ')
  const exit = refused.exited() ? await refused.exit : null
  const ok2 = refused.exited() && refused.stdout.includes(`bad length ${huge}`) && exit?.code !== 0
  steps.push({
    title: said(`服务器发来一个长度为 ${huge}（约 2 GB）的报头；期望打印 "bad length ${huge}" 并以非 0 退出码退出`, `the server sends a header announcing ${huge} bytes (about 2 GB); expected: print "bad length ${huge}" and exit with a non-zero code`),
    sent: show(`len=${huge}`),
    got: show(`${said1}${exit ? ` · exit(${exit.code ?? exit.signal})` : ''}`),
    ok: ok2,
    why: ok2
      ? null
      : !refused.exited()
        ? said('程序一直在等那 2 GB：用长度之前先检查它（小于 0 或大于 1 MiB 就拒绝）。', 'the program kept waiting for the 2 GB: check the length before using it (refuse below 0 or above 1 MiB).')
        : said('它退出了，但没有打印 "bad length N"，或者退出码是 0。', 'it exited, but did not print "bad length N", or its exit code was 0.'),
  })
  return steps
}

/** (d) three datagrams from one socket, answered upper-cased and in order. */
async function udpServer(c: Ctx): Promise<CheckStep[]> {
  const steps: CheckStep[] = []
  const port = await freePort('udp')
  const peer = start(c, [String(port)])
  const sock = dgram.createSocket('udp4')
  const replies: string[] = []
  sock.on('message', (m) => replies.push(m.toString('utf8')))
  sock.on('error', () => {})
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
  const words = ['one', 'two', 'three']
  // A UDP server cannot be probed like a TCP one: send "ping"s until the first answer (or the program ends).
  const up = await until(async () => {
    if (peer.exited()) return true
    sock.send('ping', port, '127.0.0.1')
    await sleep(150)
    return replies.length > 0
  }, 10_000, 0)
  replies.length = 0
  if (!up || peer.exited()) {
    steps.push({ title: said(`启动 python3 ${path.basename(c.file)} ${port}`, `start python3 ${path.basename(c.file)} ${port}`), sent: show('ping'), got: null, ok: false, why: peer.exited() ? exitedWhy(peer) : said('10 秒内没有回答 "ping"。', 'no answer to "ping" within 10 s.') })
    sock.close()
    return steps
  }
  for (const w of words) {
    sock.send(w, port, '127.0.0.1')
    await until(() => replies.length >= words.indexOf(w) + 1, 2_000)
  }
  sock.close()
  const want = words.map((w) => w.toUpperCase())
  const ok = replies.join(',') === want.join(',')
  steps.push({
    title: said('从同一个套接字发送 3 个数据报 "one"、"two"、"three"；期望按顺序收到 "ONE"、"TWO"、"THREE"', 'send 3 datagrams "one", "two", "three" from one socket; expect "ONE", "TWO", "THREE" back in order'),
    sent: show(words.join(' | ')),
    got: show(replies.join(' | ')),
    ok,
    why: ok ? null : replies.length < 3 ? said(`只收到 ${replies.length} 个回复。`, `only ${replies.length} ${replies.length === 1 ? 'reply' : 'replies'} came back.`) : said('回复不是大写，或者顺序不对。', 'the replies were not upper-cased, or not in order.'),
  })
  return steps
}

/** (e) the counter must come out exact, twice. */
async function threadLock(c: Ctx): Promise<CheckStep[]> {
  const steps: CheckStep[] = []
  for (const round of [1, 2]) {
    const peer = start(c, [])
    const ended = await Promise.race([peer.exit.then(() => true), sleep(25_000).then(() => false)])
    const line = peer.stdout.find((l) => /expected \d+, got \d+/.test(l)) ?? null
    const m = line ? /expected (\d+), got (\d+)/.exec(line) : null
    const ok = ended && m !== null && m[1] === m[2]
    steps.push({
      title: said(`第 ${round} 次运行 python3 ${path.basename(c.file)}，期望 "expected 8000, got 8000"`, `run ${round} of python3 ${path.basename(c.file)}, expecting "expected 8000, got 8000"`),
      sent: null,
      got: show(line ?? peer.stdout.at(-1) ?? ''),
      ok,
      why: ok
        ? null
        : !ended
          ? said('25 秒内没有结束。', 'it did not finish within 25 s.')
          : m
            ? said(`丢失了 ${Number(m[1]) - Number(m[2])} 次更新：让“读—暂停—写”在同一把 Lock 下完成（with lock:）。`, `${Number(m[1]) - Number(m[2])} updates were lost: do the read, the pause and the write under one Lock (with lock:).`)
            : said('没有打印 "expected N, got M"。', 'it did not print "expected N, got M".'),
    })
    if (!ok) break
  }
  return steps
}

const CHECKS: Record<ExerciseId, (c: Ctx) => Promise<CheckStep[]>> = {
  'upper-server': upperServer,
  'two-clients': twoClients,
  'framed-client': framedClient,
  'udp-server': udpServer,
  'thread-lock': threadLock,
}

/** Runs one exercise's check on the learner's file; every program it started is stopped before it returns. */
export async function runCheck(id: ExerciseId, python: FoundPython, file: string): Promise<CheckOutcome> {
  const c: Ctx = { python, file, peers: [] }
  try {
    const steps = await CHECKS[id](c)
    return { steps, stderr: c.peers.flatMap((p) => p.stderr).slice(-12) }
  } finally {
    await Promise.all(c.peers.map((p) => p.stop()))
  }
}
