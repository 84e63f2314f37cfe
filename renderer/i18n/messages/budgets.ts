import { BUDGETS, type BudgetName } from '../../../shared/budget-registry'
import { defineCatalog } from '../catalog'

/**
 * What each budget counts, in both languages (issue 12): an ERR_LIMIT names its budget
 * (`params.budget`, shared/budget-registry.ts) and the page says which one, its value and the use
 * that reached it. Typed by the registry, so a budget without its words fails `tsc`.
 */
// The English words are the registry's own (the engine's ERR_LIMIT message says the same), not a second copy.
const namesEn = Object.fromEntries(Object.entries(BUDGETS).map(([name, b]) => [name, b.en])) as Record<BudgetName, string>

const namesZh: Record<BudgetName, string> = {
  LAB_THREAD_BUDGET: '所有服务器合计的连接线程数',
  LAB_CHILD_BUDGET: '所有服务器合计的连接进程数',
  LAB_BUFFER_BYTES: '所有连接合计可缓冲的字节数',
  PAGE_MAX_MESSAGE_BYTES: '本页面一个请求的字节数',
  PAGE_MAX_IN_FLIGHT: '本页面同时进行的请求数',
  PAGE_PAUSE_BYTES: '本页面未读字节数（超过后不再读取它的请求）',
  PAGE_MAX_BUFFERED_BYTES: '本页面未读字节数（超过后断开）',
  SESSION_MAX_IN_FLIGHT_BYTES: '一个连接交给处理函数、尚未回复的字节数（超过后暂停读取）',
  SESSION_MAX_UNSENT_BYTES: '为一个不读取的客户端排队的回复字节数',
  PANEL_SEND_OWNED_MAX_BYTES: '服务器面板发给由自己线程服务的连接的一条消息的字节数',
  UDP_MAX_PENDING_DATAGRAMS: '一个 UDP 服务器等待中的数据报数',
  UDP_MAX_THREADS: '一个 UDP 服务器的线程数',
  UDP_MAX_WAITING: '等待 UDP 线程的数据报数',
  MAX_WORKER_CONNECTIONS: '一个 threading 或 forking 服务器的连接数',
  OS_MAX_WATCHES: '同时进行的进程树监视数',
  EXERCISE_MAX_CHECKS: '同时进行的练习检查数',
  COMPARE_MAX_SERIAL_SPAN_MS: '对比实验中串行一行可用的毫秒数',
  MAX_ONE_SHOT_CLIENTS: '同时等待回复的一次性客户端数',
  RESERVED_DESCRIPTORS: '为实验室自己的窗口和历史记录保留的文件描述符数',
  MAX_TCP_CLIENTS: '同时打开的 TCP 客户端数',
  MAX_CLIENT_PAYLOAD_BYTES: '一条内容的字节数',
  MAX_CLIENT_TOTAL_BYTES: '一次发送可写出的字节数（内容 × 重复次数）',
  MAX_CLIENT_SEND_SPAN_MS: '一次发送的间隔合计毫秒数',
  MAX_UDP_REPLIES: '每次发送保留的 UDP 回复数',
  DEFAULT_MAX_FRAME_BYTES: '最大分帧消息的字节数',
  MAX_DATAGRAM_BYTES: '一个 UDP 数据报的字节数',
  STICKY_MAX_MESSAGES: '一次粘包实验的消息数',
  STICKY_MAX_SEND_SPAN_MS: '一次粘包实验发送可用的毫秒数',
  STICKY_MAX_READ_SPAN_MS: '一次粘包实验读取可用的毫秒数',
  COMPARE_MAX_CLIENTS: '串行与并发对比的客户端数',
  COMPARE_MAX_MESSAGES: '串行与并发对比中每个客户端的消息数',
  COMPARE_MAX_BYTES: '串行与并发对比中每条消息的字节数',
  MAX_WORKERS: '进程池的工作进程数',
  MAX_QUEUE_LIMIT: '进程池中等待的任务数',
  MAX_DEADLINE_MS: '一个进程池任务的截止毫秒数',
  MAX_TASKS: '一次运行的任务数',
  MAX_TASK_MS: '一个任务的工作毫秒数',
  MAX_TOTAL_MS: '一次运行的工作毫秒数',
  PYTHON_MAX_RUNNING: '同时运行的 Python 程序数',
  HISTORY_MAX_RESULT_BYTES: '一条历史记录结果的字节数',
  HISTORY_MAX_SETTINGS_BYTES: '一条历史记录设置的字节数',
  HISTORY_MAX_SUMMARY_BYTES: '一条历史记录摘要的字节数',
  EVENT_BATCH_MAX: '一批发给页面的事件数',
  MAX_SAVED_MESSAGES: '已保存的消息数',
  'RELAY_LIMITS.relays': '同时运行的中继数',
  'RELAY_LIMITS.connections': '经过一个中继的 TCP 连接数',
  'RELAY_LIMITS.udpPeers': '一个中继保留的 UDP 客户端数',
}

/** Message keys cannot hold dots: `RELAY_LIMITS.relays` is looked up as `RELAY_LIMITS_relays`. */
export const budgetKey = (name: string): string => name.replace(/\./g, '_')
const keyed = (names: Record<BudgetName, string>) => Object.fromEntries(Object.entries(names).map(([k, v]) => [budgetKey(k), v])) as Record<string, string>

export default defineCatalog({
  en: {
    budgets: {
      names: keyed(namesEn),
      inUse: 'Safety limit reached: {what} — at most {max}, {used} in use now.',
      asked: 'Safety limit reached: {what} — at most {max}, this asks for {used}.',
      left: 'Safety limit reached: {what} — {max} must stay free, only {used} would be left.',
      hintField: 'Change the highlighted value and try again.',
      hintOption: 'Change the option {name} and try again.',
      hintFixed: 'This limit is fixed: wait for running work to finish, or stop or close something first.',
    },
  },
  zh: {
    budgets: {
      names: keyed(namesZh),
      inUse: '达到了安全上限：{what}——最多 {max}，现在已用 {used}。',
      asked: '达到了安全上限：{what}——最多 {max}，这次要求 {used}。',
      left: '达到了安全上限：{what}——须保留 {max}，只会剩下 {used}。',
      hintField: '修改高亮的值后再试。',
      hintOption: '修改选项 {name} 后再试。',
      hintFixed: '这个上限是固定的：等正在进行的工作完成，或先停止、关闭一些。',
    },
  },
})
