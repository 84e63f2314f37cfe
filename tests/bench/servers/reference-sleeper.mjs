// The delay-accuracy bench's reference: a process that does nothing but wake at deadlines, with the
// relay's own strategy (relay-timer.ts: a timer until FINE_MS before, then event-loop turns, the clock
// re-read each turn), N wake-ups GAP ms apart, each DELAY ms after it was set. How late it wakes is
// what this machine gives ANY process at that moment (it waits for a CPU): run beside the relay, the
// relay's lateness beyond this is its own. argv: N GAP_MS DELAY_MS FINE_MS. Prints
// {"event":"ready","port":0}, then at the end {"late":[ms, ...],"cpuMs":N} and exits.
import { performance } from 'node:perf_hooks'

const [n, gap, delay, fine] = process.argv.slice(2).map(Number)
const late = []
console.log(JSON.stringify({ event: 'ready', port: 0 }))
const cpu0 = process.cpuUsage()
const wake = (due) => {
  const left = due - performance.now()
  if (left <= 0) {
    late.push(performance.now() - due)
    if (late.length === n) {
      const c = process.cpuUsage(cpu0)
      console.log(JSON.stringify({ late, cpuMs: (c.user + c.system) / 1000 }))
      process.exit(0)
    }
    return
  }
  if (left <= fine) setImmediate(() => wake(due))
  else setTimeout(() => wake(due), left - fine)
}
let i = 0
const next = () => {
  if (i++ >= n) return
  wake(performance.now() + delay)
  setTimeout(next, gap)
}
next()
process.on('SIGTERM', () => process.exit(0))
