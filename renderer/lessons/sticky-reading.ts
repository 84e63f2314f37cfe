import { num as n, plural } from './reading'
import { t, type RunFacts, type Text } from './types'

/**
 * Reads a sticky-packet run (lessons 9–11 share it): how the sends and reads lined up, what
 * framing recovered, what UDP kept — and why when the boundaries happened to survive.
 */
export function readStickyRun({ kind, summary }: RunFacts): Text[] {
  if (kind !== 'net.sticky') return []
  const sends = n(summary.sends)
  const recvs = n(summary.recvs)
  if (sends === null || recvs === null) return []
  const out: Text[] = []
  const merged = n(summary.merged) ?? 0
  const split = n(summary.split) ?? 0
  out.push(
    t(
      `${sends} 次 send() 由 ${recvs} 次 recv() 读完；${merged} 次读取里含有不止一次发送的字节，${split} 次发送被拆到了几次读取里。图上发送的边界（上）和读取的块（下）对不齐的地方，就是粘包或拆包。`,
      `${sends} send() ${plural(sends, 'call was', 'calls were')} read by ${recvs} recv() ${plural(recvs, 'call', 'calls')}; ${merged} ${plural(merged, 'read holds', 'reads hold')} bytes of more than one send, ${split} ${plural(split, 'send was', 'sends were')} cut across reads. Where the send boundaries (top) and the read chunks (bottom) of the chart do not line up, packets stuck or split.`,
    ),
  )
  if (recvs === sends && merged === 0 && split === 0) {
    out.push(
      t(
        '这一次边界碰巧保留了：接收方读得比发送方发得快（读取延迟为 0，或发送之间有间隔），每次 recv() 时缓冲区里正好只有一条。这是时机的巧合，不是 TCP 的保证。',
        'This time the boundaries happened to survive: the receiver read faster than the sender sent (no read delay, or gaps between sends), so each recv() found exactly one message waiting. That is timing, not a promise TCP makes.',
      ),
    )
  }
  // The kernel's own figures from the run (os socket table): why the sends merged.
  const kernelBytes = n(summary.kernelBytes)
  const firstRecv = n(summary.firstRecvBytes)
  if (kernelBytes !== null && firstRecv !== null) {
    out.push(
      t(
        `接收方睡着的时候，从操作系统读到：内核接收缓冲区里等着 ${kernelBytes} 个字节；第一次 recv() 取走了其中 ${firstRecv} 个。`,
        `While the reader slept, the OS showed ${kernelBytes} ${plural(kernelBytes, 'byte', 'bytes')} waiting in the kernel’s receive buffer; the first recv() took ${firstRecv} of them.`,
      ),
    )
  }
  if (summary.closedFirstState === 'TIME_WAIT') {
    out.push(t('关闭之后，先关闭的发送方一端留在了 TIME_WAIT 状态（内核里看到的）。', 'After the close, the sender’s end — it closed first — was left in TIME_WAIT, as the kernel showed.'))
  }
  const recovered = n(summary.recovered)
  if (recovered !== null && recovered > 0) {
    out.push(t(`分帧解出了 ${recovered} 条消息，不管字节是怎样分批到达的：看图旁列出的解出的消息。`, `Framing recovered ${recovered} ${plural(recovered, 'message', 'messages')}, however the bytes arrived: see the decoded messages beside the chart.`))
  }
  // The UDP half's kernel evidence: the receiver slept, the datagrams waited in the kernel, and still one recvfrom() took one.
  const udpWaiting = n(summary.udpWaiting)
  const udpBytes = n(summary.udpWaitingBytes)
  const udpMem = n(summary.udpKernelBytes)
  const delay = n(summary.readDelayMs)
  if (udpWaiting !== null && udpBytes !== null && udpMem !== null && delay !== null) {
    const reads = n(summary.datagrams) ?? udpWaiting
    out.push(
      t(
        `UDP 接收方第一次 recvfrom() 之前睡了 ${delay} 毫秒，从操作系统读到：${udpWaiting} 个数据报（共 ${udpBytes} 字节数据，占用 ${udpMem} 字节内核内存）在它的内核接收缓冲区里等着。它们都已经在那里，可接收方仍然用了 ${reads} 次 recvfrom()，一次一个——不像 TCP 那样一次全部取走。`,
        `Before the UDP receiver’s first recvfrom() it slept ${delay} ms, and the OS showed ${udpWaiting} ${plural(udpWaiting, 'datagram', 'datagrams')} (${udpBytes} ${plural(udpBytes, 'byte', 'bytes')} of data, ${udpMem} bytes of kernel memory) waiting in its kernel receive buffer. All of them were there, yet the receiver needed ${reads} recvfrom() ${plural(reads, 'call', 'calls')}, one datagram each — not one read taking everything, as on TCP.`,
      ),
    )
  }
  const truncated = n(summary.udpTruncated)
  if (truncated !== null && truncated > 0) {
    out.push(
      t(
        `${truncated} 个数据报比 recvfrom(n) 的 n 大，被截断了：多出的部分没有留给下一次读取。`,
        `${truncated} ${plural(truncated, 'datagram was', 'datagrams were')} larger than recvfrom(n)’s n and truncated: the rest did not wait for the next read.`,
      ),
    )
  }
  const datagrams = n(summary.datagrams)
  if (datagrams !== null) {
    out.push(
      t(
        `UDP 一侧收到 ${datagrams} 个数据报，一次 recvfrom() 一个；被截断的数据报在图里是红色的，虚线框是丢掉的部分。`,
        `The UDP side received ${datagrams} ${plural(datagrams, 'datagram', 'datagrams')}, one per recvfrom(); a truncated one is red in the chart, with the part thrown away in a dashed box.`,
      ),
    )
  }
  return out
}
