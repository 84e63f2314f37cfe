import { defineCatalog } from '../catalog'

/**
 * h3 (issue 14): the bytes of every write in the conversation, the server panel's sends told apart
 * from the handler's replies, UDP server send, and who writes a panel message in each mode.
 */
export default defineCatalog({
  en: {
    net: {
      pws: {
        /** Conversation and log: who wrote these bytes. */
        byPanel: 'from the panel',
        byPanelHint: 'You sent this from the server panel; it is not the handler’s reply.',
        byHandler: 'handler’s reply',
        logSend: '#{conn} sent {bytes} bytes (from the server panel)',
        logSendto: 'sent {bytes} bytes to {to} (from the server panel)',
        notKept: '{more} {more|byte|bytes} more not kept (an event keeps the first {kept} of the {bytes})',
        sizeOnly: 'Only this write’s size was recorded (an event from before the lab kept reply bytes).',
      },
    },
  },
  zh: {
    net: {
      pws: {
        byPanel: '来自面板',
        byPanelHint: '这是你从服务器面板发出的，不是处理函数的回复。',
        byHandler: '处理函数的回复',
        logSend: '#{conn} 发出 {bytes} 字节（来自服务器面板）',
        logSendto: '向 {to} 发出 {bytes} 字节（来自服务器面板）',
        notKept: '另有 {more} 字节未保留（每个事件只保留 {bytes} 字节中的前 {kept} 字节）',
        sizeOnly: '这次写入只记录了字节数（实验室保留回复字节之前的事件）。',
      },
    },
  },
})
