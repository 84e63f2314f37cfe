import { errorMeaning, ms, num, plural } from './reading'
import { code, diagram, h, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/** How the newest connection (or datagram) got its thread or process: a spare that was ready, or one started for it. */
function startupLine(summary: RunFacts['summary'], what: 'thread' | 'process'): Text[] {
  const wait = num(summary.startWaitMs)
  if (wait === null || typeof summary.spareReady !== 'boolean') return []
  const start = num(summary.startMs)
  const zhWhat = what === 'thread' ? '线程' : '进程'
  const startZh = start === null ? '' : `（启动它用了 ${ms(start)}）`
  const startEn = start === null ? '' : ` (starting it took ${ms(start)})`
  if (summary.spareReady) {
    return [
      t(
        `最新的连接拿到了一个已经准备好的备用${zhWhat}，只等了 ${ms(wait)}${startZh}：这段启动时间花在客户端来之前。Python 不需要备用：CPython 开一个线程不到 1 ms，os.fork() 一次几毫秒；而一个 Node 的 Worker 线程要启动自己的 JavaScript 引擎，一个 Node 子进程要装入整个 Node，所以实验室提前把它们启动好。`,
        `The newest connection found a spare ${what} ready and waited only ${ms(wait)}${startEn}: that start-up was paid before the client came. Python needs no spares: CPython starts a thread in under a millisecond and forks in a few, while a Node Worker thread starts a JavaScript engine of its own and a Node child loads all of Node, so the lab starts them ahead.`,
      ),
    ]
  }
  return [
    t(
      `最新的连接没有遇到准备好的备用${zhWhat}：它等了 ${ms(wait)}，等一个${zhWhat}为它启动${startZh}。这段等待是实验室的代价，不是 Python 的：CPython 开一个线程不到 1 ms。备用的数量在服务器面板里可以调；服务器刚启动、或者一下子来了很多连接时，备用还没准备好。`,
      `The newest connection found no spare ${what} ready: it waited ${ms(wait)} for one to start for it${startEn}. That wait is the lab’s cost, not Python’s: CPython starts a thread in under a millisecond. The number of spares is a setting in the server panel; right after the server starts, or when many connections come at once, the spares are not ready yet.`,
    ),
  ]
}

/**
 * Reads the server a try-it started, as it is now: which thread or process serves each connection
 * (or datagram), what that thread or process does (the recv/send loop, or only the handler), and
 * what starting it cost — how the lab’s mode relates to the socketserver class it stands for.
 */
export function readServerModes({ kind, summary, error }: RunFacts): Text[] {
  if (kind === 'error' && error) return errorMeaning(error)
  if (kind !== 'net.server') return []
  if (summary.state !== 'listening') return [t('这个服务器已经停止了。按“试一试”再启动一个。', 'This server has stopped. Press a try-it to start another.')]
  const port = num(summary.port) ?? 0
  const serving = num(summary.serving) ?? 0
  const spares = num(summary.spares) ?? 0
  if (summary.proto === 'udp') {
    const got = num(summary.datagrams) ?? 0
    if (summary.mode !== 'threading') {
      return [
        t(
          `这个 UDP 服务器是${summary.mode === 'serial' ? '串行' : '异步'}模式：像 UDPServer 一样，所有数据报都由一个线程依次处理，没有每个数据报一个线程。要看 ThreadingUDPServer 的样子，按第三个“试一试”。`,
          `This UDP server runs in ${String(summary.mode)} mode: like UDPServer, one thread handles every datagram in turn, with no thread per datagram. For ThreadingUDPServer, press the third try-it.`,
        ),
      ]
    }
    if (got === 0) {
      return [
        t(
          `你的多线程 UDP 服务器在 ${port} 端口上等数据报，已经有 ${num(summary.udpThreads) ?? 0} 个线程在等着。在网络视图的 UDP 客户端里给 127.0.0.1:${port} 发几个数据报，看每个数据报由哪个线程处理。`,
          `Your threading UDP server waits for datagrams on port ${port}, with ${num(summary.udpThreads) ?? 0} ${plural(num(summary.udpThreads) ?? 0, 'thread', 'threads')} already waiting. Send a few datagrams to 127.0.0.1:${port} from the UDP client in the Network view and see which thread handles each one.`,
        ),
      ]
    }
    const distinct = num(summary.datagramThreads) ?? 0
    return [
      t(
        `它收到了 ${got} 个数据报，最近的几个由 ${distinct} 个不同的线程处理（“服务者”一栏是线程号）。ThreadingUDPServer 为每个数据报开一个新线程，handle() 里用 self.request 里的套接字 sendto() 回复；实验室的线程只运行处理函数：recvfrom() 和 sendto() 在服务器唯一的套接字上、由主线程做。实验室也不为每个数据报开新线程，而是把数据报交给一个空闲的线程，全都忙时才开新的，因为一个 Node 线程的启动比一个数据报的处理贵得多。`,
        `It has received ${got} ${plural(got, 'datagram', 'datagrams')}; the newest were handled by ${distinct} different ${plural(distinct, 'thread', 'threads')} (the “served by” column holds thread ids). ThreadingUDPServer starts a new thread for every datagram, and its handle() replies with sendto() on the socket in self.request; the lab’s thread runs only the handler: recvfrom() and sendto() happen on the server’s one socket, on the main thread. Nor does the lab start a thread per datagram: it hands each datagram to a free thread and starts a new one only when all are busy, because starting a Node thread costs far more than handling a datagram.`,
      ),
      ...startupLine(summary, 'thread'),
    ]
  }
  if (summary.mode === 'threading') {
    const threads = num(summary.threads) ?? 0
    const out: Text[] = []
    if (summary.threadIo === 'relay') {
      out.push(
        t(
          '在这个系统上，线程拿不到连接的描述符，所以实验室的主线程替它 recv() 和 send()，把每次读到的字节交给连接的线程，再把回复发回去。ThreadingTCPServer 的线程自己在连接套接字上阻塞于 recv()；这里的差别在服务器面板上也写着。',
          'On this system a thread cannot be handed the connection’s descriptor, so the lab’s main thread does the recv() and send() for it, passing each read to the connection’s thread and sending back its reply. A ThreadingTCPServer thread blocks in recv() on the connected socket itself; the server panel says so too.',
        ),
      )
    }
    if (serving === 0) {
      out.unshift(
        t(
          `你的多线程服务器在 ${port} 端口上监听，${spares} 个备用线程已经提前启动。在网络视图里连上两个客户端：每个连接会由一个不同的线程服务。`,
          `Your threading server listens on port ${port}, with ${spares} spare ${plural(spares, 'thread', 'threads')} started ahead. Connect two clients in the Network view: each connection will be served by a different thread.`,
        ),
      )
      return out
    }
    out.unshift(
      t(
        `${serving} 个连接正由 ${threads} 个不同的线程服务（连接列表的“服务者”一栏是线程号）。${summary.threadIo === 'relay' ? '' : '每个线程拿到自己连接的描述符，在上面阻塞于 recv()、再 send()，就像 ThreadingTCPServer 为每个连接开的线程运行 handle() 一样；'}客户端断开后，它的线程就结束，服务器再启动一个新的备用线程。`,
        `${serving} ${plural(serving, 'connection is', 'connections are')} served by ${threads} different ${plural(threads, 'thread', 'threads')} (the “served by” column of the connection list holds thread ids). ${summary.threadIo === 'relay' ? '' : 'Each thread was handed its connection’s descriptor and blocks in recv() on it, then send()s, just as the thread ThreadingTCPServer starts per connection runs handle(); '}when the client leaves, its thread ends and the server starts a new spare.`,
      ),
    )
    return [...out, ...startupLine(summary, 'thread')]
  }
  if (summary.mode === 'forking') {
    const processes = num(summary.processes) ?? 0
    if (serving === 0) {
      return [
        t(
          `你的多进程服务器在 ${port} 端口上监听，${spares} 个备用子进程已经提前启动。连上两个客户端：每个连接会由一个不同的子进程服务，进程树里能看到它们挂在引擎下面。`,
          `Your forking server listens on port ${port}, with ${spares} spare ${plural(spares, 'child', 'children')} started ahead. Connect two clients: each connection will be served by a different child, and the process tree shows them under the engine.`,
        ),
      ]
    }
    return [
      t(
        `${serving} 个连接正由 ${processes} 个不同的子进程服务（“服务者”一栏是 PID）。ForkingTCPServer 在 accept() 之后调用 os.fork()：子进程是服务器的一份拷贝，带着连接套接字运行 handle()，然后退出。Node 没有 os.fork()，所以实验室的子进程是提前启动的一个新的 Node 进程：它收到这个连接的描述符，在上面运行阻塞的 recv()/send() 循环，连接结束后退出。`,
        `${serving} ${plural(serving, 'connection is', 'connections are')} served by ${processes} different ${plural(processes, 'child', 'children')} (the “served by” column holds PIDs). ForkingTCPServer calls os.fork() after accept(): the child is a copy of the server, runs handle() with the connected socket and exits. Node has no os.fork(), so the lab’s child is a new Node process started ahead: it is sent the connection’s descriptor, runs the blocking recv()/send() loop on it, and exits when the connection ends.`,
      ),
      ...startupLine(summary, 'process'),
    ]
  }
  return [
    t(
      `这个服务器是${summary.mode === 'serial' ? '串行' : '异步'}模式，没有每个连接一个线程或进程。这一课的“试一试”启动的是多线程和多进程服务器。`,
      `This server runs in ${String(summary.mode)} mode: there is no thread or process per connection. This lesson’s try-its start the threading and forking servers.`,
    ),
  ]
}

const lesson: Lesson = {
  id: 'socketserver',
  title: t('socketserver：服务器类与请求处理类', 'socketserver: server classes and request handlers'),
  summary: t('服务器类解决连接问题，请求处理类解决通信问题。', 'Server classes solve connecting; request handlers solve communicating.'),
  body: [
    p('Python 的 socketserver 模块把服务器分成两部分：', 'Python’s socketserver module splits a server into two parts:'),
    list(
      t(
        '服务器类负责连接问题：创建监听套接字、bind、listen，在 serve_forever() 里运行链接循环，并决定怎样处理每个连接。TCPServer 一个接一个地处理；ThreadingTCPServer 为每个连接开一个线程；ForkingTCPServer 为每个连接用 os.fork() 创建一个子进程（Windows 上没有）。UDP 对应 UDPServer、ThreadingUDPServer 和 ForkingUDPServer。',
        'A server class solves connecting: it creates the listening socket, binds and listens, runs the accept loop in serve_forever(), and decides how each connection is handled. TCPServer handles them one after another; ThreadingTCPServer starts a thread per connection; ForkingTCPServer forks a child process per connection (not on Windows). For UDP there are UDPServer, ThreadingUDPServer and ForkingUDPServer.',
      ),
      t(
        '请求处理类负责通信问题：你继承 BaseRequestHandler 并实现 handle()。每来一个请求（TCP 上是一个连接），就创建一个处理类的实例并调用 handle()；handle() 返回后，这个连接就被关闭。',
        'A request handler class solves communicating: you subclass BaseRequestHandler and write handle(). For each request (for TCP, each connection) an instance is created and handle() is called; when handle() returns, the connection is closed.',
      ),
    ),
    diagram('socketserver', '服务器对象运行链接循环；每个连接交给一个新的处理对象。', 'The server object runs the accept loop; each connection goes to a new handler object.'),
    p('在 handle() 里可以用这些属性：', 'Inside handle() you have these attributes:'),
    list(
      t('self.request：TCP 下是与这个客户端的连接套接字；UDP 下是一个元组 (data, socket)，即收到的数据报和服务器自己的 UDP 套接字。', 'self.request: for TCP, the connected socket for this client; for UDP, a tuple (data, socket) — the datagram received and the server’s own UDP socket.'),
      t('self.client_address：客户端的 (IP, 端口)。', 'self.client_address: the client’s (IP, port).'),
      t('self.server：服务器对象本身，例如 self.server.server_address 是服务器监听的地址。', 'self.server: the server object itself; for example self.server.server_address is the address it listens on.'),
    ),
    note(
      '课程笔记里写着“self.server 即套接字对象”，这是一处笔误：self.server 是 服务器对象（例如 ThreadingTCPServer 的实例），它的监听套接字是 self.server.socket；与客户端通信的连接套接字是 self.request。',
      'The course note says that self.server “is the socket object”. That is a slip: self.server is the server object (an instance of ThreadingTCPServer, say); its listening socket is self.server.socket, and the connected socket you talk to the client on is self.request.',
    ),
    p('socketserver 的类是这样组织的：', 'socketserver’s classes fit together like this:'),
    code(`BaseServer                    serve_forever(), handle_request(), shutdown()
 └─ TCPServer                 socket, bind, listen, accept (SOCK_STREAM)
     ├─ UDPServer             the same, SOCK_DGRAM, no accept
     └─ UnixStreamServer …

ThreadingMixIn   process_request() starts a thread per request
ForkingMixIn     process_request() forks a child per request (POSIX only)

class ThreadingTCPServer(ThreadingMixIn, TCPServer): pass
class ForkingTCPServer(ForkingMixIn, TCPServer): pass
class ThreadingUDPServer(ThreadingMixIn, UDPServer): pass

BaseRequestHandler            setup(), handle(), finish(); self.request, self.client_address, self.server
 ├─ StreamRequestHandler      self.rfile / self.wfile: file objects over the connected socket
 └─ DatagramRequestHandler    self.rfile holds the datagram, self.wfile is sent back`),
    list(
      t('混入类（MixIn）写在前面：ThreadingMixIn 重写了 process_request()，所以“怎样并发”只由类名的第一部分决定。', 'The mix-in comes first: ThreadingMixIn overrides process_request(), so how requests run concurrently is decided by the first part of the class name alone.'),
      t('StreamRequestHandler 把连接套接字包装成文件：self.rfile.readline() 读到换行为止，self.wfile.write() 发送——这是另一种分帧方式（按行）。', 'StreamRequestHandler wraps the connected socket as files: self.rfile.readline() reads up to a newline and self.wfile.write() sends — another way of framing (by lines).'),
    ),
    code(`import socketserver

class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):                      # the communication loop
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            self.request.sendall(data.upper())

server = socketserver.ThreadingTCPServer(('127.0.0.1', 8081), UpperHandler)
server.serve_forever()                     # the accept loop`),
    note(
      '换一个 服务器类，就换了并发方式，而处理类一行都不用改：这就是把“连接”和“通信”分开的好处。',
      'Change the server class and you change how connections run concurrently, without touching a line of the handler: that is the point of keeping connecting and communicating apart.',
    ),
    h('实验室的模式和 socketserver 的类', 'The lab’s modes and socketserver’s classes'),
    p(
      '实验室的服务器是用 Node 写的，不是 Python；它的模式各自对应一个 socketserver 的类，线程和进程都是真的，但有几处做法不同，下面一一说明：',
      'The lab’s servers are written in Node, not Python. Each mode stands for one socketserver class, and its threads and processes are real, but some things are done differently; here is each one:',
    ),
    list(
      t(
        '串行 ≈ TCPServer：一个线程一次服务一个连接，其他连接等着。差别：Python 的等待连接留在内核的 accept 队列里，实验室的已经被 accept、在实验室自己的队列里等（第 6 课）。',
        'serial ≈ TCPServer: one thread serves one connection at a time and the others wait. The difference: Python’s waiting connections stay in the kernel’s accept queue; the lab’s are already accepted and wait in the lab’s own queue (lesson 6).',
      ),
      t(
        '多线程 ≈ ThreadingTCPServer：每个连接一个真正的线程（Node 的 Worker 线程，有自己的线程号），它拿到连接的描述符，在上面阻塞于 recv()、再 send()，连接结束它就结束——和 Python 的线程运行 handle() 一样。差别：Python 在 accept() 之后才开线程（不到 1 ms）；一个 Worker 要启动自己的 JavaScript 引擎，慢得多，所以实验室的每个服务器提前启动几个备用线程，一个被用掉就再启动一个。在没法把描述符交给线程的系统上（Windows、macOS），主线程替线程收发，服务器面板会写明。',
        'threading ≈ ThreadingTCPServer: a real thread per connection (a Node Worker thread, with its own thread id) that is handed the connection’s descriptor, blocks in recv() on it, then send()s, and ends when the connection ends — as Python’s thread runs handle(). The difference: Python starts its thread after accept() (well under a millisecond); a Worker starts a JavaScript engine of its own, which is far slower, so each lab server starts a few spare threads ahead and starts another as one is used. Where a thread cannot be handed a descriptor (Windows, macOS), the main thread receives and sends for it, and the server panel says so.',
      ),
      t(
        '多进程 ≈ ForkingTCPServer：每个连接一个真正的子进程。ForkingTCPServer 在 accept() 之后调用 os.fork()，子进程是服务器的拷贝，带着连接套接字运行 handle() 后退出。Node 没有 os.fork()：实验室的子进程是提前启动的一个新的 Node 进程，它收到连接的描述符，在上面运行阻塞的 recv()/send() 循环（Linux 上；其他系统上用它自己的事件循环服务这个套接字），连接结束后退出。它不是服务器的拷贝，所以服务器的变量它一个也看不到。',
        'forking ≈ ForkingTCPServer: a real child process per connection. ForkingTCPServer calls os.fork() after accept(); the child is a copy of the server, runs handle() with the connected socket and exits. Node has no os.fork(): the lab’s child is a new Node process started ahead, sent the connection’s descriptor; it runs the blocking recv()/send() loop on it (on Linux; elsewhere it serves that socket with its own event loop) and exits when the connection ends. It is not a copy of the server, so it sees none of the server’s variables.',
      ),
      t(
        'UDP 的多线程 ≈ ThreadingUDPServer：每个数据报的处理函数在一个 Worker 线程里运行。差别：Python 为每个数据报开一个新线程，并在线程里 sendto()；实验室把数据报交给一个空闲的线程（都忙时才开新的），recvfrom() 和 sendto() 由主线程在服务器唯一的套接字上做。UDP 的串行 ≈ UDPServer。',
        'UDP threading ≈ ThreadingUDPServer: each datagram’s handler runs on a Worker thread. The difference: Python starts a new thread for every datagram and calls sendto() in it; the lab hands the datagram to a free thread (starting a new one only when all are busy), and recvfrom() and sendto() are done by the main thread on the server’s one socket. UDP serial ≈ UDPServer.',
      ),
      t(
        '异步：socketserver 里没有对应的类；它是一个线程里的事件循环同时看管所有连接，像 Python 的 asyncio（第 8 课）。',
        'async: socketserver has no such class; it is one thread’s event loop watching every connection, like Python’s asyncio (lesson 8).',
      ),
    ),
    note(
      '启动的代价是实测的，每个连接都会显示：它拿到的是准备好的备用线程或进程，还是为它新启动的，等了多久。第 8 课的对比实验把实验室的模式和 Python 自己的 socketserver 服务器并排运行，量出这笔代价。',
      'The start-up cost is measured and shown for every connection: whether it found a spare thread or process ready or one was started for it, and how long it waited. Lesson 8’s comparison runs the lab’s modes beside Python’s own socketserver servers and measures that cost.',
    ),
  ],
  prediction: {
    question: t('在 ThreadingTCPServer 的 handle() 里，self.request 是什么？', 'Inside handle() of a ThreadingTCPServer, what is self.request?'),
    choices: [
      { id: 'bytes', text: t('客户端发来的字节', 'The bytes the client sent') },
      { id: 'conn', text: t('与这一个客户端的连接套接字', 'The connected socket for this one client') },
      { id: 'listen', text: t('服务器的监听套接字', 'The server’s listening socket') },
    ],
    correct: 'conn',
    explanation: t(
      'TCP 下 self.request 是 accept() 返回的连接套接字，所以才能在它上面反复 recv() 和 send()；监听套接字是 self.server.socket。UDP 没有连接，self.request 才是 (data, socket)。在实验室里启动多线程服务器并连上两个客户端，可以看到每个连接由不同的线程服务。',
      'For TCP, self.request is the connected socket accept() returned — that is why you can recv() and send() on it again and again; the listening socket is self.server.socket. UDP has no connections, and only there is self.request the pair (data, socket). Start the threading server in the lab and connect two clients: each connection is served by a different thread.',
    ),
    watch: t('启动多线程或多进程服务器，连上两个客户端，看每个连接由哪个线程或进程服务。', 'Start the threading or forking server, connect two clients, and see which thread or process serves each connection.'),
  },
  tryIt: [
    { label: t('多线程服务器（ThreadingTCPServer）', 'Threading server (ThreadingTCPServer)'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'threading', handler: 'upper', port: 0, autoStart: true } } },
    { label: t('多进程服务器（ForkingTCPServer）', 'Forking server (ForkingTCPServer)'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'forking', handler: 'upper', port: 0, autoStart: true } } },
    { label: t('UDP 服务器（ThreadingUDPServer）', 'UDP server (ThreadingUDPServer)'), preset: { experiment: 'network/server', settings: { proto: 'udp', mode: 'threading', port: 8081, autoStart: true } } },
  ],
  python: ['tcp_server_serial', 'tcp_server_threading', 'tcp_server_forking', 'udp_server'],
  historyKinds: [],
  reading: readServerModes,
}

export default lesson
