import { ms, num, plural } from './reading'
import { diagram, h, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/** The rows a comparison can have (History's summary keys), with their names in both languages. */
const ROWS: { key: string; zh: string; en: string; starts?: { zh: string; en: string } }[] = [
  { key: 'serial', zh: '串行', en: 'serial' },
  { key: 'threading', zh: '多线程', en: 'threading', starts: { zh: '线程', en: 'thread' } },
  { key: 'forking', zh: '多进程', en: 'forking', starts: { zh: '子进程', en: 'child process' } },
  { key: 'async', zh: '异步', en: 'async' },
  { key: 'python-serial', zh: 'Python 的 TCPServer', en: 'Python’s TCPServer' },
  { key: 'python-threading', zh: 'Python 的 ThreadingTCPServer', en: 'Python’s ThreadingTCPServer' },
  { key: 'python-forking', zh: 'Python 的 ForkingTCPServer', en: 'Python’s ForkingTCPServer' },
]

/**
 * Reads the learner's comparison: what one client alone would take (messages × the handler's delay),
 * how long the serial server made the last client wait, and where each concurrent row's time above
 * that went — a thread or process started for the client (no spare ready, and what starting it took),
 * a full accept queue (SYNs dropped and retried after 1 s), or a busy machine (even async was slow).
 */
export function readCompare({ kind, summary }: RunFacts): Text[] {
  if (kind !== 'net.compare') return []
  const clients = num(summary.clients)
  const messages = num(summary.messages)
  const delay = num(summary.delayMs)
  if (clients === null || messages === null || delay === null) return []
  const alone = messages * delay
  const row = (k: string) => ({ total: num(summary[`${k}.totalMs`]), waitMax: num(summary[`${k}.waitMaxMs`]), retried: num(summary[`${k}.retried`]) ?? 0, ready: num(summary[`${k}.spareReady`]), start: num(summary[`${k}.startMs`]) })
  const out: Text[] = []
  if (alone > 0) {
    out.push(
      t(
        `你的 ${clients} 个客户端各发 ${messages} 条消息，每条处理 ${ms(delay)}：一个客户端单独被服务要 ${ms(alone)}。串行服务器的理想是 ${clients} × ${ms(alone)} = ${ms(clients * alone)}，并发服务器的理想是 ${ms(alone)}，再加上开始服务之前的等待。`,
        `Your ${clients} ${plural(clients, 'client', 'clients')} each sent ${messages} ${plural(messages, 'message', 'messages')}, each handled in ${ms(delay)}: one client served alone takes ${ms(alone)}. A serial server’s ideal is ${clients} × ${ms(alone)} = ${ms(clients * alone)}; a concurrent server’s is ${ms(alone)}, plus the wait before serving begins.`,
      ),
    )
  }
  const serial = row('serial')
  if (serial.total !== null && serial.waitMax !== null) {
    out.push(
      t(
        `串行：全部完成用了 ${ms(serial.total)}，等得最久的客户端等了 ${ms(serial.waitMax)} 才开始被服务——它排在 ${clients - 1} 个客户端后面，每个约 ${ms(alone)}。`,
        `Serial: done in ${ms(serial.total)}; the client that waited longest waited ${ms(serial.waitMax)} before it was served — it queued behind ${clients - 1} ${plural(clients - 1, 'client', 'clients')} of about ${ms(alone)} each.`,
      ),
    )
  }
  for (const r of ROWS.filter((x) => x.starts)) {
    const f = row(r.key)
    if (f.total === null || f.waitMax === null) continue
    const ready = f.ready ?? 0
    if (f.ready !== null && ready >= clients) {
      out.push(
        t(
          `${r.zh}：全部完成用了 ${ms(f.total)}，最长等待 ${ms(f.waitMax)}：每个客户端都拿到了一个准备好的备用${r.starts!.zh}，所以等待接近 0。`,
          `${r.en[0]!.toUpperCase()}${r.en.slice(1)}: done in ${ms(f.total)}, waiting at most ${ms(f.waitMax)}: every client found a spare ${r.starts!.en} ready, so the wait is near 0.`,
        ),
      )
      continue
    }
    const started = f.ready === null ? clients : clients - ready
    out.push(
      t(
        `${r.zh}：全部完成用了 ${ms(f.total)}，最长等待 ${ms(f.waitMax)}。${f.ready === null ? '' : `${clients} 个客户端里有 ${ready} 个拿到了准备好的备用${r.starts!.zh}，`}${started} 个要等一个${r.starts!.zh}为它启动${f.start === null ? '' : `（启动一个用了约 ${ms(f.start)}）`}：比 ${ms(alone)} 多出来的时间主要在这里。${r.key === 'threading' ? 'Python 开一个线程不到 1 ms，而一个 Node 的 Worker 线程要启动自己的 JavaScript 引擎' : 'Python 的 os.fork() 只要几毫秒，而一个 Node 子进程要装入整个 Node（Node 没有 os.fork()）'}；对比实验等服务器的备用都准备好了才让客户端连上来，但备用只有几个，其余的客户端要等一个为它启动。`,
        `${r.en[0]!.toUpperCase()}${r.en.slice(1)}: done in ${ms(f.total)}, waiting at most ${ms(f.waitMax)}. ${f.ready === null ? '' : `Of your ${clients} ${plural(clients, 'client', 'clients')}, ${ready} found a spare ${r.starts!.en} ready; `}${started} had to wait for a ${r.starts!.en} to start${f.start === null ? '' : ` (starting one took about ${ms(f.start)})`}: that is where most of the time above ${ms(alone)} went. ${r.key === 'threading' ? 'Python starts a thread in under a millisecond, while a Node Worker thread starts a JavaScript engine of its own' : 'Python’s os.fork() takes a few milliseconds, while a Node child loads all of Node (Node has no os.fork())'}; the comparison lets its clients connect only once the server’s spares are ready, but there are only a few spares: the other clients wait for one to start for them.`,
      ),
    )
  }
  for (const r of ROWS.filter((x) => x.key.startsWith('python-') && x.key !== 'python-serial')) {
    const f = row(r.key)
    if (f.total === null || f.waitMax === null) continue
    out.push(
      t(
        `${r.zh}：全部完成用了 ${ms(f.total)}，最长等待 ${ms(f.waitMax)}：${r.key === 'python-threading' ? '它在 accept() 之后才开线程，一个线程不到 1 ms' : '它在 accept() 之后才 os.fork()，一次几毫秒'}，所以它不需要备用。`,
        `${r.en}: done in ${ms(f.total)}, waiting at most ${ms(f.waitMax)}: it ${r.key === 'python-threading' ? 'starts its thread after accept(), in under a millisecond' : 'forks after accept(), in a few milliseconds'}, so it needs no spares.`,
      ),
    )
  }
  const async = row('async')
  if (async.total !== null && async.waitMax !== null) {
    out.push(
      t(
        `异步：全部完成用了 ${ms(async.total)}，最长等待 ${ms(async.waitMax)}：事件循环不用为客户端启动任何东西，这就是“等待接近 0，约 ${ms(alone)} 完成”的样子。`,
        `Async: done in ${ms(async.total)}, waiting at most ${ms(async.waitMax)}: the event loop starts nothing for a client — this is what “a wait near 0, done in about ${ms(alone)}” looks like.`,
      ),
    )
    if (alone > 0 && async.total > alone * 1.3) {
      out.push(
        t(
          `不过连异步也比 ${ms(alone)} 慢了不少：这台机器当时很忙，别的程序也在用 CPU。在同一次运行里比较各行，不要和理想值比。`,
          `Even async took well over ${ms(alone)}, though: the machine was busy, other programs were using the CPUs too. Compare the rows of one run with each other, not with the ideal.`,
        ),
      )
    }
  }
  const backlog = num(summary.requestQueueSize)
  for (const r of ROWS) {
    const n = row(r.key).retried
    if (n <= 0) continue
    out.push(
      t(
        `${r.zh}：${n} 个客户端的 connect() 用了 1 秒以上。内核的 accept 队列（长度 ${backlog ?? '?'}，即 request_queue_size）满了，它丢掉了这些客户端的 SYN，客户端的内核 1 秒后重发。把监听队列调大（例如 128），它们就不用重试。`,
        `${r.en[0]!.toUpperCase()}${r.en.slice(1)}: ${n} ${plural(n, 'client’s', 'clients’')} connect() took over a second. The kernel’s accept queue (backlog ${backlog ?? '?'}, socketserver’s request_queue_size) was full, so it dropped their SYN and the client’s kernel sent it again a second later. With a larger backlog (128, say) they need not retry.`,
      ),
    )
  }
  return out
}

const lesson: Lesson = {
  id: 'concurrent-server',
  title: t('为什么服务器必须支持并发', 'Why a server must be concurrent'),
  summary: t('串行服务器让每个客户端为前面所有人排队。', 'A serial server makes every client queue behind everyone before it.'),
  body: [
    p(
      '服务器要同时面对许多客户端。串行服务器在服务一个客户端时，其他客户端只能排队；如果某个客户端很慢——网络慢，或者用户在思考下一条消息——后面的所有人都被它拖住。',
      'A server faces many clients at once. While a serial server serves one client, the others queue; if one client is slow — a slow network, or a user thinking about the next message — everyone behind it is held up.',
    ),
    diagram('serial-queue', '串行：客户端排队，等待时间越来越长。并发：每个客户端立刻被服务。', 'Serial: clients queue and the waits grow. Concurrent: every client is served at once.'),
    p('并发服务器有几种做法，实验室都能真实运行：', 'There are several ways to build a concurrent server, and the lab runs each of them for real:'),
    list(
      t('每个连接一个线程（ThreadingTCPServer）；', 'a thread per connection (ThreadingTCPServer);'),
      t('每个连接一个进程（ForkingTCPServer）；', 'a process per connection (ForkingTCPServer);'),
      t('一个线程里的事件循环，同时看管所有连接（Node.js、Python 的 asyncio）。', 'an event loop in one thread watching every connection (Node.js, Python’s asyncio).'),
    ),
    p(
      '这和多道技术是同一个道理：服务一个客户端的大部分时间都在等网络 I/O，并发让这些等待重叠起来，于是每个客户端的等待时间只取决于它自己的请求，而不是前面排了多少人。',
      'It is the same idea as multiprogramming: serving a client is mostly waiting for network I/O, and concurrency overlaps those waits, so each client’s wait depends on its own requests rather than on how many came before it.',
    ),
    note(
      '对比实验中，K 个客户端各发 M 条消息，对每种服务器测量每个客户端的等待时间、吞吐量和延迟分位数，并画出谁在什么时候被服务。',
      'In the comparison, K clients each send M messages, and for each kind of server the lab measures each client’s waiting time, the throughput and latency percentiles, and draws who was served when.',
    ),
    h('实验室的模式要付的启动代价', 'The start-up the lab’s modes pay'),
    p(
      '实验室的多线程和多进程模式是真的线程和进程（第 7 课），但启动它们比 Python 贵得多：CPython 开一个线程不到 1 ms；一个 Node 的 Worker 线程要启动自己的 JavaScript 引擎，一个 Node 子进程要装入整个 Node（Node 没有 os.fork()）。所以实验室提前启动几个备用线程或进程；一个客户端来时如果有准备好的，它几乎不用等，如果没有，它就等一个为它启动。每个客户端等了多少、拿到的是不是备用，对比实验里都会列出来。',
      'The lab’s threading and forking modes are real threads and processes (lesson 7), but starting them costs far more than in Python: CPython starts a thread in under a millisecond, while a Node Worker thread starts a JavaScript engine of its own and a Node child loads all of Node (Node has no os.fork()). So the lab starts a few spare threads or processes ahead: a client that finds one ready hardly waits, and one that does not waits for one to start for it. The comparison lists how long each client waited and whether it got a spare.',
    ),
    p(
      '在开发这个实验室的双核机器上（几乎空闲，负载约 2），用这个对比实验、按下面第三个按钮的设置（4 个客户端 × 5 条消息 × 50 ms，并排运行 Python 自己的服务器），两轮测得：',
      'On the two-core machine this lab is developed on (nearly idle, load average about 2), this comparison with the settings of the third button below (4 clients × 5 messages × 50 ms, Python’s own servers beside the lab’s) measured, over two rounds:',
    ),
    list(
      t('Python 的 ThreadingTCPServer：255 ms 全部完成，客户端最多等了 1.7–1.8 ms；ForkingTCPServer：259–261 ms，最多等了 5.4–6.0 ms。', 'Python’s ThreadingTCPServer: done in 255 ms, clients waited at most 1.7–1.8 ms; ForkingTCPServer: 259–261 ms, waited at most 5.4–6.0 ms.'),
      t('实验室的异步模式：256 ms，等了不到 1 ms——没有东西要启动。', 'The lab’s async mode: 256 ms, waiting under 1 ms — nothing to start.'),
      t('实验室的多线程模式：284–286 ms。对比实验等备用线程准备好才开始，每一轮 4 个客户端里有 2 个拿到了准备好的备用线程（几乎不用等），另外 2 个要等一个线程为它启动，最多等了 29–31 ms（启动一个线程约 23–26 ms）。', 'The lab’s threading mode: 284–286 ms. The comparison waits for the spare threads to be ready, and in each round 2 of the 4 clients found one ready (hardly a wait); the other 2 waited for a thread to start for them, at most 29–31 ms (starting one took about 23–26 ms).'),
      t('实验室的多进程模式：319–325 ms；4 个客户端里有 1 个拿到了准备好的备用子进程，其余的各等一个子进程启动（约 38–42 ms，最多等了 47–60 ms）。', 'The lab’s forking mode: 319–325 ms; 1 of the 4 clients found a spare child ready, the others each waited for a child to start (about 38–42 ms; they waited at most 47–60 ms).'),
      t('备用已经准备好时（服务器空闲几秒后一次来一个客户端）：等线程 0.00–0.01 ms，等子进程 0.03–0.19 ms。同一台机器上 Python 开一个线程并等它结束 0.09 ms，用 os.fork() 创建一个子进程并等它退出 1.3 ms。', 'When a spare is ready (one client at a time on a server idle for a few seconds): the wait for a thread was 0.00–0.01 ms, for a child 0.03–0.19 ms. On the same machine Python started and joined a thread in 0.09 ms and forked a child and waited for its exit in 1.3 ms.'),
    ),
    p(
      '所以“等待接近 0，约 250 ms 完成”说的是 Python 的并发服务器和实验室的异步模式；实验室的多线程、多进程模式要再加上线程或进程的启动：空闲的机器上几十毫秒，在忙碌的机器上可能是几百毫秒到一两秒。你自己的数字在运行之后显示在下面。',
      'So “a wait near 0, done in about 250 ms” is what Python’s concurrent servers and the lab’s async mode do; the lab’s threading and forking modes add the start of a thread or process: tens of milliseconds on an idle machine, and on a busy one hundreds of milliseconds to a second or two. Your own figures appear below after you run it.',
    ),
    h('监听队列（backlog）', 'The listen backlog'),
    p(
      'socketserver 用 listen(5) 监听（request_queue_size = 5）：内核最多替服务器排 5 个还没被 accept() 的连接。一下子来的连接更多、服务器又来不及 accept 时，内核就丢掉多出来的 SYN，客户端的内核 1 秒后重发。同一台机器上，32 个客户端同时连 ThreadingTCPServer：backlog 5 时有 23–25 个重试，全部完成要 1.9 s；backlog 128 时没有一个重试，35–42 ms 完成。实验室的多线程模式在 backlog 5 时每轮也有 26 个重试；在 backlog 128 时没有重试，但要 465–588 ms：32 个客户端里 30 个要等一个线程为它启动，30 个线程一起在两个 CPU 上启动，每个要 270–320 ms。最后两个按钮就是这个实验。',
      'socketserver listens with listen(5) (request_queue_size = 5): the kernel queues at most 5 connections the server has not accept()ed yet. When more come at once and the server cannot accept them fast enough, the kernel drops the extra SYNs and the client’s kernel sends them again a second later. On the same machine, 32 clients connecting at once to ThreadingTCPServer: with backlog 5, 23–25 of them retried and everything took 1.9 s; with backlog 128 none retried and it took 35–42 ms. The lab’s threading mode had 26 retries in every round at backlog 5; at 128 none, but it took 465–588 ms: 30 of the 32 clients waited for a thread to start, and with 30 starting at once on two CPUs each took 270–320 ms. The last two buttons run this experiment.',
    ),
  ],
  prediction: {
    question: t(
      '4 个客户端同时连上，每个发 5 条消息，服务器处理每条消息要 50 ms。对串行服务器来说，排在最后的客户端大约要等多久才开始被服务？',
      'Four clients connect at once and each sends 5 messages; the server takes 50 ms per message. With a serial server, about how long does the last client wait before it is served?',
    ),
    choices: [
      { id: 'none', text: t('几乎不用等', 'Hardly at all') },
      { id: 'queue', text: t('约 750 ms：等前 3 个客户端各 5 × 50 ms', 'About 750 ms: it waits for 3 clients of 5 × 50 ms each') },
      { id: 'refused', text: t('它的连接被拒绝', 'Its connection is refused') },
    ],
    correct: 'queue',
    explanation: t(
      '串行服务器依次服务：每个客户端占用约 5 × 50 = 250 ms，排第 4 的要等前 3 个，约 750 ms。Python 的 ThreadingTCPServer 同时服务 4 个客户端，等待只是开一个线程的时间（不到 1 ms），全部完成约 250 ms（实测 265–283 ms）；实验室的异步模式也一样。实验室的多线程和多进程模式还要等一个 Node 线程或进程启动，除非备用已经准备好：对比实验里只有前一两个客户端拿到备用，其余的要等几百毫秒（多进程一秒多），所以总用时比 250 ms 长得多（见上面的实测和下面你自己的数字）。',
      'The serial server serves them in turn: each client takes about 5 × 50 = 250 ms, so the fourth waits for three, about 750 ms. Python’s ThreadingTCPServer serves all four at once: the wait is only starting a thread (under a millisecond), and everything is done in about 250 ms (measured: 265–283 ms); so is the lab’s async mode. The lab’s threading and forking modes also wait for a Node thread or process to start unless a spare is ready — in the comparison only the first one or two clients find one, the others wait hundreds of milliseconds (over a second for a process), so their totals are well above 250 ms (see the figures above, and your own below).',
    ),
    watch: t('看每个客户端的等待时间和时间线：串行时一段接一段，多线程时并排。', 'Look at each client’s waiting time and the timeline: one after another when serial, side by side with threads.'),
    keys: ['serial.waitMaxMs', 'threading.waitMaxMs', 'threading.totalMs', 'async.totalMs', 'python-threading.totalMs'],
  },
  tryIt: [
    { label: t('对比串行和多线程服务器', 'Compare serial and threading servers'), preset: { experiment: 'network/compare', settings: { clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading'], autoRun: true } } },
    { label: t('对比全部四种服务器', 'Compare all four servers'), preset: { experiment: 'network/compare', settings: { clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading', 'forking', 'async'], autoRun: true } } },
    { label: t('和 Python 自己的服务器并排对比', 'Compare beside Python’s own servers'), preset: { experiment: 'network/compare', settings: { clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading', 'forking', 'async'], python: true, autoRun: true } } },
    { label: t('32 个客户端同时连，backlog 5', '32 clients at once, backlog 5'), preset: { experiment: 'network/compare', settings: { clients: 32, messages: 20, handler: 'upper', modes: ['threading'], requestQueueSize: 5, python: true, autoRun: true } } },
    { label: t('32 个客户端同时连，backlog 128', '32 clients at once, backlog 128'), preset: { experiment: 'network/compare', settings: { clients: 32, messages: 20, handler: 'upper', modes: ['threading'], requestQueueSize: 128, python: true, autoRun: true } } },
  ],
  python: ['tcp_server_serial', 'tcp_server_threading'],
  historyKinds: ['net.compare'],
  reading: readCompare,
}

export default lesson
