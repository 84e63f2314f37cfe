// UDP broadcast and multicast (h5, issue 14): the UDP sender's and the UDP server's fields and
// hints. Kept apart so other parts' catalogues merge cleanly.
import { defineCatalog } from '../catalog'
export default defineCatalog({
  en: {
    net: {
      cast: {
        legend: 'Broadcast and multicast',
        hint: 'Broadcast: one datagram to every host of a network (here 127.255.255.255, the loopback network). The socket must ask for it (SO_BROADCAST), or the OS refuses the send. Multicast: one datagram to every member of a group (224.0.0.0–239.255.255.255; 239.x.x.x is for private use); only hosts that joined the group receive it, and it leaves by one interface (here 127.0.0.1, so it stays on this machine). Either way any number of hosts may answer, so the sender waits the whole reply time.',
        broadcast: 'Broadcast (SO_BROADCAST)',
        iface: 'Multicast interface',
        ttl: 'TTL',
        beyond: 'Also beyond this machine',
        beyondHint: 'Any other broadcast address, or multicast on another interface, reaches the network: the same consent as listening on every interface.',
        tryBroadcast: 'Try broadcast',
        tryMulticast: 'Try multicast',
        kind: { unicast: 'to one host', broadcast: 'broadcast', multicast: 'multicast via {iface}, TTL {ttl}' },
        group: 'Multicast group (optional)',
        groupPlaceholder: 'e.g. 239.1.2.3',
        serverHint: 'Joining a group (addMembership) makes this server a member: it binds the group address itself, because a socket bound to 127.0.0.1 never receives datagrams addressed to a group. Several servers may join one group on one port: each receives every datagram sent to it. To receive broadcasts instead, use host 127.255.255.255. Windows cannot bind a group address: there a member binds 0.0.0.0.',
        member: 'member of {group} on {iface}',
      },
    },
  },
  zh: {
    net: {
      cast: {
        legend: '广播与组播',
        hint: '广播：一个数据报发给一个网络里的每台主机（这里是 127.255.255.255，即回环网络）。套接字必须请求广播（SO_BROADCAST），否则操作系统拒绝发送。组播：一个数据报发给一个组的每个成员（224.0.0.0–239.255.255.255；239.x.x.x 供私用）；只有加入了该组的主机才会收到，而且它只从一个网卡发出（这里是 127.0.0.1，所以留在本机）。两种情况下都可能有任意多台主机回复，所以发送方会等满整个回复等待时间。',
        broadcast: '广播（SO_BROADCAST）',
        iface: '组播网卡',
        ttl: 'TTL',
        beyond: '也发往本机以外',
        beyondHint: '其他广播地址，或在其他网卡上的组播，都会进入网络：与在所有网卡上监听需要的同意相同。',
        tryBroadcast: '试试广播',
        tryMulticast: '试试组播',
        kind: { unicast: '发给一台主机', broadcast: '广播', multicast: '组播，经 {iface}，TTL {ttl}' },
        group: '组播组（可选）',
        groupPlaceholder: '例如 239.1.2.3',
        serverHint: '加入一个组（addMembership）后，这个服务器就是该组的成员：它绑定组地址本身，因为绑定在 127.0.0.1 的套接字永远收不到发往组的数据报。多个服务器可以在同一端口加入同一个组：每个都会收到发往该组的每个数据报。若要接收广播，请把主机设为 127.255.255.255。Windows 不能绑定组地址：在那里成员要绑定 0.0.0.0。',
        member: '{group} 的成员，网卡 {iface}',
      },
    },
  },
})
