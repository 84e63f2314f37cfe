import { code, diagram, list, note, p, t, type Lesson } from './types'
import { readStickyRun } from './sticky-reading'

const lesson: Lesson = {
  id: 'framing',
  title: t('分帧：给消息加上边界', 'Framing: giving messages boundaries'),
  summary: t('先发长度，再发正文：接收方按报头切分字节流。', 'Send the length, then the body: the receiver cuts the stream by the header.'),
  body: [
    p('既然 TCP 不保留边界，就由程序自己约定。常见的两种做法：', 'Since TCP keeps no boundaries, the program agrees on its own. Two common ways:'),
    list(
      t(
        '定长报头：每条消息前加一个固定长度的报头，写明正文有多少字节。Python 里常用 struct.pack(\'i\', len(body)) 得到 4 个字节。接收方先收满 4 个字节，解出长度 n，再收满 n 个字节，就得到一条完整的消息。',
        'A fixed-size header: each message starts with a header of fixed length stating how many bytes the body has. In Python, struct.pack(\'i\', len(body)) gives 4 bytes. The receiver first collects exactly 4 bytes, decodes the length n, then collects exactly n bytes: one whole message.',
      ),
      t('分隔符：每条消息以换行这样的特殊字节结束；正文里不能出现它，或者要转义。', 'A delimiter: each message ends with a special byte such as a newline; the body must not contain it, or it must be escaped.'),
    ),
    diagram('frame', '每条消息 = 4 字节长度 + 正文。不管字节怎样分批到达，接收方都能切回三条消息。', 'Each message = a 4-byte length + the body. However the bytes arrive, the receiver cuts them back into three messages.'),
    p(
      'recv(n) 可能返回少于 n 个字节，所以“收满”必须循环，直到凑够为止：',
      'recv(n) may return fewer than n bytes, so “collect exactly” needs a loop until there are enough:',
    ),
    code(`def recv_exactly(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(n)
        if not chunk:
            raise ConnectionError('closed mid-message')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)

MAX_BODY = 1024 * 1024

header = recv_exactly(conn, 4)       # recv(4) alone may return 1, 2 or 3 bytes
(length,) = struct.unpack('i', header)
if length < 0 or length > MAX_BODY:  # check n BEFORE recv(n): it came from the network
    raise ConnectionError('bad length %d' % length)
body = recv_exactly(conn, length)`),
    list(
      t(
        '\'i\' 按本机的字节序打包（x86 和 ARM 上是小端）。两端机器字节序可能不同时，用网络字节序 \'!I\'（大端）。两端必须使用同一种格式。',
        '\'i\' packs in the machine’s own byte order (little-endian on x86 and ARM). When the two ends may differ, use network byte order, \'!I\' (big-endian). Both ends must use the same format.',
      ),
      t(
        '报头里的长度来自网络，不可轻信：收到一个声称有 2 GB 的长度，应当立即断开，而不是去分配那么多内存。',
        'The length in a header comes from the network and must not be trusted: a header announcing 2 GB should close the connection at once, not make you allocate that much memory.',
      ),
    ),
    note('实验室的分帧方式：无、4 字节小端长度（struct.pack(\'i\')）、4 字节大端长度（\'!I\'）、换行。', 'The lab’s framings: none, 4-byte little-endian length (struct.pack(\'i\')), 4-byte big-endian length (\'!I\'), and newline.'),
  ],
  prediction: {
    question: t(
      '同样三条消息，这次每条前面加 4 字节长度报头，服务器同样在 200 ms 后用 recv(1024) 读。接收方最终交给程序几条消息？',
      'The same three messages, now each with a 4-byte length header; the server again reads with recv(1024) after 200 ms. How many messages does the receiver finally hand to the program?',
    ),
    choices: [
      { id: 'one', text: t('1 条粘在一起的', 'One stuck-together message') },
      { id: 'three', text: t('3 条，和发送的一模一样', 'Three, exactly as sent') },
      { id: 'luck', text: t('看运气', 'It depends on luck') },
    ],
    correct: 'three',
    explanation: t(
      '字节仍然可能在一次 recv() 里一起到达，但解码器按报头切分：先读 4 字节得到 5，再取 5 字节 “hello”，依此类推，所以总能还原出 3 条消息。实验图里 recv() 的块可能只有 1 个，解出的消息却是 3 条。',
      'The bytes may still arrive in one recv(), but the decoder cuts by the headers: read 4 bytes to get 5, take 5 bytes “hello”, and so on, so it always recovers 3 messages. In the chart there may be a single recv() chunk, yet 3 decoded messages.',
    ),
    watch: t('比较 recv() 块的数量和解出的消息数量。', 'Compare the number of recv() chunks with the number of decoded messages.'),
    keys: ['sends', 'recvs', 'recovered'],
  },
  tryIt: [
    { label: t('加长度报头（struct.pack(\'i\')）', 'With a length header (struct.pack(\'i\'))'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, frame: 'len32le', autoRun: true } } },
    { label: t('用换行分隔', 'Newline-delimited'), preset: { experiment: 'network/sticky', settings: { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, frame: 'line', autoRun: true } } },
    { label: t('启动分帧的服务器', 'Start a framed server'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'threading', frame: 'len32le', port: 0, autoStart: true } } },
  ],
  python: ['framed_server', 'framed_client'],
  historyKinds: ['net.sticky'],
  reading: readStickyRun,
}

export default lesson
