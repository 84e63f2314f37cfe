import type { HistorySummary } from '../../shared/contract/history'
import { count, ms, num, pct } from './reading'
import { switchReading } from './switch-reading'
import { diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

const POLICY: Record<string, Text> = {
  io: t('遇到 I/O 就切换', 'switch on I/O'),
  end: t('进程结束才切换', 'switch when a process ends'),
}

/** One simulation's ticks: total, busy, idle. */
function simTicks(summary: HistorySummary) {
  const total = num(summary.totalTime)
  const busy = num(summary.cpuBusy)
  return total === null || busy === null ? null : { total, busy, idle: total - busy, share: total > 0 ? busy / total : 0 }
}

/** A simulation read against the lesson's claim, and against the learner's run of the other policy. */
function readSimulation(summary: HistorySummary, earlier?: HistorySummary): Text[] {
  const now = simTicks(summary)
  const policy = POLICY[String(summary.switchOn)]
  if (!now || !policy) return []
  const out: Text[] = [
    t(
      `“${policy.zh}”：一共 ${now.total} 个时钟周期，CPU 忙了 ${now.busy} 个（${pct(now.share)}），空闲 ${now.idle} 个。`,
      `“${policy.en}”: ${count(now.total, 'tick', 'ticks')} in all, the CPU busy in ${now.busy} (${pct(now.share)}) and idle in ${now.idle}.`,
    ),
  ]
  if (summary.switchOn === 'end' && now.idle > 0) {
    out.push(t('空闲的周期就是 A 在等 I/O、B 明明就绪却不许运行的那几个：这个策略只在进程结束时才切换。看模拟器的逐周期表里 CPU 一列为空的行。', 'The idle ticks are the ones where A waited for its I/O while B, ready, was not allowed to run: this policy switches only when a process ends. See the rows of the simulator’s tick table whose CPU column is empty.'))
  } else if (summary.switchOn === 'io') {
    out.push(t('A 一开始 I/O，CPU 就交给了 B：B 的计算和 A 的等待重叠了。看逐周期表里 A 处于 BLOCKED 的同时 B 处于 RUN 的那几行。', 'As soon as A started its I/O the CPU went to B: B’s computing overlapped A’s waiting. See the rows of the tick table where A is BLOCKED while B is RUN.'))
  }
  const before = earlier ? simTicks(earlier) : null
  const beforePolicy = earlier ? POLICY[String(earlier.switchOn)] : undefined
  if (before && beforePolicy && earlier!.switchOn !== summary.switchOn) {
    const [io, end] = summary.switchOn === 'io' ? [now, before] : [before, now]
    if (io.total < end.total) {
      out.push(
        t(
          `和你的另一次模拟比：遇到 I/O 就切换用了 ${io.total} 个周期（CPU ${pct(io.share)}），进程结束才切换用了 ${end.total} 个（CPU ${pct(end.share)}）——和课上说的一样。`,
          `Against your other simulation: switching on I/O took ${io.total} ticks (CPU ${pct(io.share)}), switching only at the end ${end.total} (CPU ${pct(end.share)}) — as the lesson says.`,
        ),
      )
    } else {
      out.push(
        t(
          `和你的另一次模拟比，两种策略用的周期一样多（${io.total} 和 ${end.total}）：在你设的这些进程里，没有一个进程在另一个等 I/O 时是就绪的，策略就没什么可改变的。用课上的 “1:0,4:100” 再试一次。`,
          `Against your other simulation both policies took as many ticks (${io.total} and ${end.total}): in the processes you set, none was ready while another waited on I/O, so the policy had nothing to change. Try the lesson’s “1:0,4:100” again.`,
        ),
      )
    }
  }
  return out
}

/** A real comparison: I/O tasks overlap their waiting; preempted CPU work costs as much as serial; the pool's size. */
function readComparison(summary: HistorySummary): Text[] {
  const serial = num(summary.serialMs)
  const concurrent = num(summary.concurrentMs)
  const parallel = num(summary.parallelMs)
  if (serial === null || concurrent === null || parallel === null) return []
  const tasks = num(summary.tasks)
  const ioTasks = num(summary.ioTasks)
  const workers = num(summary.parallelWorkers)
  const ratio = concurrent / serial
  const out: Text[] = []
  if (tasks !== null && ioTasks === tasks && tasks > 0) {
    out.push(
      t(
        `${tasks} 个等待 I/O 的任务：串行 ${ms(serial)}，单核并发 ${ms(concurrent)}（串行的 ${pct(ratio)}）。${ratio < 0.6 ? '一个任务在等的时候，别的任务也在等：等待重叠了，所以并发用时接近一个任务，而不是几个任务之和。' : '并发没有快多少：等待本该重叠，这次没有——通常是机器太忙，子进程轮不到 CPU 去发起下一次 I/O。'}`,
        `${count(tasks, 'task', 'tasks')} that wait on I/O: serial ${ms(serial)}, concurrent on one CPU ${ms(concurrent)} (${pct(ratio)} of serial). ${ratio < 0.6 ? 'While one task waited, the others were waiting too: the waits overlapped, so concurrent took about one task’s time, not the sum.' : 'Concurrent was not much faster: the waits should overlap and this time did not — usually the machine was so busy that the children did not get a CPU to start their next I/O.'}`,
      ),
    )
    out.push(...switchReading(summary))
    if (workers !== null && workers < tasks) {
      const rounds = Math.ceil(tasks / workers)
      out.push(
        t(
          `并行用了 ${ms(parallel)}${parallel > concurrent * 1.2 ? '，比并发还慢' : ''}：进程池只有 ${workers} 个子进程（默认是 CPU 数和任务数中较小的那个），却有 ${tasks} 个任务，所以任务分 ${rounds} 轮排队，每轮一个任务那么长；单核并发则让 ${tasks} 个任务同时等待。对等待 I/O 的任务，要紧的是能同时等几个，而不是有几个 CPU。看甘特图里后面那些任务条前的排队时间。课上的按钮把进程池设成每个任务一个子进程。`,
          `Parallel took ${ms(parallel)}${parallel > concurrent * 1.2 ? ', slower than concurrent' : ''}: the pool had only ${count(workers, 'child', 'children')} (by default the smaller of the CPUs and the tasks) for ${count(tasks, 'task', 'tasks')}, so the tasks queued in ${count(rounds, 'round', 'rounds')}, each one task long, while concurrent on one CPU let all ${tasks} wait at once. For tasks that wait on I/O what matters is how many can wait at once, not how many CPUs there are. See the queueing time before the later bars in the Gantt chart. The lesson’s button sets the pool to one child per task.`,
        ),
      )
    } else if (workers !== null) {
      out.push(
        parallel > concurrent * 1.25
          ? t(
              `并行（每个任务一个子进程）用了 ${ms(parallel)}，比并发慢：任务本身只是在等，多出来的时间来自机器上别的程序，或子进程被调度得晚。看甘特图里任务条开始的时刻。`,
              `Parallel (one child per task) took ${ms(parallel)}, slower than concurrent: the tasks only wait, so the extra time came from other programs on the machine, or children scheduled late. See when the Gantt bars start.`,
            )
          : t(
              `并行为每个任务开了一个子进程，用了 ${ms(parallel)}，和并发差不多：任务都在等，多几个 CPU 也帮不上忙。`,
              `Parallel started one child per task and took ${ms(parallel)}, about the same as concurrent: the tasks all wait, and more CPUs cannot help with that.`,
            ),
      )
    }
    return out
  }
  if (ioTasks === 0) {
    out.push(
      ratio > 0.85 && ratio < 1.15
        ? t(
            `计算任务被抢占着轮流运行：单核并发 ${ms(concurrent)}，是串行（${ms(serial)}）的 ${pct(ratio)}，几乎一样。抢占没有让计算变快（计算总量没变），一次切换只要几微秒也测不出来；它换来的是响应性：每个任务很快就能轮到一次。`,
            `Compute tasks preempted in turns: concurrent on one CPU ${ms(concurrent)}, ${pct(ratio)} of serial (${ms(serial)}) — about the same. Preemption did not make the computing faster (the amount is the same), and a switch costs microseconds, too little to see; what it buys is responsiveness: every task gets a turn soon.`,
          )
        : ratio <= 0.85
          ? t(
              `单核并发 ${ms(concurrent)}，明显比串行（${ms(serial)}）快，这和课上说的不一样：${summary.pinned === false ? '这台机器不允许把子进程固定在一个 CPU 上，所以“并发”其实用了多个核。' : '串行那一次多半被别的程序拖慢了；再运行一次看看。'}`,
              `Concurrent on one CPU took ${ms(concurrent)}, clearly faster than serial (${ms(serial)}), which is not what the lesson says: ${summary.pinned === false ? 'this machine would not pin the children to one CPU, so “concurrent” really used several cores.' : 'most likely other programs slowed the serial run; run it again.'}`,
            )
          : t(
              `单核并发 ${ms(concurrent)}，比串行（${ms(serial)}）慢了 ${pct(ratio - 1)}：切换本身只要几微秒，这么多的差别来自机器上别的程序，它们和你的任务抢同一个 CPU。看运行队列等待时间。`,
              `Concurrent on one CPU took ${ms(concurrent)}, ${pct(ratio - 1)} longer than serial (${ms(serial)}): a switch itself costs microseconds, so a gap this size comes from other programs competing for that CPU. See the run-queue wait.`,
            ),
    )
  }
  out.push(...switchReading(summary))
  return out
}

/** Lesson 4's reading: a simulation, or a real comparison. */
export function readMultiprogramming({ kind, summary, earlier }: RunFacts): Text[] {
  if (kind === 'sim.run') return readSimulation(summary, earlier)
  if (kind === 'proc.compare') return readComparison(summary)
  return []
}

const lesson: Lesson = {
  id: 'multiprogramming',
  title: t('多道技术', 'Multiprogramming'),
  summary: t('空间上的复用和时间上的复用；进程在 I/O 或运行太久时失去 CPU。', 'Sharing space and sharing time; a process loses the CPU on I/O or after running too long.'),
  body: [
    p(
      '多道技术是指内存中同时存放多道（多个）程序，CPU 在它们之间快速切换。它包含两种复用（即共享）：',
      'Multiprogramming means keeping several programs in memory at once and switching the CPU quickly between them. It combines two kinds of sharing:',
    ),
    list(
      t('空间上的复用：多个进程同时占用内存的不同部分。操作系统把它们隔离开，一个进程不能随意读写另一个进程的内存。', 'Sharing space: several processes occupy different parts of memory at the same time. The OS keeps them apart, so one process cannot freely read or write another’s memory.'),
      t('时间上的复用：多个进程轮流使用同一个 CPU。', 'Sharing time: several processes take turns on the same CPU.'),
    ),
    p('操作系统在两种情况下把 CPU 从正在运行的进程手里拿走，交给另一个进程：', 'The OS takes the CPU away from the running process, and gives it to another, in two situations:'),
    list(
      t(
        '进程遇到 I/O 操作（等网络数据、读磁盘、等用户输入）：反正要等，CPU 就先给别人用。和串行相比，这提高了效率：等待的时间被别的进程利用了。',
        'The process starts I/O (waiting for network data, reading the disk, waiting for the user): it has to wait anyway, so the CPU goes to someone else. Compared with serial execution this raises efficiency: the waiting time is used by other processes.',
      ),
      t(
        '进程占用 CPU 时间过长：时间片用完，操作系统强行把 CPU 收回（剥夺，也叫抢占），交给别的进程。对纯计算任务来说，总用时和串行几乎一样——一次切换只要几微秒，实验室测不出差别；它也不会更快，因为计算总量没变。抢占换来的是响应性：每个进程都能及时轮到，不必等前面的进程全部算完；它换不来吞吐量。',
        'The process has held the CPU too long: its time slice is used up and the OS takes the CPU back by force (preemption) and gives it to another process. For pure computation the total measures about the same as serial — one switch costs microseconds, too little for the lab to see; and it is no faster, since the amount of computing is the same. What preemption buys is responsiveness: every process gets a turn soon, without waiting for all the ones before it to finish; it does not buy throughput.',
      ),
    ),
    diagram('multiplexing', 'A 发起 I/O 后等待，CPU 立即转给 B；A 的 I/O 完成后再回来。', 'A starts I/O and waits; the CPU goes to B at once; A continues when its I/O completes.'),
    p(
      '在一个核上，多道技术带来的是并发；在多核机器上，每个核各自使用多道技术，而一个进程下次获得 CPU 时，可能在任何一个核上运行，这由操作系统决定。',
      'On one core, multiprogramming gives concurrency; on a multi-core machine each core multiplexes on its own, and when a process gets the CPU again it may run on any core — the OS decides.',
    ),
    note(
      '“多道技术模拟器”按时钟周期展示这个过程，它是模拟，方便看清每一步；“串行/并发/并行”实验给出的是真实测量。两者可以对照着看。',
      'The multiprogramming simulator shows this tick by tick; it is a simulation, so that every step is visible. The serial/concurrent/parallel experiment gives real measurements. Compare the two.',
    ),
  ],
  prediction: {
    question: t(
      '进程 A 先发起一次 I/O（要等 5 个时钟周期），进程 B 需要 4 个周期的纯计算。“遇到 I/O 就切换”和“进程结束才切换”相比，哪种策略的 CPU 利用率更高？',
      'Process A first starts one I/O (it waits 5 ticks); process B needs 4 ticks of pure computation. Comparing “switch on I/O” with “switch only when a process ends”, which keeps the CPU busier?',
    ),
    choices: [
      { id: 'io', text: t('遇到 I/O 就切换', 'Switch on I/O') },
      { id: 'end', text: t('进程结束才切换', 'Switch when a process ends') },
      { id: 'same', text: t('一样', 'The same') },
    ],
    correct: 'io',
    explanation: t(
      '只在进程结束时切换，A 等待 I/O 的那几个周期里 CPU 空闲，B 只能干等；遇到 I/O 就切换时，B 正好利用这段时间计算，总周期数变少，CPU 忙碌的比例变高。模拟器的统计里能看到两种策略的总周期数和 CPU 利用率。真实测量也一样：4 个等待 I/O 的任务并发运行，用时接近一个任务的时间，而不是四倍。（并行模式为每个任务开一个子进程，所以它和并发一样快；如果子进程比任务少，剩下的任务只能排队。）',
      'Switching only at the end leaves the CPU idle while A waits for its I/O, and B just waits; switching on I/O lets B compute during that time, so there are fewer ticks in total and a larger share of them busy. The simulator’s statistics show both policies’ total ticks and CPU utilisation. Real measurements agree: four I/O-waiting tasks run concurrently in about the time of one, not four times as long. (The parallel mode starts one child per task here, so it is as fast as concurrent; with fewer children than tasks the rest would queue.)',
    ),
    watch: t('比较两次模拟的总时钟周期数和 CPU 利用率。', 'Compare the two simulations’ total ticks and CPU utilisation.'),
    keys: ['totalTime', 'cpuBusy', 'cpuUtilization', 'serialMs', 'concurrentMs'],
  },
  tryIt: [
    { label: t('模拟：进程结束才切换', 'Simulate: switch when a process ends'), preset: { experiment: 'processes/simulator', settings: { procs: '1:0,4:100', switchOn: 'end', ioLength: 5, autoRun: true } } },
    { label: t('模拟：遇到 I/O 就切换', 'Simulate: switch on I/O'), preset: { experiment: 'processes/simulator', settings: { procs: '1:0,4:100', switchOn: 'io', ioLength: 5, autoRun: true } } },
    { label: t('真实测量：4 个等待 I/O 的任务', 'Measure for real: 4 tasks that wait on I/O'), preset: { experiment: 'processes/run', settings: { tasks: 'io:400ms*4', workers: 4, modes: ['serial', 'concurrent', 'parallel'], autoRun: true } } },
    { label: t('真实测量：4 个计算任务（抢占）', 'Measure for real: 4 compute tasks (preempted)'), preset: { experiment: 'processes/run', settings: { tasks: 'cpu:400ms*4', modes: ['serial', 'concurrent', 'parallel'], autoRun: true } } },
  ],
  python: [],
  historyKinds: ['sim.run', 'proc.compare', 'proc.run'],
  practice: 'sim',
  reading: readMultiprogramming,
}

export default lesson
