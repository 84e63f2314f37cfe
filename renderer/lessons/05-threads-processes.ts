import { diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/** Reads a counter run: which kind, how many updates were lost, and why. */
function reading({ kind, summary }: RunFacts): Text[] {
  if (kind !== 'proc.counter') return []
  const { expected, final, lost, atomic } = summary
  if (typeof expected !== 'number' || typeof final !== 'number') return []
  if (summary.kind === 'processes') {
    return [
      t(
        `父进程的计数器是 ${final}，而 ${expected.toLocaleString('en-US')} 次加一都做在子进程自己的内存里：看结果表里每个子进程的 PID 和它自己的计数。`,
        `The parent’s counter reads ${final}, while the ${expected.toLocaleString('en-US')} additions all happened in the children’s own memory: see each child’s PID and its own count in the results.`,
      ),
    ]
  }
  if (atomic) return [t(`用原子操作，最终值 ${final.toLocaleString('en-US')} 等于期望值：读—加—写成了不可分割的一步。`, `With atomic operations the final value ${final.toLocaleString('en-US')} equals the expected one: read-add-write became one indivisible step.`)]
  if (typeof lost === 'number' && lost > 0) {
    return [
      t(
        `丢失了 ${lost.toLocaleString('en-US')} 次更新（${Math.round((lost / expected) * 100)} %）：几个线程在不同的核上同时读到同一个旧值，各自加一后写回，互相覆盖。`,
        `${lost.toLocaleString('en-US')} updates were lost (${Math.round((lost / expected) * 100)} %): threads on different cores read the same old value at once, added one and wrote back over each other.`,
      ),
    ]
  }
  return [
    t(
      '这一次没有丢失更新：线程交错的时机碰巧没有重叠（机器很忙、线程轮流在一个核上跑时常会这样）。多运行几次，或者加大每个线程的次数；竞争条件不会每次都出现，这正是它危险的地方。',
      'No updates were lost this time: the threads happened not to overlap (common when the machine is busy and they take turns on one core). Run it again or raise the increments; a race does not show every time, which is what makes it dangerous.',
    ),
  ]
}


const lesson: Lesson = {
  id: 'threads-processes',
  title: t('线程与进程', 'Threads and processes'),
  summary: t('线程共享所在进程的内存；每个进程有自己的内存。', 'Threads share their process’s memory; each process has memory of its own.'),
  body: [
    p(
      '进程是操作系统分配资源的单位：每个进程有自己的内存空间、打开的文件和套接字。线程是 CPU 调度的单位：一个进程里可以有多个线程，它们共享这个进程的内存和资源，各自有自己的栈和执行位置。',
      'A process is the unit the OS gives resources to: each has its own memory space, open files and sockets. A thread is the unit the CPU is scheduled to: one process can hold several threads, which share the process’s memory and resources, each with its own stack and place in the code.',
    ),
    diagram('memory', '同一进程的线程看到同一个计数器；两个进程各有一份。', 'Threads of one process see the same counter; two processes each have their own copy.'),
    list(
      t(
        '同一进程的线程修改同一个变量时，彼此都能看到改动。但“读出—加一—写回”不是一步完成的：两个线程交错执行时，一个线程的写回可能覆盖另一个的，更新就丢了。这叫竞争条件，可以用锁或原子操作修复。',
        'When threads of one process change the same variable, each sees the others’ changes. But “read, add one, write back” is not a single step: when two threads interleave, one thread’s write can overwrite the other’s and an update is lost. This is a race condition; a lock or an atomic operation fixes it.',
      ),
      t(
        '子进程有自己的内存：它修改的是自己那一份变量，父进程的变量不受影响。进程之间要交换数据，必须通过管道、套接字、共享内存这类明确的方式。',
        'A child process has its own memory: it changes its own copy of a variable, and the parent’s stays as it was. Processes that need to exchange data must use an explicit channel such as a pipe, a socket or shared memory.',
      ),
      t(
        '创建线程比创建进程开销小；进程之间隔离得更好，一个进程崩溃不会直接破坏另一个进程的内存。ThreadingTCPServer 为每个连接开一个线程，ForkingTCPServer 为每个连接开一个进程。',
        'A thread is cheaper to create than a process; processes are better isolated, and one crashing does not directly damage another’s memory. ThreadingTCPServer starts a thread per connection; ForkingTCPServer starts a process per connection.',
      ),
    ),
    note(
      '在 CPython 里，全局解释器锁（GIL）让同一进程中同一时刻只有一个线程在执行 Python 字节码，所以纯计算的 Python 代码常用多进程来利用多核；等待网络的线程不受这个限制的影响。因此，Python 线程里的 counter += 1 在 CPython 上实际不会丢失更新（GIL 只在某些位置切换线程，不会落在这一行中间），但语言并不保证这一点；只要在读和写之间让出 CPU，例如 tmp = counter; time.sleep(0); counter = tmp + 1，更新就会大量丢失，加一把 Lock 又一个不丢——下面的 thread_race.py 三种写法都跑一遍。实验室的线程是 Node.js 的工作线程，共享同一块内存，能在多个核上真正并行，所以不用原子操作时，连简单的加一也会丢失更新。',
      'In CPython, the global interpreter lock (GIL) lets only one thread of a process execute Python bytecode at a time, which is why pure-computation Python code often uses several processes to use several cores; threads that wait on the network are not held back by it. So in CPython, counter += 1 in threads loses no updates in practice (the GIL switches threads only at certain points, never in the middle of that line), though the language does not promise it; give up the CPU between the read and the write — tmp = counter; time.sleep(0); counter = tmp + 1 — and most updates are lost, while a Lock loses none: thread_race.py below runs all three. The lab’s threads are Node.js worker threads on one shared memory, truly parallel on several cores, so without atomic operations even a plain add loses updates.',
    ),
  ],
  prediction: {
    question: t(
      '4 个子进程各把一个计数器加 1，每个加 100,000 次。结束后，父进程里的计数器是多少？',
      'Four child processes each add 1 to a counter, 100,000 times each. Afterwards, what does the parent’s counter read?',
    ),
    choices: [
      { id: 'full', text: t('400,000', '400,000') },
      { id: 'less', text: t('小于 400,000：竞争让一些更新丢失了', 'Less than 400,000: races lost some updates') },
      { id: 'zero', text: t('0：每个子进程改的都是自己那一份', '0: each child changed its own copy') },
    ],
    correct: 'zero',
    explanation: t(
      '每个进程有自己的内存，子进程加的是自己内存里的副本，父进程的计数器一直是 0。换成 4 个线程再试：它们共享内存，不用原子操作时结果通常小于 400,000（丢失的更新），用原子操作时正好是 400,000。',
      'Each process has its own memory: the children add to copies in their own memory, and the parent’s counter stays at 0. Try 4 threads next: they share memory, so without atomic operations the result is usually below 400,000 (lost updates), and with them it is exactly 400,000.',
    ),
    watch: t('看父进程的计数器、期望值和实际值；再用线程各运行一次（不用和用原子操作）。', 'Look at the parent’s counter, the expected value and the actual value; then run with threads, without and with atomic operations.'),
    keys: ['kind', 'expected', 'final', 'lost'],
  },
  tryIt: [
    { label: t('4 个进程各加 100,000 次', '4 processes add 100,000 each'), preset: { experiment: 'processes/counter', settings: { kind: 'processes', n: 4, increments: 100_000, autoRun: true } } },
    { label: t('4 个线程，不用原子操作', '4 threads, no atomics'), preset: { experiment: 'processes/counter', settings: { kind: 'threads', n: 4, increments: 100_000, atomic: false, autoRun: true } } },
    { label: t('4 个线程，用原子操作', '4 threads, with atomics'), preset: { experiment: 'processes/counter', settings: { kind: 'threads', n: 4, increments: 100_000, atomic: true, autoRun: true } } },
  ],
  python: ['thread_race'],
  historyKinds: ['proc.counter'],
  reading,
}

export default lesson
