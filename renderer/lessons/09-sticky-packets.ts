import { diagram, list, note, p, t, type Lesson } from './types'
import { readStickyRun } from './sticky-reading'

const lesson: Lesson = {
  id: 'sticky-packets',
  title: t('粘包：TCP 是字节流', 'Sticky packets: TCP is a byte stream'),
  summary: t('TCP 不保留 send() 的边界：消息会粘在一起，也会被拆开。', 'TCP keeps no send() boundaries: messages merge, and they split.'),
  body: [
    p(
      'TCP 是字节流协议：它保证字节按顺序、不丢失、不重复地到达，却不记录“每次 send() 发了多少”。接收方的 recv(n) 的意思只是“给我最多 n 个已经到达的字节”。于是：',
      'TCP is a byte-stream protocol: it delivers bytes in order, without loss or duplicates, but it does not record how much each send() sent. The receiver’s recv(n) only means “give me at most n bytes of what has arrived”. So:',
    ),
    list(
      t('发送方连续几次 send() 的数据，可能在一次 recv() 里一起出来——消息粘在一起；', 'the data of several send() calls in a row may come out of one recv() — messages stick together;'),
      t('一次 send() 的大块数据，可能要几次 recv() 才收完——消息被拆开（拆包；只收到一部分的叫半包）。', 'one large send() may take several recv() calls to arrive — a message is split (a message only partly received so far is called a half packet).'),
    ),
    diagram('stream', '三次 send() 的边界在字节流里消失了；接收方一次 recv() 就把它们全部取出。', 'The boundaries of three send() calls vanish in the byte stream; one recv() takes them all.'),
    p('这就是常说的“粘包”。它不是 TCP 的错误，而是程序没有约定消息从哪里开始、到哪里结束。让它更容易出现的情况有：', 'This is what is called “sticky packets”. It is not a fault of TCP: the program never agreed where a message begins and ends. It shows up more readily when:'),
    list(
      t('接收方读得慢，数据在内核的接收缓冲区里越积越多；', 'the receiver reads slowly, so data piles up in the kernel’s receive buffer;'),
      t('发送方连续发送小块数据，而前面发出的字节还没有被确认：Nagle 算法只在这种时候把新的小块攒起来，合并成一个报文段再发（TCP_NODELAY 关闭它）；', 'the sender sends small pieces in a row while earlier bytes are still unacknowledged: only then does Nagle’s algorithm hold the new pieces back and merge them into one segment (TCP_NODELAY turns it off);'),
      t('recv(n) 的 n 比消息短。', 'recv(n) asks for fewer bytes than a message has.'),
    ),
    note(
      'TCP_NODELAY 治不了粘包：它只让发送方不再攒小块，可字节到了接收方的缓冲区里照样连在一起，读得慢时一次 recv() 照样全部取出。下面第三、第四个实验把“发送间隔”和“TCP_NODELAY”分开试：只有读得够快、发得够慢时边界才碰巧保留。',
      'TCP_NODELAY does not cure sticky packets: it only stops the sender holding small pieces back, but once the bytes are in the receiver’s buffer they run together all the same, and a slow reader still takes them out in one recv(). The third and fourth experiments below try the gap between sends and TCP_NODELAY separately: boundaries survive only by luck, when the reader is fast and the sender slow.',
    ),
    note(
      'UDP 没有粘包问题：每个数据报是一个整体（第 11 课）。TCP 的解决办法是给消息分帧（下一课）。',
      'UDP has no sticky packets: every datagram stays whole (lesson 11). For TCP the cure is framing the messages (next lesson).',
    ),
  ],
  prediction: {
    question: t(
      '客户端不停顿地连续发送 “hello”、“world”、“sticky”；服务器 200 ms 后才开始用 recv(1024) 读。通常会有几次 recv() 返回数据？',
      'The client sends “hello”, “world” and “sticky” back to back; the server starts reading with recv(1024) only after 200 ms. How many recv() calls usually return data?',
    ),
    choices: [
      { id: 'three', text: t('3 次，一次一条', 'Three, one per message') },
      { id: 'one', text: t('1 次，三条粘在一起', 'One, with all three stuck together') },
      { id: 'bytes', text: t('16 次，一次一个字节', 'Sixteen, one byte each') },
    ],
    correct: 'one',
    explanation: t(
      '服务器开始读时，三次 send() 的 16 个字节都已经在接收缓冲区里了，一次 recv(1024) 就把它们全部取出：“helloworldsticky”。把读取延迟改为 0、发送间隔调大，读取次数就会接近发送次数——边界是否“碰巧”保留取决于时机，程序不能依赖它。把 recv 的大小改成 4，又会看到一条消息被拆成几块。',
      'By the time the server reads, the 16 bytes of the three sends are all in the receive buffer, and one recv(1024) takes them all: “helloworldsticky”. Set the read delay to 0 and add gaps between sends, and the number of reads approaches the number of sends — whether boundaries happen to survive depends on timing, so a program cannot rely on it. Set the recv size to 4 and you see one message split into pieces.',
    ),
    watch: t('看图上 send() 的边界和 recv() 块的对应关系，以及读取次数。', 'Look at how the send() boundaries line up with the recv() chunks, and at the number of reads.'),
    keys: ['sends', 'recvs', 'merged', 'split'],
  },
  tryIt: [
    { label: t('三条消息，慢速读取', 'Three messages, a slow reader'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, frame: 'none', autoRun: true } } },
    { label: t('recv(4)：消息被拆开', 'recv(4): messages split'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 4, readDelayMs: 0, frame: 'none', autoRun: true } } },
    { label: t('发送间隔 100 ms，立即读取', '100 ms between sends, reading at once'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 100, recvSize: 1024, readDelayMs: 0, nodelay: false, frame: 'none', autoRun: true } } },
    { label: t('TCP_NODELAY，慢速读取：照样粘在一起', 'TCP_NODELAY with a slow reader: still stuck'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, nodelay: true, frame: 'none', autoRun: true } } },
    // The same sticking with a server that reads at once: the messages queue for a slow link (the relay) and leave together.
    { label: t('慢速链路：读得不慢也粘包（中继）', 'A slow link: sticky without a slow reader (relay)'), preset: { experiment: 'network/relay', settings: { preset: 'slowLink', autoStart: true } } },
  ],
  python: ['sticky_server', 'sticky_client'],
  historyKinds: ['net.sticky'],
  reading: readStickyRun,
}

export default lesson
