import { code, diagram, list, note, p, t, type Lesson } from './types'
import { readStickyRun } from './sticky-reading'

const lesson: Lesson = {
  id: 'udp-datagrams',
  title: t('UDP：数据报', 'UDP: datagrams'),
  summary: t('没有连接；每个数据报是一个整体，所以没有粘包。', 'No connections; every datagram stays whole, so nothing sticks.'),
  body: [
    p(
      'UDP 是无连接的：没有 listen()、accept()，也没有连接套接字。服务端绑定一个地址后，直接用 recvfrom() 接收数据报，它同时返回数据和发送者的地址；回复用 sendto(data, address)。客户端也不必 connect()，每次 sendto() 时写明目的地址即可。',
      'UDP has no connections: no listen(), no accept(), no connected sockets. After binding an address, a server calls recvfrom() to receive a datagram, which returns the data and the sender’s address together; it answers with sendto(data, address). A client need not connect() either: each sendto() names its destination.',
    ),
    diagram('datagram', '三次 sendto() 就是三个数据报；接收方每次 recvfrom() 取出一个。', 'Three sendto() calls are three datagrams; each recvfrom() takes one.'),
    list(
      t('边界保留：一次 sendto() 对应对方的一次 recvfrom()，所以 UDP 没有粘包问题。', 'Boundaries are kept: one sendto() matches one recvfrom() on the other side, so UDP has no sticky packets.'),
      t('不保证送达，也不保证顺序：数据报可能丢失或乱序，需要可靠性的程序要自己确认和重传。', 'No delivery or ordering guarantee: datagrams may be lost or reordered; a program that needs reliability must acknowledge and resend itself.'),
      t(
        '有大小上限：IPv4 上一个数据报最多携带 65,507 字节数据（65,535 减去 20 字节 IP 头和 8 字节 UDP 头），这是 Linux 上能发送的上限，更大的会报错；macOS 默认只允许 9,216 字节（net.inet.udp.maxdgram）。超过约 1,472 字节（以太网 MTU 1,500 减去两个头）的数据报在以太网上会被分片，任何一片丢了整个数据报就丢了。',
        'A size limit: over IPv4 a datagram carries at most 65,507 bytes of data (65,535 less a 20-byte IP header and an 8-byte UDP header); that is Linux’s limit, and larger ones fail to send. macOS allows only 9,216 bytes by default (net.inet.udp.maxdgram). Anything over about 1,472 bytes (Ethernet’s MTU of 1,500 less both headers) is fragmented on Ethernet, and losing any fragment loses the whole datagram.',
      ),
      t('recvfrom(n) 的 n 比数据报小时，多出的部分不会留到下一次：Linux 上直接丢弃（数据报被截断），Windows 上会报错。', 'If recvfrom(n) asks for less than the datagram holds, the rest does not wait for the next call: Linux discards it (the datagram is truncated), Windows reports an error.'),
    ),
    p('在 socketserver 里，UDP 的处理类拿到的 self.request 是元组 (data, socket)：', 'In socketserver, a UDP handler’s self.request is the tuple (data, socket):'),
    code(`class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request          # one datagram and the server's socket
        sock.sendto(data.upper(), self.client_address)

socketserver.ThreadingUDPServer(('127.0.0.1', 8081), UpperHandler).serve_forever()`),
    note(
      '实验室里粘包实验的 UDP 一侧，接收方和 TCP 一侧一样慢：每次 recvfrom() 之前先睡“读取延迟”那么久。Node.js 的 dgram 一绑定就开始读，没有暂停的办法；实验室用 UDP 句柄自己的 recvStop()/recvStart()（Node 的内部方法，测试会在 Node 改动它时报错）让它真的停下来，所以数据报在这期间留在内核的接收缓冲区里，就像 Python 的接收方在 time.sleep() 里一样。结果旁边列出从 /proc/net/udp 读到的数字：有几个数据报在等、占了多少内核内存，以及每次 recvfrom() 只取走了一个。',
      'On the UDP side of the lab’s sticky experiment the receiver is as slow as on the TCP side: it sleeps the reader delay before each recvfrom(). Node.js’s dgram starts reading the moment a socket is bound and has no pause; the lab stops it with the UDP handle’s own recvStop()/recvStart() (Node internals — a test fails if Node changes them), so the datagrams really wait in the kernel’s receive buffer meanwhile, as they do while Python’s receiver is in time.sleep(). Beside the result the lab lists what /proc/net/udp showed: how many datagrams waited, the kernel memory they took, and that each recvfrom() took just one.',
    ),
    note(
      'Node 总是把整个数据报交给程序，截断是实验室自己按 recvfrom(n) 的 n 做的，模仿 Linux 内核的行为，而不是内核真的截断了。图中被截断的数据报标成红色，并标出丢掉了多少字节：每次读取仍然只对应一个数据报，只是它的后半截没了。',
      'Node always hands over the whole datagram: the truncation to recvfrom(n)’s n is done by the lab itself, imitating what the Linux kernel does, not by the kernel. In the chart a truncated datagram is drawn in red with the bytes it lost: each read is still one datagram, only its tail is gone.',
    ),
    note(
      '没有连接，也就没有“一个客户端一直占着服务器”的问题：每个数据报都是一个独立的请求。',
      'With no connections there is no client holding the server for a long time: every datagram is a request of its own.',
    ),
  ],
  prediction: {
    question: t(
      '用 UDP 不停顿地连续发送 3 个数据报，接收方每次先睡 200 ms 再用 recvfrom(1024) 读取。它会读到几次数据？',
      'Three UDP datagrams are sent back to back; the receiver sleeps 200 ms before each recvfrom(1024). How many reads return data?',
    ),
    choices: [
      { id: 'one', text: t('1 次，三个粘在一起', 'One, all three together') },
      { id: 'three', text: t('3 次，每次一个数据报', 'Three, one datagram each') },
      { id: 'six', text: t('6 次', 'Six') },
    ],
    correct: 'three',
    explanation: t(
      'UDP 保留数据报的边界：第一次读取之前 3 个数据报都已在内核的接收缓冲区里（实验室从 /proc/net/udp 读给你看），可每次 recvfrom() 也只取出一个。实验中 UDP 一侧的读取次数等于发送次数（在本机回环上一般不会丢包），而同样的消息走 TCP 时会被一次 recv() 全部取走、粘在一起。',
      'UDP keeps datagram boundaries: before the first read all 3 datagrams are already in the kernel’s receive buffer (the lab reads /proc/net/udp to show you), yet each recvfrom() takes out just one. In the experiment the UDP side reads as many times as it sent (loopback rarely loses datagrams), while the same messages over TCP are taken by one recv(), stuck together.',
    ),
    watch: t('把 TCP 和 UDP 两侧的读取次数并排比较，再看 UDP 一侧第一次读取之前内核里等着几个数据报。', 'Compare the number of reads on the TCP side and the UDP side, and how many datagrams waited in the kernel before the UDP side’s first read.'),
    keys: ['sends', 'recvs', 'datagrams', 'udpWaiting', 'udpKernelBytes'],
  },
  tryIt: [
    { label: t('TCP 与 UDP 并排对比', 'TCP and UDP side by side'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, frame: 'none', udp: true, autoRun: true } } },
    { label: t('recvfrom(4)：数据报被截断', 'recvfrom(4): datagrams truncated'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 4, readDelayMs: 0, frame: 'none', udp: true, autoRun: true } } },
    { label: t('启动 UDP 服务器', 'Start a UDP server'), preset: { experiment: 'network/server', settings: { proto: 'udp', port: 8081, autoStart: true } } },
    // Loopback never loses a datagram: the relay's seeded loss and reordering show what a real network may do, TCP beside it.
    { label: t('有丢包的链路上的 UDP（中继）', 'UDP over a lossy link (relay)'), preset: { experiment: 'network/relay', settings: { preset: 'lossyUdp', autoStart: true } } },
  ],
  python: ['udp_server', 'udp_client'],
  historyKinds: ['net.sticky'],
  reading: readStickyRun,
}

export default lesson
