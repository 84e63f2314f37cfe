// The server panel's left-overs of issue 14 (h5): counters as connection-table columns, the UDP
// server's send to a recent peer, and the multicast interface of a member. Kept apart so other
// parts' catalogues merge cleanly.
import { defineCatalog } from '../catalog'

export default defineCatalog({
  en: {
    net: {
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
