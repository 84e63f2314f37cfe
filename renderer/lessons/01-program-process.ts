import { count, ms, num } from './reading'
import { diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/**
 * Reads the learner's run: how many processes (distinct PIDs) ran the tasks, what starting them
 * cost, and why the wall time is longer than one task when there were fewer CPUs than processes.
 */
export function readProcesses(facts: RunFacts): Text[] {
  const { kind, summary, cpus } = facts
  if (kind === 'proc.compare') return readComparePool(summary)
  if (kind !== 'proc.run') return []
  const tasks = num(summary.tasks)
  const pids = num(summary.pids)
  const workers = num(summary.workers)
  if (tasks === null || pids === null || workers === null) return []
  const out: Text[] = []
  if (pids === tasks) {
    out.push(
      t(
        `你的 ${tasks} 个任务由 ${pids} 个进程运行：运行结果里 PID 一列是 ${pids} 个不同的值，而它们都来自同一个任务程序——一个程序，${pids} 个进程。`,
        `Your ${count(tasks, 'task', 'tasks')} ran in ${count(pids, 'process', 'processes')}: the PID column of the results holds ${pids} different values, all of one task program — one program, ${count(pids, 'process', 'processes')}.`,
      ),
    )
  } else {
    out.push(
      t(
        `你的 ${tasks} 个任务只由 ${pids} 个进程运行（PID 一列只有 ${pids} 个不同的值）：进程池只有 ${workers} 个子进程，一个子进程做完一个任务就接着做下一个，所以同一个 PID 出现了几次。一个进程可以先后做好几件事；要每个任务一个进程，把进程池大小设为任务数。`,
        `Your ${count(tasks, 'task', 'tasks')} ran in only ${count(pids, 'process', 'processes')} (the PID column holds ${pids} different values): the pool had ${count(workers, 'child', 'children')}, and a child that finished one task took the next, so a PID repeats. One process can do several jobs in turn; for one process per task, set the pool size to the number of tasks.`,
      ),
    )
  }
  const startup = num(summary.startupMs)
  if (startup !== null && startup > 0) {
    out.push(
      t(
        `启动这 ${workers} 个子进程用了 ${ms(startup)}（时钟开始之前，不算在总用时里）：创建一个进程要操作系统分配 PID、内存，再装入程序，这不是免费的。`,
        `Starting the ${count(workers, 'child', 'children')} took ${ms(startup)} (before the clock started, so not in the wall time): a new process needs the OS to hand out a PID and memory and load the program — it is not free.`,
      ),
    )
  }
  const wall = num(summary.wallMs)
  const cpuMs = num(summary.cpuMs)
  const running = Math.min(workers, tasks)
  // No CPU time measured (0): "longer than one task (about 0 ms)" would be a sentence the run does not support.
  if (wall !== null && cpuMs !== null && cpuMs > 0 && cpus !== null && tasks > 0 && num(summary.ioTasks) === 0) {
    const oneTask = cpuMs / tasks
    if (cpus < running && wall > oneTask * 1.25) {
      out.push(
        t(
          `这台机器只有 ${cpus} 个 CPU，却有 ${running} 个进程同时要算，所以它们没法都同时运行：操作系统让它们轮流用这 ${cpus} 个 CPU，总用时 ${ms(wall)} 比一个任务（约 ${ms(oneTask)}）长。甘特图里每个任务条中实心部分（CPU 时间）比条短，就是在等 CPU。`,
          `This machine has ${count(cpus, 'CPU', 'CPUs')} for ${count(running, 'process', 'processes')} that all want to compute, so they could not all run at once: the OS shared the CPUs among them, and the wall time, ${ms(wall)}, is longer than one task (about ${ms(oneTask)}). In the Gantt chart the solid part of each bar (CPU time) is shorter than the bar: that is waiting for a CPU.`,
        ),
      )
    } else if (wall > oneTask * Math.ceil(running / Math.max(1, Math.min(cpus, running))) * 1.25) {
      out.push(
        t(
          `总用时 ${ms(wall)}，比预计的长：通常是别的程序也在用 CPU。看甘特图里每个任务条中 CPU 时间（实心部分）占的比例。`,
          `The wall time, ${ms(wall)}, is longer than expected: usually other programs were using the CPUs too. Look at how much of each Gantt bar is solid (CPU time).`,
        ),
      )
    }
  }
  return [...out, ...readRecentRuns(facts.recent ?? [])]
}

/**
 * More than one run since the prediction: the same program gave new processes every time (their
 * PIDs differ from run to run), as many as the pool started, and what starting them cost per child.
 */
function readRecentRuns(recent: RunFacts['summary'][]): Text[] {
  const runs = recent.filter((s) => num(s.pids) !== null && num(s.workers) !== null).slice(0, 5)
  if (runs.length < 2) return []
  const oldestFirst = [...runs].reverse()
  const lists = oldestFirst.map((s) => (typeof s.pidList === 'string' && s.pidList ? s.pidList : null))
  const out: Text[] = []
  const zhRuns = oldestFirst.map((s, i) => `第 ${i + 1} 次：进程池 ${num(s.workers)} 个子进程，${num(s.pids)} 个 PID${lists[i] ? `（${lists[i]}）` : ''}`).join('；')
  const enRuns = oldestFirst.map((s, i) => `run ${i + 1}: a pool of ${count(num(s.workers)!, 'child', 'children')}, ${count(num(s.pids)!, 'PID', 'PIDs')}${lists[i] ? ` (${lists[i]})` : ''}`).join('; ')
  out.push(t(`你在预测之后运行了 ${runs.length} 次（从早到晚）——${zhRuns}。`, `You ran it ${runs.length} times since your prediction (oldest first) — ${enRuns}.`))
  const sets = lists.filter((l): l is string => l !== null).map((l) => new Set(l.split(', ')))
  const shared = sets.length >= 2 && sets.some((a, i) => sets.some((b, j) => j > i && [...a].some((pid) => b.has(pid))))
  if (sets.length >= 2 && !shared) {
    out.push(
      t(
        '每一次都是同一个任务程序，却是一批新的进程：没有一个 PID 在两次运行里重复。运行结束时进程池关闭了它的子进程，下一次运行，操作系统又创建新的进程、分配新的 PID。',
        'Every time it was the same task program, but a new set of processes: no PID appears in two runs. When a run ended the pool closed its children; the next run the OS created new processes with new PIDs.',
      ),
    )
  }
  if (new Set(runs.map((s) => num(s.workers))).size > 1) {
    out.push(
      t(
        '进程的个数跟着进程池的大小走，而不是跟着任务数：子进程只有那么多，一个子进程做完一个任务就接着做下一个。',
        'The number of processes followed the pool’s size, not the number of tasks: there were only so many children, and a child that finished one task took the next.',
      ),
    )
  }
  const children = runs.reduce((n, s) => n + num(s.workers)!, 0)
  const startup = runs.reduce((n, s) => n + (num(s.startupMs) ?? 0), 0)
  if (children > 0 && startup > 0) {
    out.push(
      t(
        `这 ${runs.length} 次一共启动了 ${children} 个子进程，用了 ${ms(startup)}：平均每个约 ${ms(startup / children)}。这就是“创建一个进程不是免费的”的实测数字。`,
        `These ${runs.length} runs started ${count(children, 'child', 'children')} in ${ms(startup)} altogether: about ${ms(startup / children)} each. That is “a new process is not free”, measured.`,
      ),
    )
  }
  return out
}

/** Lesson 1 also reads a comparison (its second History kind): the parallel part's pool children ran its tasks. */
function readComparePool(summary: RunFacts['summary']): Text[] {
  const tasks = num(summary.tasks)
  const workers = num(summary.parallelWorkers)
  if (tasks === null || workers === null) return []
  return [
    t(
      `这是一次对比运行：并行那一段用进程池的 ${workers} 个子进程运行了 ${tasks} 个任务——一个程序，${workers} 个进程同时在运行。要看每个任务的 PID，打开“运行任务”的结果表；要只看第 1 课的实验，按上面的“试一试”。`,
      `This is a comparison: its parallel part ran ${count(tasks, 'task', 'tasks')} in the pool’s ${count(workers, 'child', 'children')} — one program, ${count(workers, 'process', 'processes')} running at once. For each task’s PID, see the run’s results table; for lesson 1’s own experiment, press the try-it above.`,
    ),
  ]
}

const lesson: Lesson = {
  id: 'program-process',
  title: t('程序与进程', 'Program and process'),
  summary: t('程序是磁盘上的代码，进程是它的一次运行。', 'A program is code on disk; a process is one run of it.'),
  body: [
    p(
      '程序是存放在磁盘上的一组指令和数据，例如 tcp_server_threading.py 这个文件，或者 /usr/bin/python3。它只是静静地放在那里，自己什么也不做。',
      'A program is a set of instructions and data stored on disk, such as the file tcp_server_threading.py or /usr/bin/python3. It just sits there; by itself it does nothing.',
    ),
    p(
      '进程是程序正在运行的过程。操作系统把程序装进内存，并给这次运行配上它所需的一切：',
      'A process is a program while it runs. The operating system loads the program into memory and gives this one run everything it needs:',
    ),
    list(
      t('一个进程号（PID），用来识别它；', 'a process ID (PID) that identifies it;'),
      t('一块属于它自己的内存空间；', 'a memory space of its own;'),
      t('它打开的文件和套接字；', 'the files and sockets it has open;'),
      t('在 CPU 上运行的机会，以及至少一个线程（执行的位置）。', 'turns on a CPU, and at least one thread (a place where execution is).'),
    ),
    diagram('program-process', '同一个程序文件运行三次，就是三个进程，各有自己的 PID 和内存。', 'One program file run three times makes three processes, each with its own PID and memory.'),
    p(
      '所以一个程序可以同时对应多个进程：同一个文件被运行几次，就有几个进程。反过来，一个进程也可以创建新的进程（子进程），于是进程之间形成一棵树：每个进程都记着自己的父进程（PPID）。',
      'So one program can stand behind many processes: run the same file several times and you get that many processes. A process can also create new processes (children), so processes form a tree: each one records its parent (PPID).',
    ),
    p(
      '进程是操作系统里最核心的概念。CPU 时间、内存、文件、网络端口，都是按进程来分配、记账和回收的；后面几课讲的并发、多道技术、线程，都是围绕进程展开的。',
      'The process is the central idea of an operating system. CPU time, memory, files and network ports are handed out, accounted for and taken back per process; concurrency, multiprogramming and threads, in the lessons that follow, are all built around it.',
    ),
    note(
      '实验室里的一切都是真实的进程：引擎本身、进程池里的子进程、多进程服务器为每个连接开的子进程，以及你运行的 Python 程序。它们都会出现在“进程树”里。',
      'Everything in the lab is a real process: the engine itself, the children of the process pool, the child a forking server starts for each connection, and the Python programs you run. They all appear in the process tree.',
    ),
  ],
  prediction: {
    question: t(
      '实验室用同一个任务程序启动 3 个子进程，同时运行 3 个任务。这个程序在进程树里对应几个进程？',
      'The lab starts 3 child processes from the same task program and runs 3 tasks at once. How many processes of that program does the process tree show?',
    ),
    choices: [
      { id: 'one', text: t('1 个：一个程序只有一个进程', 'One: a program has one process') },
      { id: 'three', text: t('3 个，各有不同的 PID', 'Three, each with a different PID') },
      { id: 'none', text: t('0 个：程序不是进程', 'None: a program is not a process') },
    ],
    correct: 'three',
    explanation: t(
      '同一份程序被运行了 3 次，就是 3 个进程。进程树里它们的命令行相同，PID 不同，父进程都是实验室的引擎。运行结果里每个任务旁边的 PID 也是 3 个不同的值。',
      'The same program run 3 times is 3 processes. In the tree they share a command line but have different PIDs, and their parent is the lab’s engine. The run’s results also show 3 different PIDs next to the tasks.',
    ),
    watch: t(
      '先开始运行，趁它还在运行（每个任务计算 2 秒）时打开“进程树”：3 个子进程挂在引擎下面，PID 各不相同。运行结束后进程池会关闭它们，它们就从树里消失了；运行结果里仍然列着每个任务的 PID。',
      'Start the run, then open the process tree while it is still running (each task computes for 2 s): the three children hang under the engine, each with its own PID. When the run ends the pool closes them and they leave the tree; the run’s results still list each task’s PID.',
    ),
    keys: ['mode', 'wallMs', 'cpuMs'],
  },
  tryIt: [
    { label: t('运行 3 个任务（3 个子进程）', 'Run 3 tasks (3 child processes)'), preset: { experiment: 'processes/run', settings: { tasks: 'cpu:2s*3', workers: 3, modes: ['parallel'], autoRun: true } } },
    { label: t('运行时打开进程树', 'Open the process tree while it runs'), preset: { experiment: 'processes/tree', settings: {} } },
  ],
  python: [],
  historyKinds: ['proc.run', 'proc.compare'],
  reading: readProcesses,
}

export default lesson
