/**
 * The Chinese comments and docstrings of the lab's Python programs. Each program is written once, in
 * English (the file the engine runs); its Chinese text is made from it by `inChinese` below, which
 * replaces these texts in order. So the two can never differ in code, only in what the comments say.
 *
 * Each entry is `[english, chinese]`: a piece of a comment or docstring exactly as the program writes
 * it (indentation left out), found after the previous entry's. An entry that no longer matches the
 * program throws when this module loads, naming the text, and every unit test that shows a program
 * fails; tests/integration/python-programs.test.ts checks that no comment is left in English.
 */
import type { PythonProgramId } from '../contract/python'

type Translation = readonly (readonly [english: string, chinese: string])[]

/** The English source with each translated text put in its place, in order. */
export function inChinese(file: string, source: string, translation: Translation): string {
  let out = ''
  let cursor = 0
  for (const [english, chinese] of translation) {
    const at = source.indexOf(english, cursor)
    if (at < 0) throw new Error(`${file}: the Chinese comments translate "${english}", which the program does not say (after the text before it)`)
    out += source.slice(cursor, at) + chinese
    cursor = at + english.length
  }
  return out + source.slice(cursor)
}

/** What the serial, threading and forking servers' docstrings say alike of socketserver. */
const SOCKETSERVER_PARTS: Translation = [
  ['socketserver splits a server in two parts:', 'socketserver 把服务器分成两部分：'],
  ['- the server class owns the listening socket and runs the accept loop', '- server 类拥有监听套接字，运行链接循环'],
  ['(serve_forever);', '（serve_forever）；'],
  ['- your request handler class runs the communication loop for ONE connection', '- 你的请求处理类在 handle() 里为“一个”连接运行通信循环。'],
  ['in handle(). In it, self.request is the connected socket, self.client_address', '在 handle() 里，self.request 是连接套接字，self.client_address'],
  ['is the client\'s (ip, port), and self.server is the server object.', '是客户端的 (ip, 端口)，self.server 是 server 对象。'],
]

export const COMMENTS_ZH: Record<PythonProgramId, Translation> = {
  framed_client: [
    ['Client for the framed server: every message is a 4-byte length header + body.', '分帧服务器的客户端：每条消息 = 4 字节长度报头 + 正文。'],
    ['It sends all messages back to back (they may well arrive glued together),', '它把所有消息紧接着发出去（它们很可能粘在一起到达），'],
    ['then reads the replies one frame at a time: header first, then the body.', '然后一帧一帧地读回复：先读报头，再读正文。'],
    ['Usage: python3 framed_client.py [port] [message ...]   (default port 8081)', '用法：python3 framed_client.py [端口] [消息 ...]   （默认端口 8081）'],
    ['a length from the network is checked before it is used', '来自网络的长度，先检查再使用'],
    ['Read exactly n bytes: recv(n) may return fewer, even recv(4) for a header."""', '正好读 n 个字节：recv(n) 可能返回更少，读 4 字节的报头也一样。"""'],
    ['never recv(n) with an unchecked n', '永远不要用未经检查的 n 去 recv(n)'],
  ],
  framed_server: [
    ['Upper-casing TCP echo server that frames its messages: a 4-byte length header.', '给消息分帧的大写回显 TCP 服务器：4 字节的长度报头。'],
    ['Each message travels as header + body, where the header is', '每条消息以“报头 + 正文”的形式传送，报头是'],
    ['struct.pack(\'i\', len(body)): a 4-byte integer in the machine\'s own byte order', 'struct.pack(\'i\', len(body))：一个按本机字节序打包的 4 字节整数'],
    ['(little-endian on x86 and ARM). The receiver first reads exactly 4 bytes,', '（x86 和 ARM 上是小端）。接收方先读满 4 个字节，'],
    ['then exactly that many body bytes, so glued or split reads no longer matter.', '再读满那么多正文字节，于是读取粘在一起还是被拆开都不再要紧。'],
    ['(For machines of different byte orders, use struct.pack(\'!I\', n): network order.)', '（两端机器字节序不同时，用 struct.pack(\'!I\', n)：网络字节序。）'],
    ['Usage: python3 framed_server.py [port]     (default port 8081)', '用法：python3 framed_server.py [端口]     （默认端口 8081）'],
    ['refuse absurd lengths instead of trying to allocate them', '拒绝荒唐的长度，而不是试图分配那么多内存'],
    ['Read exactly n bytes (recv may return fewer); None if the peer closed first."""', '正好读 n 个字节（recv 可能返回更少）；对方先关闭则返回 None。"""'],
  ],
  sticky_client: [
    ['A TCP sender whose messages stick together: several send() calls in a row.', '消息会粘在一起的 TCP 发送端：连续多次调用 send()。'],
    ['Nothing in the byte stream marks where one message ends, so the receiver', '字节流里没有任何东西标出一条消息在哪里结束，所以接收方'],
    ['sees the bytes of several sends in one recv().', '会在一次 recv() 里看到几次 send() 的字节。'],
    ['Usage: python3 sticky_client.py [port] [message ...]   (default port 8081)', '用法：python3 sticky_client.py [端口] [消息 ...]   （默认端口 8081）'],
    ['no reply awaited: the sends follow each other at once', '不等回复：几次 send 紧接着发出'],
  ],
  sticky_server: [
    ['A TCP receiver that shows sticky packets: what each recv() returns.', '展示粘包的 TCP 接收端：每次 recv() 返回什么。'],
    [
      'TCP carries a stream of bytes, not messages. This server waits a moment\nbefore reading, so several of the client\'s sends have already arrived; one\nrecv(1024) then returns them glued together. A message larger than 1024\nbytes would come out split across several recv() calls instead.',
      'TCP 传送的是字节流，不是消息。这个服务器先等一会儿再读，\n客户端的几次 send 已经都到了；于是一次 recv(1024) 把它们粘在一起返回。\n反过来，超过 1024 字节的消息则会被拆开，分几次 recv() 才收完（拆包/半包）。',
    ],
    ['Usage: python3 sticky_server.py [port]     (default port 8081)', '用法：python3 sticky_server.py [端口]     （默认端口 8081）'],
    ['a slow reader (200 ms, as in the lesson): sends pile up', '读得慢（200 ms，和课文一致）：发来的数据越积越多'],
  ],
  tcp_client: [
    ['TCP client for the upper-casing echo servers.', '大写回显服务器的 TCP 客户端。'],
    ['It connects once, then sends each message and waits for its reply before', '它只连接一次，然后逐条发送消息，每发一条都等到回复再发下一条'],
    ['sending the next (one send, one recv: the simple course protocol).', '（一次 send，一次 recv：课程里简单的协议）。'],
    ['Usage: python3 tcp_client.py [port] [message ...]   (default port 8081)', '用法：python3 tcp_client.py [端口] [消息 ...]   （默认端口 8081）'],
  ],
  tcp_server_forking: [
    ['Upper-casing TCP echo server on socketserver.ForkingTCPServer.', '基于 socketserver.ForkingTCPServer 的大写回显 TCP 服务器。'],
    ...SOCKETSERVER_PARTS,
    ['Usage: python3 tcp_server_forking.py [port]     (default port 8081)', '用法：python3 tcp_server_forking.py [端口]     （默认端口 8081）'],
    ['communication loop', '通信循环'],
    ['b\'\' means the client closed its side', 'b\'\' 表示客户端关闭了它那一端'],
    ['reset or broken pipe, in recv or sendall:', '在 recv 或 sendall 中被重置、管道断开：'],
    ['this connection ends, the server goes on', '这个连接结束，服务器继续运行'],
    ['ForkingTCPServer starts a new child process (os.fork) for every connection.', 'ForkingTCPServer 为每个连接启动一个新的子进程（os.fork）。'],
    ['fork does not exist on Windows: there, use ThreadingTCPServer instead.', 'Windows 上没有 fork：在那里请改用 ThreadingTCPServer。'],
    ['restart at once on the same port', '重启后马上能再绑定同一端口'],
    ['the accept loop', '链接循环'],
  ],
  tcp_server_loops: [
    ['Upper-casing TCP echo server written with the socket module alone.', '只用 socket 模块写的大写回显 TCP 服务器。'],
    ['It shows the two loops every TCP server has:', '它展示每个 TCP 服务器都有的两个循环：'],
    ['- the accept loop takes one connection after another;', '- 链接循环（即连接循环）：一个接一个地接受连接；'],
    ['- the communication loop serves one connection, message after message.', '- 通信循环：服务一个连接，一条消息接一条消息。'],
    ['While the inner loop serves one client, nobody calls accept(): a second', '内层循环服务一个客户端时，没有人调用 accept()：第二个客户端能连上'],
    ['client connects (the kernel queues it) but gets no answer until the first leaves.', '（内核把它放进队列），但要等第一个离开后才得到回复。'],
    ['Usage: python3 tcp_server_loops.py [port]     (default port 8081)', '用法：python3 tcp_server_loops.py [端口]     （默认端口 8081）'],
    ['restart at once on the same port', '重启后马上能再绑定同一端口'],
    ['a fixed address, so clients know where to find us', '固定的地址，客户端才知道去哪里找我们'],
    ['up to 5 connections may wait in the kernel\'s queue', '内核的等待队列里最多排 5 个连接'],
    ['accept loop', '链接循环'],
    ['communication loop', '通信循环'],
    ['at most 1024 bytes of whatever has arrived', '最多取 1024 个已经到达的字节'],
    ['b\'\' means the client closed its side', 'b\'\' 表示客户端关闭了它那一端'],
    ['sendall keeps sending until every byte is out', 'sendall 一直发送，直到所有字节都发出'],
    ['reset or broken pipe, in recv OR in sendall:', '连接被重置或管道断开，无论在 recv 还是 sendall 中：'],
    ['end this connection, not the whole server', '结束这个连接，而不是整个服务器'],
  ],
  tcp_server_serial: [
    ['Upper-casing TCP echo server on socketserver.TCPServer.', '基于 socketserver.TCPServer 的大写回显 TCP 服务器。'],
    ...SOCKETSERVER_PARTS,
    ['Usage: python3 tcp_server_serial.py [port]     (default port 8081)', '用法：python3 tcp_server_serial.py [端口]     （默认端口 8081）'],
    ['communication loop', '通信循环'],
    ['b\'\' means the client closed its side', 'b\'\' 表示客户端关闭了它那一端'],
    ['reset or broken pipe, in recv or sendall:', '在 recv 或 sendall 中被重置、管道断开：'],
    ['this connection ends, the server goes on', '这个连接结束，服务器继续运行'],
    ['TCPServer serves one connection at a time: handle() must return before the', 'TCPServer 一次服务一个连接：handle() 返回之后才会接受下一个客户端。'],
    ['next client is accepted. Try two clients at once and watch the second one wait.', '同时连上两个客户端试试，看第二个怎样等待。'],
    ['restart at once on the same port', '重启后马上能再绑定同一端口'],
    ['the accept loop', '链接循环'],
  ],
  tcp_server_threading: [
    ['Upper-casing TCP echo server on socketserver.ThreadingTCPServer.', '基于 socketserver.ThreadingTCPServer 的大写回显 TCP 服务器。'],
    ...SOCKETSERVER_PARTS,
    ['Usage: python3 tcp_server_threading.py [port]     (default port 8081)', '用法：python3 tcp_server_threading.py [端口]     （默认端口 8081）'],
    ['communication loop', '通信循环'],
    ['b\'\' means the client closed its side', 'b\'\' 表示客户端关闭了它那一端'],
    ['reset or broken pipe, in recv or sendall:', '在 recv 或 sendall 中被重置、管道断开：'],
    ['this connection ends, the server goes on', '这个连接结束，服务器继续运行'],
    ['ThreadingTCPServer starts a new thread for every connection, so many clients', 'ThreadingTCPServer 为每个连接开一个新线程，所以能同时服务许多客户端。'],
    ['are served at the same time. This is the server of the course.', '这就是课程里的服务器。'],
    ['restart at once on the same port', '重启后马上能再绑定同一端口'],
    ['connection threads do not keep the program alive', '连接线程不会让程序一直不退出'],
    ['the accept loop', '链接循环'],
  ],
  thread_race: [
    ['Four threads add 1 to one shared counter: when are updates lost?', '4 个线程给同一个共享计数器加 1：什么时候会丢失更新？'],
    ['Run without arguments. It tries three versions of the same loop:', '不带参数运行。它依次试验同一个循环的三种写法：'],
    ['1. counter += 1 with no lock. In CPython the GIL switches threads only at', '1. 不加锁的 counter += 1。在 CPython 里，GIL 只在某些位置切换线程，'],
    ['certain points, which in practice never fall inside this one line, so', '实际上从不落在这一行的中间，所以这里一次也不丢——'],
    ['nothing is lost here - but no rule of the language promises that.', '但语言本身并不保证这一点。'],
    ['2. tmp = counter; time.sleep(0); counter = tmp + 1. sleep(0) lets another', '2. tmp = counter; time.sleep(0); counter = tmp + 1。sleep(0) 让别的线程'],
    ['thread run between the read and the write: that thread\'s update is', '在“读”和“写”之间运行：那个线程的更新被覆盖了。这就是课文讲的'],
    ['overwritten. This is the race the lesson describes; most updates are lost.', '竞争条件；大部分更新都丢了。'],
    ['3. The same read-sleep-write, holding a Lock: one thread at a time, none lost.', '3. 同样的“读—暂停—写”，但拿着一把 Lock：一次只有一个线程，一个也不丢。'],
    ['Usage: python3 thread_race.py [ignored]', '用法：python3 thread_race.py [忽略]'],
    ['increments per thread for version 1', '写法 1 每个线程加几次'],
    ['per thread for versions 2 and 3 (sleep(0) is slow)', '写法 2 和 3 每个线程加几次（sleep(0) 很慢）'],
    ['another thread may run here', '别的线程可能在这里运行'],
    ['read, pause and write as one step', '读、暂停、写，作为一步完成'],
  ],
  udp_client: [
    ['UDP client for the upper-casing echo server.', '大写回显服务器的 UDP 客户端。'],
    ['No connect, no accept: each sendto() is one datagram, and each recvfrom()', '没有 connect，也没有 accept：每次 sendto() 是一个数据报，每次 recvfrom()'],
    ['returns exactly one datagram, so message boundaries are kept. A datagram', '正好返回一个数据报，所以消息的边界得以保留。数据报可能丢失；'],
    ['can be lost; this client gives up on a reply after two seconds.', '这个客户端等回复最多两秒。'],
    ['Usage: python3 udp_client.py [port] [message ...]   (default port 8081)', '用法：python3 udp_client.py [端口] [消息 ...]   （默认端口 8081）'],
  ],
  udp_server: [
    ['Upper-casing UDP echo server on socketserver.ThreadingUDPServer.', '基于 socketserver.ThreadingUDPServer 的大写回显 UDP 服务器。'],
    ['UDP has no connections, so there is no accept loop and no communication loop', 'UDP 没有连接，所以没有链接循环，也没有每个客户端的通信循环：'],
    ['per client: every datagram is one request. In handle(), self.request is a', '每个数据报就是一个请求。在 handle() 里，self.request 是一个'],
    ['pair (data, socket): the datagram\'s bytes and the server\'s own UDP socket,', '元组 (data, socket)：数据报的字节和服务器自己的 UDP 套接字，'],
    ['used to answer with sendto(). self.client_address is the sender\'s (ip, port).', '用它的 sendto() 回复。self.client_address 是发送者的 (ip, 端口)。'],
    ['Usage: python3 udp_server.py [port]     (default port 8081)', '用法：python3 udp_server.py [端口]     （默认端口 8081）'],
  ],
}
