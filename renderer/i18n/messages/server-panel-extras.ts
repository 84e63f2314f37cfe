// The server panel's left-overs of issue 14 (h5): counters as connection-table columns, the UDP
// server's send to a recent peer, and the multicast interface of a member. Kept apart so other
// parts' catalogues merge cleanly.
import { defineCatalog } from '../catalog'

export default defineCatalog({
  en: {
    net: {
      usend: {
        intro: 'Like NetAssist’s UDP server mode: a UDP server has no connections, so it sends a datagram from its own port to an address that sent it one (it remembers the last {n}), or to all of them.',
        none: 'Nobody has sent this server a datagram yet: send one from a UDP client first.',
        all: 'All recent peers ({n})',
        peer: '{peer} · {n} {n|datagram|datagrams}',
        sent: 'Sent {bytes} {bytes|byte|bytes} to {targets}.',
        peers: 'Recent peers',
        peersNone: 'No peer yet: every address that sends this server a datagram is listed here.',
        peerCol: 'Peer',
      },
      cc: {
        in: 'In',
        out: 'Out',
        rate: 'Rate',
        last: 'Last activity',
        resetCol: 'Reset counters',
        resetConn: 'Reset the counters of connection #{conn}',
        resetPeer: 'Reset the counters of peer {peer}',
        rateInHint: 'Bytes received over the last whole second',
        rateOutHint: 'Bytes sent over the last whole second',
        ago: '{s} s ago',
        idle: 'no traffic',
        countedHint: 'Counted by the lab since the connection opened or its last reset; Reset zeroes one row, the server’s Reset above zeroes every row.',
      },
    },
  },
  zh: {
    net: {
      usend: {
        intro: '和网络调试助手的 UDP 服务器模式一样：UDP 服务器没有连接，所以它从自己的端口把数据报发往给它发过数据报的地址（它记住最近的 {n} 个），或发给所有这些地址。',
        none: '还没有谁给这个服务器发过数据报：先从一个 UDP 客户端发一个。',
        all: '所有最近的对端（{n} 个）',
        peer: '{peer} · {n} 个数据报',
        sent: '已向 {targets} 发送 {bytes} 字节。',
        peers: '最近的对端',
        peersNone: '还没有对端：每个给这个服务器发数据报的地址都会列在这里。',
        peerCol: '对端',
      },
      cc: {
        in: '收',
        out: '发',
        rate: '速率',
        last: '最近活动',
        resetCol: '计数清零',
        resetConn: '把连接 #{conn} 的计数清零',
        resetPeer: '把对端 {peer} 的计数清零',
        rateInHint: '最近一整秒收到的字节',
        rateOutHint: '最近一整秒发出的字节',
        ago: '{s} 秒前',
        idle: '还没有流量',
        countedHint: '由实验室计数，从连接建立或上次清零算起；“清零”只清这一行，上面服务器的“清零”清所有行。',
      },
    },
  },
})
