import { switchReading } from './switch-reading'
import { diagram, list, note, p, t, type Lesson, type RunFacts } from './types'

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
  /** The kernel's evidence from a real comparison: who gave the CPU up, who had it taken away. */
  reading: ({ kind, summary }: RunFacts) => (kind === 'proc.compare' ? switchReading(summary) : []),
}

export default lesson
