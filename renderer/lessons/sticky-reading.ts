import { t, type RunFacts, type Text } from './types'

const n = (v: unknown): number | null => (typeof v === 'number' ? v : null)

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
      `${sends} send() ${sends === 1 ? 'call was' : 'calls were'} read by ${recvs} recv() ${recvs === 1 ? 'call' : 'calls'}; ${merged} ${merged === 1 ? 'read holds' : 'reads hold'} bytes of more than one send, ${split} ${split === 1 ? 'send was' : 'sends were'} cut across reads. Where the send boundaries (top) and the read chunks (bottom) of the chart do not line up, packets stuck or split.`,
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
        `While the reader slept, the OS showed ${kernelBytes} ${kernelBytes === 1 ? 'byte' : 'bytes'} waiting in the kernel’s receive buffer; the first recv() took ${firstRecv} of them.`,
      ),
    )
  }
  if (summary.closedFirstState === 'TIME_WAIT') {
    out.push(t('关闭之后，先关闭的发送方一端留在了 TIME_WAIT 状态（内核里看到的）。', 'After the close, the sender’s end — it closed first — was left in TIME_WAIT, as the kernel showed.'))
  }
  const recovered = n(summary.recovered)
  if (recovered !== null && recovered > 0) {
    out.push(t(`分帧解出了 ${recovered} 条消息，不管字节是怎样分批到达的：看图旁列出的解出的消息。`, `Framing recovered ${recovered} ${recovered === 1 ? 'message' : 'messages'}, however the bytes arrived: see the decoded messages beside the chart.`))
  }
  const datagrams = n(summary.datagrams)
  if (datagrams !== null) {
    out.push(
      t(
        `UDP 一侧收到 ${datagrams} 个数据报，一次 recvfrom() 一个；被截断的数据报在图里是红色的，虚线框是丢掉的部分。`,
        `The UDP side received ${datagrams} ${datagrams === 1 ? 'datagram' : 'datagrams'}, one per recvfrom(); a truncated one is red in the chart, with the part thrown away in a dashed box.`,
      ),
    )
  }
  return out
}
