import type { HistorySummary } from '../../shared/contract'
import { ms, num } from './reading'
import { t, type Text } from './types'

/**
 * The kernel's own evidence from the learner's one-CPU (concurrent) run, for lessons 3 and 4:
 * context switches and run-queue wait of its tasks (proc.compare's summary, from /proc). Nothing
 * when the run has no such figures (another OS, an older run): the results then say why.
 */
export function switchReading(summary: HistorySummary): Text[] {
  const vol = num(summary.concurrentVoluntarySwitches)
  const invol = num(summary.concurrentInvoluntarySwitches)
  const wait = num(summary.concurrentRunQueueMs)
  if (vol === null || invol === null || wait === null) return []
  const w = ms(wait)
  const out: Text[] = [
    t(
      `内核的记录（单核并发那一次）：操作系统把 CPU 从你的任务手里夺走了 ${invol} 次（被动切换），任务自己让出 CPU ${vol} 次（主动切换）；每个任务平均有 ${w} 处于就绪状态、在运行队列里等 CPU。`,
      `The kernel’s own record of your one-CPU (concurrent) run: the OS took the CPU away from your tasks ${invol} times (involuntary switches), and they gave it up ${vol} times (voluntary); each task spent ${w} on average runnable but waiting in the run queue.`,
    ),
  ]
  if (invol > vol) {
    out.push(t('被动切换占多数：任务一直在计算，是时间片用完后被操作系统抢占的（论断一）。', 'Mostly involuntary: the tasks kept computing and the OS preempted them when their time slice ran out (claim 1).'))
  } else {
    out.push(t('主动切换占多数：任务开始 I/O 后自己让出了 CPU（论断二）。', 'Mostly voluntary: the tasks gave the CPU up themselves when they started I/O (claim 2).'))
  }
  return out
}
