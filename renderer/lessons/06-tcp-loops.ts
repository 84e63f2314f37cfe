import { errorMeaning, num, plural } from './reading'
import { code, diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/**
 * Reads the serial server the try-it started, as it is now: how many connections it serves and
 * how many wait, and what the kernel shows for the waiting ones (the socket evidence below it).
 */
export function readServingLoop({ kind, summary, error }: RunFacts): Text[] {
  if (kind === 'error' && error) {
    const meaning = errorMeaning(error)
    if (error.code !== 'ERR_PORT_IN_USE') return meaning
    return [
      t('串行服务器没能启动：多半是第 2 课的服务器还在 8081 上监听。在网络视图里停掉它，或者换一个端口，再试一次。', 'The serial server could not start: most likely lesson 2’s server still listens on 8081. Stop it in the Network view, or choose another port, and try again.'),
      ...meaning,
    ]
  }
  if (kind !== 'net.server') return []
  if (summary.state !== 'listening') {
    return [t('这个服务器已经停止了。按“试一试”再启动一个。', 'This server has stopped. Press the try-it to start another.')]
  }
  const serving = num(summary.serving) ?? 0
  const waiting = num(summary.waiting) ?? 0
  if (summary.mode !== 'serial') {
    return [
      t(
        `这个服务器是${summary.mode === 'threading' ? '多线程' : summary.mode === 'forking' ? '多进程' : '异步'}模式：每个连接都马上有人服务，所以 B 会立即收到回复。预测问的是串行服务器（试一试按钮启动的就是它）。`,
        `This server runs in ${String(summary.mode)} mode: every connection is served at once, so B gets its reply straight away. The prediction is about the serial server (the one the try-it starts).`,
      ),
    ]
  }
  if (serving + waiting === 0) {
    return [t('你的串行服务器在监听，还没有客户端。在网络视图里连上两个客户端，用第二个发送 “hi”。', 'Your serial server is listening, with no client yet. In the Network view connect two clients and send “hi” from the second.')]
  }
  if (waiting === 0) {
    return [t(`它正在服务 ${serving} 个连接。再连上一个客户端并发送 “hi”：它会等。`, `It is serving ${serving} ${plural(serving, 'connection', 'connections')}. Connect one more client and send “hi”: it will wait.`)]
  }
  return [
    t(
      `${serving} 个连接在服务中，${waiting} 个在等：串行服务器还在第一个客户端的通信循环里，不会回到 accept()。等着的客户端的 connect() 照样成功了——内核完成了握手，只是没有人读它发来的数据。它在哪里等？Python 的服务器里在内核的 accept 队列里；实验室的服务器（Node）已经 accept 了它，放在实验室自己的队列里（见下面内核看到的：LISTEN 的 Recv-Q 是 0，它的连接是 ESTABLISHED，发来的字节在内核接收缓冲区里没人读）。第一个客户端断开后，它才变成“服务中”并收到回复。`,
      `${serving} ${plural(serving, 'connection is', 'connections are')} being served and ${waiting} ${plural(waiting, 'waits', 'wait')}: the serial server is still inside the first client’s communication loop and does not get back to accept(). The waiting client’s connect() succeeded all the same — the kernel completed the handshake — but nobody reads what it sent. Where does it wait? Under Python’s server, in the kernel’s accept queue; under the lab’s server (Node) it is already accepted and waits in the lab’s own queue (see what the kernel shows below: the LISTEN row’s Recv-Q is 0, its connection is ESTABLISHED, and the bytes it sent sit unread in its kernel receive buffer). Only when the first client leaves does it become “serving” and get its reply.`,
    ),
  ]
}

const lesson: Lesson = {
  id: 'tcp-loops',
  title: t('TCP 服务器的两个循环', 'The two loops of a TCP server'),
  summary: t('链接循环接受连接，通信循环服务一个连接。', 'The accept loop takes connections; the communication loop serves one.'),
  body: [
    p('一个 TCP 服务端程序至少要做到三点：', 'A TCP server program must do at least three things:'),
    list(
      t('绑定一个固定的 IP 和端口，客户端才知道去哪里找它；', 'bind to a fixed IP address and port, so clients know where to find it;'),
      t('一直对外提供服务，稳定运行；', 'keep serving, steadily, for as long as it runs;'),
      t('能够支持并发，同时服务多个客户端（第 8 课）。', 'serve several clients at the same time — be concurrent (lesson 8).'),
    ),
    p('它的核心是两个嵌套的循环：', 'Its core is two nested loops:'),
    list(
      t(
        '链接循环（即连接循环，accept 循环）：accept() 从内核的等待队列里取出一个已经建立好的连接，返回一个新的连接套接字和客户端地址。监听套接字只负责接受连接，从不传输数据。',
        'The accept loop: accept() takes one established connection from the kernel’s queue and returns a new connected socket and the client’s address. The listening socket only accepts connections; it never carries data.',
      ),
      t(
        '通信循环：在这个连接套接字上反复 recv() 和 send()，直到客户端关闭连接（recv 返回空字节串 b\'\'）或连接出错，然后关闭它，回到链接循环。',
        'The communication loop: recv() and send() on that connected socket, again and again, until the client closes (recv returns the empty bytes b\'\') or the connection fails; then close it and go back to the accept loop.',
      ),
    ),
    diagram('two-loops', '外层循环每次接受一个连接，内层循环在这个连接上收发，直到它结束。', 'The outer loop accepts one connection at a time; the inner loop talks on it until it ends.'),
    code(`while True:                          # accept loop
    conn, client_address = server.accept()
    try:
        while True:                  # communication loop
            data = conn.recv(1024)
            if not data:             # b'': the client closed
                break
            conn.sendall(data.upper())
    except ConnectionError:          # a reset in recv() OR in sendall()
        pass
    conn.close()`),
    p(
      '只有这两个循环的服务器，一次只能服务一个客户端：通信循环没结束，程序就回不到 accept()。这时其他客户端的连接请求已经由内核完成并放在队列里（listen(5) 的参数就是这个队列的长度），所以它们的 connect() 会成功，但没有人读取它们发来的数据。',
      'A server with just these two loops serves one client at a time: until the communication loop ends, the program never gets back to accept(). Meanwhile other clients’ connections have been completed by the kernel and wait in its queue (the argument of listen(5) is that queue’s length), so their connect() succeeds — but nobody reads what they send.',
    ),
    note(
      '实验室的串行服务器在这里和 Python 不同：Node 只要事件循环在转就会 accept()，而实验室的服务器运行在引擎的事件循环上，这个循环不能停。所以等待的客户端不在内核的 accept 队列里，而是已经被 accept、放在实验室自己的队列里（已建立连接，但没人读）。服务器面板的套接字表把两处都列出来：LISTEN 行的 Recv-Q 是内核 accept 队列，“等待的连接在哪里”一栏是实验室的队列。Node 的监听线程真的被阻塞时（测试里用一个卡在 Atomics.wait 的 Worker 线程），连接就会像 Python 那样留在内核队列里。',
      'Here the lab’s serial server differs from Python’s: Node calls accept() whenever its event loop runs, and the lab’s server lives on the engine’s loop, which cannot stop. So a waiting client is not in the kernel’s accept queue: it is already accepted and held in the lab’s own queue (connected, but not read). The server panel’s socket table shows both places: the LISTEN row’s Recv-Q is the kernel’s accept queue, “where the unserved connections wait” counts the lab’s queue. When the thread that owns a Node listener really is blocked (in the tests, a worker thread in Atomics.wait), connections stay in the kernel’s queue, as with Python.',
    ),
    note(
      '客户端异常断开时，Linux 上 recv 常常返回 b\'\'，Windows 上则常抛出 ConnectionResetError；而客户端在服务器 sendall() 的时候重置连接，任何系统上 sendall() 都会抛出 ConnectionResetError 或 BrokenPipeError。所以 try 要包住整个通信循环（课程里就是这样写的），而不只是 recv：只包 recv 时，一次 sendall() 中的重置就会让整个服务器崩溃，下一个客户端连接被拒绝。实验室的测试用一个真实的客户端复现了这一点。',
      'When a client disconnects abruptly, recv on Linux usually returns b\'\', while on Windows it often raises ConnectionResetError; and a client that resets while the server is inside sendall() makes sendall() raise ConnectionResetError or BrokenPipeError on any system. So the try must wrap the whole communication loop, as the course does, not just recv: with only recv inside it, one reset during sendall() crashes the whole server and the next client is refused. The lab’s tests reproduce this with a real client.',
    ),
  ],
  prediction: {
    question: t(
      '串行服务器正在和客户端 A 通信。这时客户端 B 连上来并发送 “hi”。B 会看到什么？',
      'A serial server is talking with client A. Now client B connects and sends “hi”. What does B see?',
    ),
    choices: [
      { id: 'reply', text: t('立即收到 “HI”', '“HI” at once') },
      { id: 'wait', text: t('连接成功，但要等 A 断开后才收到回复', 'The connection succeeds, but the reply comes only after A leaves') },
      { id: 'refused', text: t('连接被拒绝', 'The connection is refused') },
    ],
    correct: 'wait',
    explanation: t(
      '连接由内核完成并放进等待队列，所以 B 的 connect() 成功了；但服务器还在 A 的通信循环里，不会 accept B，也就不会读 B 的数据。在实验室的连接列表里，B 显示为“等待中”；A 断开后，B 才变成“服务中”并收到 “HI”。',
      'The kernel completes the connection and queues it, so B’s connect() succeeds; but the server is still inside A’s communication loop and will not accept B, so nobody reads B’s data. In the lab’s connection list B shows as “waiting”; only after A leaves does B become “serving” and get “HI”.',
    ),
    watch: t('启动串行服务器，用两个客户端连接它，看连接列表里每个连接的状态。', 'Start the serial server, connect two clients, and watch each connection’s state in the list.'),
  },
  tryIt: [
    { label: t('启动串行服务器（像 TCPServer）', 'Start a serial server (like TCPServer)'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'serial', handler: 'upper', port: 8081, autoStart: true } } },
  ],
  python: ['tcp_server_loops', 'tcp_client'],
  historyKinds: [],
  reading: readServingLoop,
}

export default lesson
