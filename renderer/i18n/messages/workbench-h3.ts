// Workbench left-overs (h3, issue 14): a hex payload the engine could not read, said in the
// learner's language; the UDP server's multicast interface; UDP senders in the last-session offer.
// Kept apart so other parts' catalogues merge cleanly.
import { defineCatalog } from '../catalog'
export default defineCatalog({
  en: {
    errorText: {
      hexChar: 'Not hex: character {position} is not a hex digit; use 0-9 and a-f, two per byte (e.g. "48 69").',
      hexOdd: 'Not hex: {digits} digits is an odd number; each byte needs two (e.g. "0a", not "a").',
    },
    net: {
      restore: {
        offerUdp: ', {udp} UDP {udp|set-up|set-ups}',
        offerUdpOnly: 'Restore last session: {udp} UDP {udp|set-up|set-ups}',
        udpItem: 'UDP sender → {where}: “{payload}”',
        udpItemHex: 'UDP sender → {where}: hex {payload}',
        udpDone: 'The UDP sender has {n} {n|set-up|set-ups} from the last session again, filled in but not sent.',
      },
      udpRestored: {
        label: 'From the last session',
        use: 'Fill in the set-up for {where}',
      },
      cast: {
        serverIfaceHint: 'The interface (its IPv4 address) the server joins the group on. {loopback} is loopback: the group’s datagrams stay on this machine.',
        serverIfaceNeedsConsent: 'Joining the group on {iface} receives datagrams from the network: tick “{consent}” above, or use loopback.',
      },
    },
  },
  zh: {
    errorText: {
      hexChar: '不是十六进制：第 {position} 个字符不是十六进制数字；请用 0-9 和 a-f，每个字节两位（例如 "48 69"）。',
      hexOdd: '不是十六进制：{digits} 位数字是奇数；每个字节需要两位（例如 "0a"，而不是 "a"）。',
    },
    net: {
      restore: {
        offerUdp: '，{udp} 个 UDP 发送设置',
        offerUdpOnly: '恢复上次的会话：{udp} 个 UDP 发送设置',
        udpItem: 'UDP 发送 → {where}：“{payload}”',
        udpItemHex: 'UDP 发送 → {where}：十六进制 {payload}',
        udpDone: 'UDP 发送表单又有了上次会话的 {n} 个设置：已填好，但没有发送。',
      },
      udpRestored: {
        label: '上次会话的设置',
        use: '填入发往 {where} 的设置',
      },
      cast: {
        serverIfaceHint: '服务器在哪个网卡（它的 IPv4 地址）上加入组。{loopback} 是回环网卡：组里的数据报只留在本机。',
        serverIfaceNeedsConsent: '在 {iface} 上加入组会收到来自网络的数据报：请先勾选上面的“{consent}”，或使用回环网卡。',
      },
    },
  },
})
