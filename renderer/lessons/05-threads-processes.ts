import { diagram, list, note, p, t, type Lesson } from './types'

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
      '在 CPython 里，全局解释器锁（GIL）让同一进程中同一时刻只有一个线程在执行 Python 字节码，所以纯计算的 Python 代码常用多进程来利用多核；等待网络的线程不受这个限制的影响。实验室的线程是 Node.js 的工作线程，能在多个核上真正并行。',
      'In CPython, the global interpreter lock (GIL) lets only one thread of a process execute Python bytecode at a time, which is why pure-computation Python code often uses several processes to use several cores; threads that wait on the network are not held back by it. The lab’s threads are Node.js worker threads, which can truly run in parallel on several cores.',
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
  python: [],
  historyKinds: ['proc.counter'],
}

export default lesson
