/**
 * Every budget of the lab by name, with its value read from the constant that defines it and a few
 * English words saying what it counts (issue 12). ERR_LIMIT names one of these (`params.budget`),
 * with its value (`max`) and the use that hit it (`used`); the page says the name in either
 * language (renderer/i18n/messages/budgets.ts is typed by these keys, so a new budget without its
 * words fails `tsc`) and README's budget table is checked against this list.
 */
import * as b from './budgets'
import * as c from './contract'
import * as t from './task-spec'
import * as w from './transport'

const budget = (value: number, en: string) => ({ value, en })

export const BUDGETS = {
  LAB_THREAD_BUDGET: budget(b.LAB_THREAD_BUDGET, 'connection threads of all servers together'),
  LAB_CHILD_BUDGET: budget(b.LAB_CHILD_BUDGET, 'connection processes of all servers together'),
  LAB_BUFFER_BYTES: budget(b.LAB_BUFFER_BYTES, 'bytes all connections together may buffer'),
  PAGE_MAX_MESSAGE_BYTES: budget(b.PAGE_MAX_MESSAGE_BYTES, 'bytes of one request from a page'),
  PAGE_MAX_IN_FLIGHT: budget(b.PAGE_MAX_IN_FLIGHT, 'requests one page may have running'),
  PAGE_PAUSE_BYTES: budget(b.PAGE_PAUSE_BYTES, 'unread bytes before a page is no longer read'),
  PAGE_MAX_BUFFERED_BYTES: budget(b.PAGE_MAX_BUFFERED_BYTES, 'unread bytes before a page is disconnected'),
  SESSION_MAX_IN_FLIGHT_BYTES: budget(b.SESSION_MAX_IN_FLIGHT_BYTES, 'bytes one connection hands its handler before reading pauses'),
  SESSION_MAX_UNSENT_BYTES: budget(b.SESSION_MAX_UNSENT_BYTES, 'reply bytes queued for one client that does not read'),
  PANEL_SEND_OWNED_MAX_BYTES: budget(b.PANEL_SEND_OWNED_MAX_BYTES, 'bytes of one panel message to a connection its thread serves'),
  UDP_MAX_PENDING_DATAGRAMS: budget(b.UDP_MAX_PENDING_DATAGRAMS, 'datagrams one UDP server holds waiting'),
  UDP_MAX_THREADS: budget(b.UDP_MAX_THREADS, 'threads of one UDP server'),
  UDP_MAX_WAITING: budget(b.UDP_MAX_WAITING, 'datagrams waiting for a UDP thread'),
  MAX_WORKER_CONNECTIONS: budget(b.MAX_WORKER_CONNECTIONS, 'connections of one threading or forking server'),
  OS_MAX_WATCHES: budget(b.OS_MAX_WATCHES, 'process-tree watches at once'),
  EXERCISE_MAX_CHECKS: budget(b.EXERCISE_MAX_CHECKS, 'exercise checks at once'),
  COMPARE_MAX_SERIAL_SPAN_MS: budget(b.COMPARE_MAX_SERIAL_SPAN_MS, 'ms the serial row of a comparison may take'),
  MAX_ONE_SHOT_CLIENTS: budget(c.MAX_ONE_SHOT_CLIENTS, 'one-shot clients waiting for a reply at once'),
  RESERVED_DESCRIPTORS: budget(c.RESERVED_DESCRIPTORS, 'file descriptors kept free for the doors and History'),
  MAX_TCP_CLIENTS: budget(c.MAX_TCP_CLIENTS, 'persistent TCP clients open at once'),
  MAX_CLIENT_PAYLOAD_BYTES: budget(c.MAX_CLIENT_PAYLOAD_BYTES, 'bytes of one payload'),
  MAX_CLIENT_TOTAL_BYTES: budget(c.MAX_CLIENT_TOTAL_BYTES, 'bytes one send may write (payload × repeat)'),
  MAX_CLIENT_SEND_SPAN_MS: budget(c.MAX_CLIENT_SEND_SPAN_MS, 'ms the gaps of one send may last'),
  MAX_UDP_REPLIES: budget(c.MAX_UDP_REPLIES, 'UDP replies kept per send'),
  DEFAULT_MAX_FRAME_BYTES: budget(c.DEFAULT_MAX_FRAME_BYTES, 'bytes of the largest framed message'),
  MAX_DATAGRAM_BYTES: budget(c.MAX_DATAGRAM_BYTES, 'bytes of one UDP datagram'),
  STICKY_MAX_MESSAGES: budget(c.STICKY_MAX_MESSAGES, 'messages of one sticky-packet run'),
  STICKY_MAX_SEND_SPAN_MS: budget(c.STICKY_MAX_SEND_SPAN_MS, 'ms the sends of a sticky-packet run may take'),
  STICKY_MAX_READ_SPAN_MS: budget(c.STICKY_MAX_READ_SPAN_MS, 'ms the reads of a sticky-packet run may take'),
  COMPARE_MAX_CLIENTS: budget(c.COMPARE_MAX_CLIENTS, 'clients of a serial-vs-concurrent run'),
  COMPARE_MAX_MESSAGES: budget(c.COMPARE_MAX_MESSAGES, 'messages per client of a serial-vs-concurrent run'),
  COMPARE_MAX_BYTES: budget(c.COMPARE_MAX_BYTES, 'bytes per message of a serial-vs-concurrent run'),
  MAX_WORKERS: budget(c.MAX_WORKERS, 'workers of the process pool'),
  MAX_QUEUE_LIMIT: budget(c.MAX_QUEUE_LIMIT, 'tasks waiting in the process pool'),
  MAX_DEADLINE_MS: budget(c.MAX_DEADLINE_MS, 'ms deadline of one pool task'),
  MAX_TASKS: budget(t.MAX_TASKS, 'tasks in one run'),
  MAX_TASK_MS: budget(t.MAX_TASK_MS, 'ms of work of one task'),
  MAX_TOTAL_MS: budget(t.MAX_TOTAL_MS, 'ms of work of one run'),
  PYTHON_MAX_RUNNING: budget(c.PYTHON_MAX_RUNNING, 'Python programs running at once'),
  HISTORY_MAX_RESULT_BYTES: budget(c.HISTORY_MAX_RESULT_BYTES, 'bytes of one History result'),
  HISTORY_MAX_SETTINGS_BYTES: budget(c.HISTORY_MAX_SETTINGS_BYTES, 'bytes of one History record’s settings'),
  HISTORY_MAX_SUMMARY_BYTES: budget(c.HISTORY_MAX_SUMMARY_BYTES, 'bytes of one History record’s summary'),
  EVENT_BATCH_MAX: budget(w.EVENT_BATCH_MAX, 'events in one batch to the page'),
  MAX_SAVED_MESSAGES: budget(c.MAX_SAVED_MESSAGES, 'saved messages'),
  'RELAY_LIMITS.relays': budget(c.RELAY_LIMITS.relays, 'relays running at once'),
  'RELAY_LIMITS.connections': budget(c.RELAY_LIMITS.connections, 'TCP connections through one relay'),
  'RELAY_LIMITS.udpPeers': budget(c.RELAY_LIMITS.udpPeers, 'UDP clients one relay keeps'),
} as const

export type BudgetName = keyof typeof BUDGETS
