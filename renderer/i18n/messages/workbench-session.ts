import { defineCatalog } from '../catalog'

/** Restoring the last session after a restart (h4, issue 14): the offer above the server panel. */
export default defineCatalog({
  en: {
    net: {
      restore: {
        label: 'Last session',
        offer: 'Restore last session: {servers} {servers|server|servers}, {clients} {clients|client|clients}',
        go: 'Restore',
        dismiss: 'Not now',
        clientItem: 'client → {where}',
        damaged: 'The file remembering the last session could not be read, so there is nothing to restore; the lab started as usual and kept a copy of the file.',
        done: 'Restored: {ok} started, {failed} could not start.',
        close: 'Close',
      },
    },
  },
  zh: {
    net: {
      restore: {
        label: '上次的会话',
        offer: '恢复上次的会话：{servers} 个服务器，{clients} 个客户端',
        go: '恢复',
        dismiss: '暂不',
        clientItem: '客户端 → {where}',
        damaged: '记录上次会话的文件无法读取，所以没有可恢复的内容；实验室已照常启动，并保留了该文件的副本。',
        done: '已恢复：{ok} 个已启动，{failed} 个无法启动。',
        close: '关闭',
      },
    },
  },
})
