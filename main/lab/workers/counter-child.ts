/**
 * Child-process entry for the threads-vs-processes counter (started with child_process.fork).
 * It runs the SAME increment on the SAME variable as the engine's module (`processCounter`),
 * but in its own memory: the parent's copy never moves. It reports its PID, waits for "go",
 * counts, reports its own final value, stays alive `holdMs` to be seen in the tree, and exits
 * at once if the engine goes away.
 */
import { incrementOwn, processCounter, type CounterChildStart, type CounterMessage } from '../proc/counter-shared'
import { watchParent } from '../proc/parent-guard'

watchParent()

const send = (m: CounterMessage) => {
  if (process.connected) process.send!(m)
}

process.on('message', (m: CounterChildStart) => {
  if (m?.type !== 'go') return
  for (let i = 0; i < m.increments; i++) incrementOwn()
  send({ type: 'done', final: processCounter.value, increments: m.increments })
  setTimeout(() => process.exit(0), m.holdMs)
})
send({ type: 'ready', pid: process.pid, tid: process.pid })
