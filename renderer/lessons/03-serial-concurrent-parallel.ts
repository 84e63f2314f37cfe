import { idealWallMs, parseTaskSpec } from '../../shared/task-spec'
import { ms, num, plural } from './reading'
import { switchReading } from './switch-reading'
import { diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

const TASKS = 'cpu:400ms*4'

/** The best parallel time for the lesson's tasks on `cpus` CPUs, as the engine computes it. */
export function idealParallelMs(cpus: number): number {
  const parsed = parseTaskSpec(TASKS)
  if (!parsed.ok) throw new Error(`bad task spec ${TASKS}`)
  return idealWallMs(parsed.tasks, cpus).parallel
}


/** Reads a serial/concurrent/parallel comparison against the ideal for this machine. */
function reading({ kind, summary, cpus }: RunFacts): Text[] {
  if (kind !== 'proc.compare') return []
  const serial = num(summary.serialMs)
  const concurrent = num(summary.concurrentMs)
  const parallel = num(summary.parallelMs)
  if (serial === null || concurrent === null || parallel === null) return []
  const out: Text[] = []
  const ratio = concurrent / serial
  out.push(
    t(
      `你的串行用时 ${ms(serial)}，单核并发 ${ms(concurrent)}（是串行的 ${Math.round(ratio * 100)} %）：一个核要做的计算一点没少，所以并发没有更快。`,
      `Your serial run took ${ms(serial)} and concurrent on one core ${ms(concurrent)} (${Math.round(ratio * 100)} % of serial): one core had just as much to compute, so concurrency was no faster.`,
    ),
  )
  out.push(...switchReading(summary))
  if (summary.pinned === false) {
    out.push(t('注意：这台机器不允许把子进程固定在一个 CPU 上，所以“并发”其实用了多个核，结果会偏快。', 'Note: this machine would not pin the children to one CPU, so “concurrent” really used several cores and came out faster than it should.'))
  }
  if (cpus !== null) {
    const ideal = idealParallelMs(cpus)
    out.push(
      t(
        `这台机器可用 ${cpus} 个 CPU，所以并行最好是 ${ms(ideal)}（${cpus >= 4 ? '最长的任务本身就要 400 ms' : `1600 ms ÷ ${cpus}`}）；你测得 ${ms(parallel)}。`,
        `This machine has ${cpus} usable ${plural(cpus, 'CPU', 'CPUs')}, so parallel can at best take ${ms(ideal)} (${cpus >= 4 ? 'the longest task alone needs 400 ms' : `1600 ms ÷ ${cpus}`}); you measured ${ms(parallel)}.`,
      ),
    )
    if (parallel > ideal * 1.25) {
      out.push(
        t(
          '比理想值慢得多，通常是因为别的程序也在用这些 CPU，或者启动子进程花了时间：看甘特图里每个任务条中 CPU 时间（实心部分）占墙上时间的比例——比例低就是在等 CPU。',
          'That is well above the ideal, usually because other programs were using these CPUs too, or the children took time to start: look at the Gantt bars, where the solid part (CPU time) inside each bar (wall time) is small when a task was waiting for a CPU.',
        ),
      )
    }
  }
  return out
}

const lesson: Lesson = {
  id: 'serial-concurrent-parallel',
  title: t('串行、并发与并行', 'Serial, concurrent and parallel'),
  summary: t('一个接一个、轮流交替、真正同时。', 'One after another, taking turns, truly at the same time.'),
  body: [
    list(
      t('串行：一个任务完完整整地运行完毕，才开始下一个。总时间是各任务时间之和。', 'Serial: one task runs to the end before the next one starts. The total time is the sum of the tasks’ times.'),
      t(
        '并发：多个任务看起来是同时运行的。只有一个 CPU 时，操作系统让它们轮流使用 CPU，每次一小段时间（时间片）；切换得足够快，看起来就像在同时运行——这也叫伪并行。',
        'Concurrent: several tasks appear to run at the same time. With one CPU, the OS lets them take turns on it, a short slice of time each; switching fast enough makes them look simultaneous.',
      ),
      t('并行：多个任务在同一时刻真的同时运行。这需要多个 CPU（核），每个核同一时刻运行一个任务。', 'Parallel: several tasks really run at the same instant. That needs several CPUs (cores), each running one task at a time.'),
    ),
    diagram('scp-timeline', '同样四个任务：串行排成一列；单核并发交替进行；多核并行并排进行。', 'The same four tasks: serial in a row; concurrent on one core, interleaved; parallel on several cores, side by side.'),
    p(
      '并行是并发的一种：能并行运行的任务当然也是“同时进行”的；反过来，并发不一定是并行。无论哪种方式，一个 CPU 核在某一瞬间只执行一个任务。',
      'Parallelism is one kind of concurrency: tasks that run in parallel are of course also “in progress together”; concurrency, however, need not be parallel. Either way, one CPU core executes one task at any instant.',
    ),
    p(
      '对于一直在计算的任务（CPU 密集型），单核上的并发并不比串行快：CPU 要做的计算总量没有变，轮流执行还要付出切换的开销。只有并行才能缩短总用时。最好的情况是“总计算量 ÷ 可用核数”和“最长的那个任务”两者中较大的一个：核比任务多时，多出来的核无事可做，总用时不会短于最长的任务。4 个 400 ms 的任务在 8 个核上最快也要 400 ms，而不是 1600 ÷ 8 = 200 ms。实验结果里每种方式旁边都列着实验室为这台机器算出的理想用时。对于经常等待输入输出的任务，情况就不同了——这是下一课的内容。',
      'For tasks that compute all the time (CPU-bound), concurrency on one core is no faster than serial: the total work for the CPU is the same, and taking turns adds switching costs. Only parallelism shortens the total time. At best it takes the larger of “total computing ÷ usable cores” and “the longest single task”: with more cores than tasks the extra cores have nothing to do, and nothing finishes before the longest task. Four tasks of 400 ms on 8 cores take at least 400 ms, not 1600 ÷ 8 = 200 ms. The results list, beside each mode, the ideal time the lab computes for this machine. Tasks that often wait for input and output behave differently — that is the next lesson.',
    ),
    note(
      '实验室的“并发”模式把所有子进程固定在同一个 CPU 上（Linux 上用 taskset），这样才能看到真正的单核轮流执行；如果系统不允许固定，结果里会注明。',
      'The lab’s “concurrent” mode pins every child to one CPU (with taskset on Linux) so that you see genuine one-core turn-taking; if the system does not allow pinning, the result says so.',
    ),
  ],
  prediction: {
    question: t(
      '4 个纯计算任务，每个需要 400 ms 的 CPU 时间，分别串行、单核并发、多核并行运行。哪种方式总用时最短？',
      'Four pure-computation tasks need 400 ms of CPU time each. They run serially, concurrently on one core, and in parallel on several cores. Which finishes first?',
    ),
    choices: [
      { id: 'serial', text: t('串行', 'Serial') },
      { id: 'concurrent', text: t('单核并发', 'Concurrent on one core') },
      { id: 'parallel', text: t('多核并行', 'Parallel on several cores') },
      { id: 'same', text: t('三者差不多', 'All about the same') },
    ],
    correct: 'parallel',
    explanation: t(
      '串行约 4 × 400 ms = 1.6 s；单核并发也约 1.6 s，因为一个核要做的计算一点没少；并行时几个核各做一部分：2 个核约 800 ms，4 个或更多核约 400 ms（一个任务本身就要 400 ms）。如果这台机器只有一个核，三者会差不多——这也说明了并行需要多个 CPU。',
      'Serial takes about 4 × 400 ms = 1.6 s; concurrent on one core also about 1.6 s, since that core has just as much computing to do; in parallel each core does a share: about 800 ms on 2 cores, about 400 ms on 4 or more (one task alone needs 400 ms). On a machine with one core all three come out alike — which shows that parallelism needs several CPUs.',
    ),
    watch: t('比较三种模式的总用时和 CPU 利用率，看甘特图里的任务条是排成一列、交替还是并排。', 'Compare the three modes’ total times and CPU utilisation, and see whether the Gantt bars line up in a row, interleave, or sit side by side.'),
    keys: ['serialMs', 'concurrentMs', 'parallelMs', 'speedupParallel'],
  },
  tryIt: [
    { label: t('运行：4 个计算任务，三种方式', 'Run: 4 compute tasks, three ways'), preset: { experiment: 'processes/run', settings: { tasks: TASKS, modes: ['serial', 'concurrent', 'parallel'], autoRun: true } } },
  ],
  python: [],
  historyKinds: ['proc.compare', 'proc.run'],
  reading,
}

export default lesson
