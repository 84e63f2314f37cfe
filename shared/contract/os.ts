/**
 * The OS view of the lab: its process and thread tree read from the operating system
 * (Linux /proc, macOS `ps`, Windows PowerShell), the threads-vs-processes counter, and the
 * multiprogramming simulator (a SIMULATION, after OSTEP's `cpu-intro/process-run.py`).
 */
import { boolean, int, object, oneOf, optional, string } from '../schema'
import { method } from './spec'

// ─── process and thread tree ────────────────────────────────────────────────────────────

/**
 * What the lab knows a process is for. `main` = the engine's own process (Electron main, the
 * browser-mode host or the CLI); `renderer`/`gpu`/`utility`/`zygote` = Electron's helpers
 * (from their `--type=` argument); `pool` = a process-pool child; `connection` = a forking
 * server's per-connection child; `counter` = a counter child; `python-peer` = a course Python
 * program the lab started; `child` = any other process the lab started.
 */
export type ProcessRole =
  | 'main'
  | 'renderer'
  | 'gpu'
  | 'utility'
  | 'zygote'
  | 'pool'
  | 'connection'
  | 'counter'
  | 'python-peer'
  | 'child'

/**
 * What the lab knows a thread is for. `main` = a process's main thread (TID = PID); `libuv` =
 * libuv's thread pool; `v8` = V8 platform workers; `inspector`/`signal` = Node's helpers;
 * `connection` = a threading server's per-connection worker; `counter` = a counter worker;
 * `worker` = any other worker thread the lab started. Node 20 names every thread "node", so
 * only registered threads and the main thread are labelled there; newer runtimes and Electron
 * name their threads (`libuv-worker`, `V8Worker`, …) and are labelled by name.
 */
export type ThreadRole = 'main' | 'libuv' | 'v8' | 'inspector' | 'signal' | 'connection' | 'counter' | 'worker'

/**
 * Normalised scheduler state. `stateCode` keeps the OS's own letter (Linux/macOS `R`, `S`,
 * `D`, `T`, `Z`, `I`, …; Windows has no per-process state: `unknown`).
 */
export type OsState = 'running' | 'sleeping' | 'disk-sleep' | 'stopped' | 'zombie' | 'idle' | 'dead' | 'unknown'

export interface OsThread {
  tid: number
  /** The thread's name as the OS has it (Linux `comm`, at most 15 bytes). */
  name: string
  state: OsState
  stateCode: string
  /** CPU use of this thread in percent of ONE core; null where the OS does not tell. */
  cpuPercent: number | null
  role?: ThreadRole
  /** Set by the part of the lab that created the thread, e.g. "connection #3", "counter 2/4". */
  label?: string
}

export interface OsProcess {
  pid: number
  ppid: number
  /** Short name (Linux `comm`, macOS `comm`, Windows image name). */
  name: string
  /** Full command line, arguments joined by spaces; "" where the OS does not give it (kernel threads, zombies, other users). */
  cmd: string
  state: OsState
  stateCode: string
  /**
   * CPU use in percent of ONE core (200 = two cores busy), like `top`. On Linux it is the
   * utime+stime delta between two samples (`cpuBasis: 'interval'`); for a process seen for the
   * first time it is the average since the process started (`cpuBasis: 'lifetime'`).
   */
  cpuPercent: number
  cpuBasis: 'interval' | 'lifetime'
  /** Total CPU time (user + system) used so far, in ms; null where the OS does not tell. */
  cpuMs: number | null
  /** Resident memory in bytes; null where the OS does not tell. */
  rssBytes: number | null
  /** Start time, epoch ms. */
  startedAt?: number
  role?: ProcessRole
  label?: string
  /** Number of threads as the OS counts them (may exceed `threads.length` where the list is capped). */
  threadCount: number
  threads: OsThread[]
}

export interface OsTree {
  /** Parents before children (depth-first from the root); `processes[0]` is the root. */
  processes: OsProcess[]
  /** The root of this tree: the engine's PID, or the PID asked for. */
  rootPid: number
  /** The engine's own PID (role `main`). */
  enginePid: number
  sampledAt: number
  /** `process.platform` of the engine: linux, darwin, win32. */
  platform: string
  /** Where the numbers come from. */
  source: 'procfs' | 'ps' | 'powershell'
  /** How long this sample took to read, in ms. */
  sampleMs: number
  /** What this OS (or this way of reading it) cannot tell, in plain English, one fact per line. */
  limits: string[]
}

/** Payload of topic 'os.tree': one snapshot per interval while any watch is active. */
export interface OsTreeSnapshot extends OsTree {
  /** The watch this snapshot belongs to (from `os.watch.start`). */
  watchId: string
  /** When the event was emitted, epoch ms (every event topic carries `at`). */
  at: number
  /** Increases by one per snapshot. */
  seq: number
  /** PIDs in this snapshot that were not in the previous one (all PIDs in the first snapshot). */
  added: number[]
  /** PIDs in the previous snapshot that are gone (exited, or no longer descendants). */
  exited: number[]
  /** TIDs that appeared / disappeared since the previous snapshot, for highlighting threads. */
  addedThreads: number[]
  exitedThreads: number[]
}

export interface OsWatchInfo {
  watchId: string
  intervalMs: number
  /** How many watches are active (the sampler runs at the smallest interval of them). */
  active: number
}

// ─── threads vs processes counter ───────────────────────────────────────────────────────

export type CounterKind = 'threads' | 'processes'

export interface CounterWorkerResult {
  pid: number
  /** Thread id as the OS numbers it (Linux TID); for a child process its main thread (= pid). Null where unknown. */
  tid: number | null
  /**
   * Threads: the shared counter's value right after this worker's last write.
   * Processes: that child's OWN counter at the end (its private copy, = increments).
   */
  final: number
  /** How many increments this worker performed. */
  increments: number
}

export interface CounterResult {
  kind: CounterKind
  n: number
  /** Increments per worker. */
  increments: number
  atomic: boolean
  /** n × increments: what the counter would read if no update were lost and memory were shared. */
  expected: number
  /**
   * Threads: the shared counter (a SharedArrayBuffer Int32Array) at the end.
   * Processes: the PARENT's counter at the end — unchanged (0), since each child has its own memory.
   */
  final: number
  /** Threads: expected − final (updates overwritten by a concurrent read-modify-write; 0 with atomics). Processes: expected − final (all of them: none reached the parent). */
  lost: number
  perWorker: CounterWorkerResult[]
  /** From the moment all workers were released until the last finished, ms (excludes startup and holdMs). */
  elapsedMs: number
}

// ─── multiprogramming simulator (a simulation) ──────────────────────────────────────────

export type SimInstruction = 'cpu' | 'io' | 'io_done'
export type SimState = 'RUN:cpu' | 'RUN:io' | 'RUN:io_done' | 'READY' | 'BLOCKED' | 'DONE'

export interface SimTick {
  tick: number
  /** An I/O completed at this tick (process-run prints `*` after the time). */
  ioDone: boolean
  /** One state per simulated process, index = simulated PID. */
  states: SimState[]
  /** How many simulated CPUs ran an instruction this tick (0 or 1 with one CPU, as process-run's column). */
  cpu: number
  /** How many I/Os were in flight this tick (the device is busy when > 0). */
  io: number
  /** Several CPUs or a time slice (the lab's extension): the CPU (0-based) each process ran on this tick, else null. */
  onCpu?: (number | null)[]
  /** PIDs whose time slice ran out at the end of this tick (put back in the ready queue). */
  preempted?: number[]
}

export interface SimResult {
  /** Always true: this is not a measurement. */
  simulation: true
  switchOn: 'io' | 'end'
  ioDone: 'later' | 'immediate'
  ioLength: number
  seed: number
  /** The instruction list of each simulated process (`io` is always followed by `io_done`). */
  programs: SimInstruction[][]
  totalTime: number
  cpuBusy: number
  ioBusy: number
  /** cpuBusy / totalTime and ioBusy / totalTime, 0..1. */
  cpuUtilization: number
  ioUtilization: number
  trace: SimTick[]
  /** The lab's extension beyond process-run.py (present only when used): simulated CPUs sharing one ready queue, … */
  cpus?: number
  /** … the time slice in ticks (a CPU-bound process is preempted after this many ticks if another is ready), … */
  quantum?: number
  /** … and how many times a slice ran out and the process was put back in the queue. */
  preemptions?: number
}

/** `instructions:percent-cpu` per process, comma-separated, as process-run's `-l` (e.g. "5:100,1:0"). */
export const SIM_PROCS_PATTERN = /^\d{1,3}:\d{1,3}(,\d{1,3}:\d{1,3}){0,7}$/
/** Explicit steps as process-run's `-P`: processes separated by `:`, steps `cN` (N CPU ticks) or `i` (one I/O), e.g. "c3,i,c1:c5". */
export const SIM_PROGRAM_PATTERN = /^(c\d{1,3}|i)(,(c\d{1,3}|i)){0,49}(:(c\d{1,3}|i)(,(c\d{1,3}|i)){0,49}){0,7}$/
export const SIM_MAX_PROCESSES = 8
export const SIM_MAX_INSTRUCTIONS = 50
export const SIM_MAX_IO_LENGTH = 20
/** The lab's extension of process-run: at most this many simulated CPUs, and time slices of 1 to SIM_MAX_QUANTUM ticks. */
export const SIM_MAX_CPUS = 8
export const SIM_MAX_QUANTUM = 20
export const COUNTER_MAX_WORKERS = 16
export const COUNTER_MAX_INCREMENTS = 10_000_000


// ─── sockets as the kernel sees them ────────────────────────────────────────────────────

/**
 * TCP states as the kernel names them (Linux `include/net/tcp_states.h`, the names `ss` prints
 * with dashes). UDP sockets are `UNCONN` (not connected: ss's word) or `ESTABLISHED` (connected).
 */
export const SOCKET_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'UNCONN',
  'UNKNOWN',
] as const
export type SocketState = (typeof SOCKET_STATES)[number]

export interface SocketEndpoint {
  /** Numeric address as the OS prints it: `127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `0.0.0.0` / `::` for any, `*` where the OS prints that. */
  address: string
  /** 0 for "none" (a LISTEN socket's peer, an unconnected UDP socket's). */
  port: number
}

/**
 * Why a socket is in the table. `fd`: it is an open file of one of the processes read (Linux
 * `/proc/<pid>/fd` → `socket:[inode]`, the OS's PID column elsewhere). A socket the program has
 * closed has no file any more — TIME_WAIT, FIN_WAIT2, LAST_ACK after close, and SYN_RECV (a
 * handshake still in progress) belong to no process — so those are matched by address:
 * `accept-queue`: an established connection on a port one of the processes listens on that no
 * process holds yet — the kernel completed its handshake and it waits in the accept queue;
 * `listen-port`: its local port is a port one of the processes listens on (the server side);
 * `peer-port`: its peer is such a listening port on this machine (the client side of a connection
 * to the lab's server); `seen`: the same four addresses were an open file of one of the processes
 * in an earlier read (the lab's own clients).
 */
export type SocketMatch = 'fd' | 'accept-queue' | 'listen-port' | 'peer-port' | 'seen'

export interface OsSocket {
  proto: 'tcp' | 'udp'
  family: 4 | 6
  local: SocketEndpoint
  remote: SocketEndpoint
  state: SocketState
  /**
   * LISTEN only: connections whose handshake the kernel completed and that wait for accept()
   * (ss's Recv-Q of a LISTEN socket). Null otherwise, and where the OS does not tell.
   */
  acceptQueue: number | null
  /** LISTEN only: the accept queue's limit — the backlog asked for, capped by the OS (ss's Send-Q). Null where unknown. */
  acceptQueueLimit: number | null
  /** Where `acceptQueueLimit` comes from: `ss` (the kernel, via netlink), `netstat` (macOS `-L`), `requested` (the backlog the lab passed to listen(), capped by `somaxconn`). */
  acceptQueueLimitSource: 'ss' | 'netstat' | 'requested' | null
  /**
   * TCP connection: bytes the kernel received that the program has not read yet (ss's Recv-Q).
   * UDP: memory the queued datagrams take in the kernel (Linux counts buffer overhead too, so it is
   * more than their payload). Null for LISTEN and where the OS does not tell (Windows).
   */
  recvQueueBytes: number | null
  /** TCP: bytes written but not yet acknowledged by the peer (ss's Send-Q). UDP: memory of datagrams not yet sent. Null where the OS does not tell. */
  sendQueueBytes: number | null
  /** The owning process; null for sockets no process holds any more (see `match`). */
  pid: number | null
  match: SocketMatch
  /** Linux: the socket's inode (0 for sockets without a file). Null elsewhere. */
  inode: number | null
  /** Linux: ms until the socket's timer fires (TIME_WAIT: until it disappears; a retransmission or keepalive timer otherwise). Null when no timer runs. */
  timerMs: number | null
}

export interface OsSocketTable {
  /** TCP first, then UDP; LISTEN sockets first, then by local port and peer. */
  sockets: OsSocket[]
  /** The processes whose sockets were read: the root and its descendants. */
  pids: number[]
  /** The root of the read: the engine's PID, or the PID asked for. */
  rootPid: number
  enginePid: number
  sampledAt: number
  platform: string
  source: 'procfs' | 'netstat' | 'powershell'
  /** How long this read took, ms. */
  sampleMs: number
  /** Linux `net.core.somaxconn`: no listen backlog exceeds it. Null where unknown. */
  somaxconn: number | null
  /** Processes whose sockets could not be read, and why (gone while reading, another user's): none is silently missing. */
  unreadable: { pid: number; reason: 'gone' | 'denied' }[]
  /** What this OS (or this way of reading it) cannot tell, in plain English, one fact per line. */
  limits: string[]
}

/** At most this many sockets in one table; beyond it `limits` says how many were left out. */
export const SOCKET_TABLE_MAX = 5_000

// ─── methods and events ─────────────────────────────────────────────────────────────────

const pid = int({ min: 1, max: 2 ** 31 - 1 })

export const osMethods = {
  /**
   * The sockets of the lab's own processes (the engine and its descendants), or of `pid` and its
   * descendants, as the kernel sees them: state, accept queue and its limit, bytes waiting in the
   * receive and send queues. `all`: every socket of the machine (owners where readable).
   * ERR_NOT_FOUND if `pid` does not exist; ERR_UNSUPPORTED on an OS the lab cannot read.
   */
  'os.sockets': method<OsSocketTable>()(object({ pid: optional(pid), all: optional(boolean()) })),
  /** The lab's own tree (the engine process and all its descendants), or the tree under `pid` (ERR_NOT_FOUND if gone). */
  'os.tree': method<OsTree>()(object({ pid: optional(pid) })),
  /** Any process by PID, with its threads (ERR_NOT_FOUND if there is no such process). */
  'os.process': method<OsProcess>()(object({ pid })),
  /**
   * Start sampling the tree (the lab's own, or under `pid`) every `intervalMs` (default 1000):
   * snapshots arrive on topic 'os.tree'. Each caller gets its own watch id; the sampler runs while
   * any watch is active; each watch has its own timer and its own added/exited lists.
   * The first snapshot is emitted at once. If a watched `pid` exits, one last snapshot with no
   * processes (all of them in `exited`) is emitted and that watch ends. At most 16 watches: a
   * 17th ends the oldest (a closed browser tab cannot always stop its own).
   */
  'os.watch.start': method<OsWatchInfo>()(
    object({ intervalMs: optional(int({ min: 250, max: 10_000 }), 1_000), pid: optional(pid) }),
  ),
  /** Stop one watch (or every watch when `watchId` is omitted). */
  'os.watch.stop': method<{ active: number }>()(object({ watchId: optional(string({ min: 1, max: 64 })) })),
  /**
   * N worker threads increment one shared counter (non-atomic read-modify-write, or Atomics.add
   * with `atomic`), or N child processes each increment "the same" counter (their own copy).
   * `holdMs` keeps the threads/processes alive after counting so they can be seen in the tree.
   * Defaults: increments 100000, atomic false, holdMs 0.
   */
  'proc.counter.run': method<CounterResult>()(
    object({
      kind: oneOf(['threads', 'processes'] as const),
      n: int({ min: 1, max: COUNTER_MAX_WORKERS }),
      increments: optional(int({ min: 1, max: COUNTER_MAX_INCREMENTS }), 100_000),
      atomic: optional(boolean(), false),
      holdMs: optional(int({ min: 0, max: 30_000 }), 0),
    }),
  ),
  /**
   * A SIMULATION of multiprogramming on one CPU, with the semantics of OSTEP's process-run.py.
   * Give exactly one of `procs` (`-l`, e.g. "5:100,1:0") or `program` (`-P`, e.g. "c3,i:c5").
   * Defaults: switchOn 'io', ioDone 'later', ioLength 5, seed 0 (the same seed gives the same
   * programs as process-run.py with `-s`).
   */
  'sim.run': method<SimResult>()(
    object({
      procs: optional(string({ min: 3, max: 100, pattern: SIM_PROCS_PATTERN, patternHint: { en: 'must look like "5:100,1:0": instructions:percent-cpu per process, comma-separated, at most 8', zh: '应写成 "5:100,1:0" 这样：每个进程写“指令数:CPU 百分比”，用逗号分隔，最多 8 个' } })),
      program: optional(string({ min: 1, max: 600, pattern: SIM_PROGRAM_PATTERN, patternHint: { en: 'must look like "c3,i,c1:c5": steps cN or i, processes separated by ":"', zh: '应写成 "c3,i,c1:c5" 这样：每步写 cN 或 i，进程之间用 ":" 分隔' } })),
      switchOn: optional(oneOf(['io', 'end'] as const), 'io'),
      ioDone: optional(oneOf(['later', 'immediate'] as const), 'later'),
      ioLength: optional(int({ min: 0, max: SIM_MAX_IO_LENGTH }), 5),
      seed: optional(int({ min: 0, max: 2 ** 31 - 1 }), 0),
      /** The lab's extension (not in process-run.py): simulated CPUs sharing one ready queue (one, as process-run.py). */
      cpus: optional(int({ min: 1, max: SIM_MAX_CPUS }), 1),
      /** The lab's extension: preempt a process after this many ticks on a CPU when another is ready. */
      quantum: optional(int({ min: 1, max: SIM_MAX_QUANTUM })),
    }),
  ),
}

export interface OsEvents {
  /** A tree snapshot while a watch is active (`os.watch.start`). */
  'os.tree': OsTreeSnapshot
}
