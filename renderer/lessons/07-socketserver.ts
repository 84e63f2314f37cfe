import { code, diagram, list, note, p, t, type Lesson } from './types'

const lesson: Lesson = {
  id: 'socketserver',
  title: t('socketserver：server 类与请求处理类', 'socketserver: server classes and request handlers'),
  summary: t('server 类解决连接问题，请求处理类解决通信问题。', 'Server classes solve connecting; request handlers solve communicating.'),
  body: [
    p('Python 的 socketserver 模块把服务器分成两部分：', 'Python’s socketserver module splits a server into two parts:'),
    list(
      t(
        'server 类负责连接问题：创建监听套接字、bind、listen，在 serve_forever() 里运行链接循环，并决定怎样处理每个连接。TCPServer 一个接一个地处理；ThreadingTCPServer 为每个连接开一个线程；ForkingTCPServer 为每个连接 fork 一个子进程（Windows 上没有）。UDP 对应 UDPServer、ThreadingUDPServer 和 ForkingUDPServer。',
        'A server class solves connecting: it creates the listening socket, binds and listens, runs the accept loop in serve_forever(), and decides how each connection is handled. TCPServer handles them one after another; ThreadingTCPServer starts a thread per connection; ForkingTCPServer forks a child process per connection (not on Windows). For UDP there are UDPServer, ThreadingUDPServer and ForkingUDPServer.',
      ),
      t(
        '请求处理类负责通信问题：你继承 BaseRequestHandler 并实现 handle()。每来一个请求（TCP 上是一个连接），就创建一个处理类的实例并调用 handle()；handle() 返回后，这个连接就被关闭。',
        'A request handler class solves communicating: you subclass BaseRequestHandler and write handle(). For each request (for TCP, each connection) an instance is created and handle() is called; when handle() returns, the connection is closed.',
      ),
    ),
    diagram('socketserver', 'server 对象运行链接循环；每个连接交给一个新的处理对象。', 'The server object runs the accept loop; each connection goes to a new handler object.'),
    p('在 handle() 里可以用这些属性：', 'Inside handle() you have these attributes:'),
    list(
      t('self.request：TCP 下是与这个客户端的连接套接字；UDP 下是一个元组 (data, socket)，即收到的数据报和服务器自己的 UDP 套接字。', 'self.request: for TCP, the connected socket for this client; for UDP, a tuple (data, socket) — the datagram received and the server’s own UDP socket.'),
      t('self.client_address：客户端的 (IP, 端口)。', 'self.client_address: the client’s (IP, port).'),
      t('self.server：server 对象本身，例如 self.server.server_address 是服务器监听的地址。', 'self.server: the server object itself; for example self.server.server_address is the address it listens on.'),
    ),
    note(
      '课程笔记里写着“self.server 即套接字对象”，这是一处笔误：self.server 是 server 对象（例如 ThreadingTCPServer 的实例），它的监听套接字是 self.server.socket；与客户端通信的连接套接字是 self.request。',
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
      t('混入类（mix-in）写在前面：ThreadingMixIn 重写了 process_request()，所以“怎样并发”只由类名的第一部分决定。', 'The mix-in comes first: ThreadingMixIn overrides process_request(), so how requests run concurrently is decided by the first part of the class name alone.'),
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
      '换一个 server 类，就换了并发方式，而处理类一行都不用改：这就是把“连接”和“通信”分开的好处。',
      'Change the server class and you change how connections run concurrently, without touching a line of the handler: that is the point of keeping connecting and communicating apart.',
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
    { label: t('UDP 服务器（ThreadingUDPServer）', 'UDP server (ThreadingUDPServer)'), preset: { experiment: 'network/server', settings: { proto: 'udp', port: 8081, autoStart: true } } },
  ],
  python: ['tcp_server_serial', 'tcp_server_threading', 'tcp_server_forking', 'udp_server'],
  historyKinds: [],
}

export default lesson
