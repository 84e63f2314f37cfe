import { diagram, list, note, p, t, type Lesson } from './types'

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
      '串行服务器依次服务：每个客户端占用约 5 × 50 = 250 ms，排第 4 的要等前 3 个，约 750 ms。多线程服务器同时服务 4 个客户端，等待只是开一个线程的时间，全部完成约 250 ms 再加上这段启动时间。实验室的多线程模式为每个连接启动一个真正的工作线程，多进程模式启动一个子进程，启动要花几毫秒到几十毫秒，在忙碌的机器上更久；所以实测的等待不是 0，总用时也会比 250 ms 长一些。',
      'The serial server serves them in turn: each client takes about 5 × 50 = 250 ms, so the fourth waits for three, about 750 ms. The threading server serves all four at once: the wait is only the time to start a thread, and everything is done in about 250 ms plus that start-up. The lab’s threading mode starts a real worker thread per connection and its forking mode a child process, which takes milliseconds to tens of milliseconds, longer on a busy machine; so the measured wait is not 0 and the total is somewhat above 250 ms.',
    ),
    watch: t('看每个客户端的等待时间和时间线：串行时一段接一段，多线程时并排。', 'Look at each client’s waiting time and the timeline: one after another when serial, side by side with threads.'),
    keys: ['serial.p99Ms', 'threading.p99Ms', 'serial.msgsPerSec', 'threading.msgsPerSec'],
  },
  tryIt: [
    { label: t('对比串行和多线程服务器', 'Compare serial and threading servers'), preset: { experiment: 'network/compare', settings: { clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading'], autoRun: true } } },
    { label: t('对比全部四种服务器', 'Compare all four servers'), preset: { experiment: 'network/compare', settings: { clients: 4, messages: 5, handler: 'delay:50', modes: ['serial', 'threading', 'forking', 'async'], autoRun: true } } },
  ],
  python: ['tcp_server_serial', 'tcp_server_threading'],
  historyKinds: ['net.compare'],
}

export default lesson
