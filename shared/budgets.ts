/**
 * The lab-wide budgets, said once (issue 12): how many connection threads and processes, how many
 * buffered bytes, and what one browser page may ask of the lab. The engine and browser mode
 * enforce them, the README's budget table restates them and tests/unit/readme-budgets.test.ts
 * checks the two agree. Over a budget: ERR_LIMIT with the number.
 */
import type { ServerMode } from './contract/net'

/** Connection threads of all servers together (spares included): a Node worker costs ~10 MB and ~20 ms of CPU to start. */
export const LAB_THREAD_BUDGET = 128
/** Connection processes of all servers together (spares included): a Node child costs ~46 MB. Python's ForkingMixIn caps at 40 too. */
export const LAB_CHILD_BUDGET = 40
/** Bytes all connections together may hold for messages not yet complete and replies not yet taken. */
export const LAB_BUFFER_BYTES = 64 * 1024 * 1024

/** Connections one server keeps open when the request does not say `maxConnections`: one thread or process each in threading/forking. */
export const DEFAULT_MAX_CONNECTIONS: Readonly<Record<ServerMode, number>> = { serial: 2_000, async: 2_000, threading: 64, forking: 64 }

/** Browser mode: the largest request one page may send in one WebSocket message. */
export const PAGE_MAX_MESSAGE_BYTES = 1024 * 1024
/** Requests one page may have running at once (a request holds its slot until its answer is written); more are ERR_LIMIT. */
export const PAGE_MAX_IN_FLIGHT = 64
/** Answers and events queued for a page that does not read: above this, events are dropped (counted) and its requests no longer read. */
export const PAGE_PAUSE_BYTES = 8 * 1024 * 1024
/** A page whose queue still passes this many bytes is disconnected rather than allowed to grow the lab. */
export const PAGE_MAX_BUFFERED_BYTES = 16 * 1024 * 1024

// ── Caps inside the engine (issue 12: every queue, buffer, thread and child has a budget, said here) ──

/** Bytes one connection hands to an `ordered` handler and not answered yet, before its reading pauses. */
export const SESSION_MAX_IN_FLIGHT_BYTES = 1024 * 1024
/**
 * Reply bytes queued for one client that does not read, before the connection is cut (a server's
 * send from the panel is refused instead). Four times the kernel's largest default send buffer
 * on Linux, so a client that reads at all never meets it; a framed server adds one whole frame.
 */
export const SESSION_MAX_UNSENT_BYTES = 4 * 1024 * 1024
/**
 * Bytes of one message the server panel sends on a connection its own thread serves (threading,
 * issue 14); also what may wait in that socket's send queue with it. The lab's main thread writes only
 * when both together are at most half the kernel's default TCP send buffer (16 KiB, the middle of
 * net.ipv4.tcp_wmem), so the kernel takes all of it at once and the main thread never waits in send().
 */
export const PANEL_SEND_OWNED_MAX_BYTES = 8 * 1024
/** Datagrams one UDP server holds waiting (delayed replies, the serial queue); one more is not answered (ERR_LIMIT event). */
export const UDP_MAX_PENDING_DATAGRAMS = 1024
/**
 * Peers (address:port) one UDP server remembers as recent: the addresses that sent it a datagram,
 * the only ones the server panel may send to (a UDP server has no connections). The one heard from
 * longest ago goes first; a learner's few clients fit many times over.
 */
export const UDP_RECENT_PEERS = 32
/** Threads one UDP server in threading mode runs at most (the lab-wide thread budget caps all servers together). */
export const UDP_MAX_THREADS = 32
/** Datagrams that may wait for a free UDP thread; past this a flood is refused, not queued. */
export const UDP_MAX_WAITING = 1024
/** A threading or forking server starts one thread or process per connection: its `maxConnections` may be at most this. */
export const MAX_WORKER_CONNECTIONS = 256
/** Process-tree watches running at once (each samples the OS every few hundred ms); a new one stops the oldest. */
export const OS_MAX_WATCHES = 16
/** Exercise checks running at once (each runs the learner's program). */
export const EXERCISE_MAX_CHECKS = 1
/** The serial row of a serial-vs-concurrent run may need at most this long (clients × messages × handler delay). */
export const COMPARE_MAX_SERIAL_SPAN_MS = 120_000

// ── Internal caps of the engine's own bookkeeping (issue 12): no list, ring or read grows without one ──
// None of these is an ERR_LIMIT a learner meets; each says what happens when it is reached.

/** Processes the CPU sampler follows in one run: MAX_WORKERS children of a pool, never more; later ones go unsampled. */
export const CPU_SAMPLER_MAX_TRACKED = 64
/** Readings the CPU sampler keeps in all (pids × ticks): 120 s of 16 children at 10 ms (~5 MB). Past it sampling stops, and the run says so. */
export const CPU_SAMPLER_MAX_SAMPLES = 200_000
/** Slices one pool task records of its own CPU time (the Gantt's bars); past twice this many, neighbours are merged, so a long task sends ~2 KB, not one entry per preemption. */
export const POOL_TASK_MAX_SLICES = 128
/** Connections the socket table remembers as the lab's after their fd is gone (so their TIME_WAIT is still attributed, for 120 s): twenty 1,000-connection runs in that time (~2 MB); past it the oldest goes first. */
export const SOCKET_TABLE_SEEN_MAX = 20_000
/** Decoded addresses the Linux socket table caches (hex → dotted text); cleared when full: a table names few addresses, thousands only under a scan. */
export const SOCKET_TABLE_NAMES_MAX = 4_096
/** The text of one /proc/net table may grow to this (≈ 440,000 sockets at 150 bytes a row); beyond it the rest is not read and the table says so. */
export const PROC_NET_MAX_BYTES = 64 * 1024 * 1024
/** Exited Python peers kept in the list (their output can still be read); older ones are forgotten: a lesson's few runs fit, a loop of restarts does not grow the lab. */
export const PYTHON_KEEP_EXITED = 20
/** Lines of a checked exercise program's output kept per stream (the newest), for the check's report; ~100 KB at most with EXERCISE_PEER_LINE_CHARS. */
export const EXERCISE_PEER_KEEP_LINES = 200
/** Characters kept of one such line: a line is evidence for the learner, not a log; a program printing one endless line cannot grow the lab. */
export const EXERCISE_PEER_LINE_CHARS = 500
/**
 * Bytes of the event ring a connection thread shares with the main thread (shared-conn.ts): the main
 * thread empties it every 50 ms; 256 KiB holds thousands of records (13 bytes plus a short hex
 * preview each) of one fast connection in that time. When full, events are dropped and counted, the
 * thread never waits.
 */
export const CONN_EVENT_RING_BYTES = 256 * 1024
/**
 * Times the server panel's send tries a connection its own thread serves (owned-send.ts), 1, 2, 4 …
 * ms apart (≈ 63 ms in all), while the thread holds the send lock (writing a reply) or its send queue
 * is too full: a reply that fits the kernel's buffer takes microseconds and a reading client
 * acknowledges within a delayed ACK (≤ 40 ms), so still busy after these tries means a client that
 * does not read. The send is then refused (ERR_SEND_WOULD_BLOCK); the main thread never waits on the
 * lock or in send(). Few, because each try reads the kernel's TCP table.
 */
export const PANEL_SEND_TRIES = 7
/** A connection thread or child reads this much at once when no recv(n) is set: libuv's read size, so threading/forking read as async mode does. */
export const BLOCKING_READ_BYTES = 64 * 1024
/** One line of the saved-messages file: a payload of MAX_SAVED_PAYLOAD_CHARS characters at up to 6 bytes each as JSON (\uXXXX) and its fields. A longer line is damaged, kept aside. */
export const SAVED_MAX_LINE_BYTES = 64 * 1024
/** The last-session file (the servers and clients to restore): 32 set-ups of a few hundred bytes each fit many times; a bigger file is damaged, not read. */
export const LAST_SESSION_MAX_FILE_BYTES = 256 * 1024
/** UDP handler threads starting at once: each costs ~20 ms of CPU, and a burst starting 30 at once starves the threads already running. */
export const UDP_MAX_STARTING_THREADS = 2

// ── How long the engine waits, at most (issue 15: a duration cap is a budget too, said here with why) ──
// None is an ERR_LIMIT a learner can change; each says what happens when it passes.

/** A counter run (start-up and counting, plus its holdMs) may take this long, then every thread or child is stopped and the run fails: 64 workers × 10⁷ increments take seconds, a minute only when something is stuck. */
export const COUNTER_DEADLINE_MS = 60_000
/** A sticky-packet run (sends, reads, the UDP half) must end within this, or fails with ERR_TIMEOUT: twice its longest read span (STICKY_MAX_READ_SPAN_MS), so only a stuck run meets it. */
export const STICKY_RUN_DEADLINE_MS = 60_000
/** After the sticky run's last datagram, how long its UDP half waits for stragglers: loopback delivers in microseconds, a second covers a loaded machine. */
export const STICKY_UDP_WAIT_MS = 1_000
/** How long the sticky run looks for the sender's TIME_WAIT after the close: it appears within a round trip on loopback; past this the run says it was not seen. */
export const STICKY_CLOSE_WAIT_MS = 2_000
/** A pool child has this long to start (fork, load the engine's child bundle, say ready), then it is killed and the run fails: ~150 ms on a quiet machine, seconds under heavy load. */
export const POOL_STARTUP_TIMEOUT_MS = 30_000
/** After asking a pool child to stop, how long before it is killed (SIGKILL): enough to flush its last message, short enough that a cancel feels immediate. */
export const POOL_KILL_GRACE_MS = 500
/** After our FIN (a server stopping, a client closing), how long the other side has to finish before the socket is destroyed: a round trip on loopback is far less; a peer that lingers does not hold a stop. */
export const CONNECTION_CLOSE_GRACE_MS = 500
/** A TCP reply counts as complete when nothing more came this long after its last bytes (the one-shot client, `lab send`, `lab saved send`): a server's reply on loopback arrives in one burst, well within it. */
export const TCP_REPLY_QUIET_MS = 150
/** A closed connection seen as one of the lab's open files is still attributed to the lab this long (its TIME_WAIT lasts 60 s on Linux; twice that covers a slow table read). */
export const SOCKET_TABLE_SEEN_MS = 120_000
/** How long an IPv6 TCP socket can leave rows behind after the last open one closed (TIME_WAIT 60 s, a SYN_RECV's retries ~63 s): until then the IPv6 table is still read. */
export const SOCKET_TABLE_V6_OUTLIVE_MS = 120_000
/** A Python server (a lesson's program, the comparison's) has this long to print "listening on …", then it is stopped and the start fails: Python starts in ~50 ms, 10 s covers a cold disk. */
export const PYTHON_READY_TIMEOUT_MS = 10_000
/** After asking a Python peer to stop (SIGTERM), how long before it is killed. */
export const PYTHON_STOP_GRACE_MS = 2_000
/** One Python candidate (python3, python, py) may take this long to print its version; a slower one counts as missing. */
export const PYTHON_PROBE_TIMEOUT_MS = 3_000
/** `taskset` (pinning a task to one CPU) may take this long; past it pinning is reported as unavailable, the task runs anyway. */
export const AFFINITY_TOOL_TIMEOUT_MS = 5_000
/** A UDP handler thread beyond the spares that has had nothing to do this long ends (Python's ends after every datagram; a burst reuses the ones still there). */
export const UDP_THREAD_RETIRE_IDLE_MS = 5_000
/** CPU marks of a process or thread not seen again for this long are forgotten, so the process-tree's map cannot grow without bound. */
export const PROCESS_TREE_FORGET_MS = 60_000
/** One reply of the load client (`lab bench`, the comparison's clients) when the caller sets none: past it the client fails with ERR_TIMEOUT. A loopback reply takes microseconds; a comparison waits at least this, longer when its serial row needs it. */
export const LOAD_REPLY_TIMEOUT_MS = 30_000
/** Desktop: how long a window may stay hidden waiting for its first paint before it is shown anyway (electron/electron #7779: the paint event can go missing). */
export const WINDOW_SHOW_FALLBACK_MS = 3_000
/** Desktop: quitting waits this long for the engine to close (servers, children), then exits anyway; the children still exit on their own as they watch their parent (docs/SECURITY.md item 31). */
export const QUIT_LIMIT_MS = 3_000
