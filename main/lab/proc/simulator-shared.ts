/**
 * The lab's extension of the multiprogramming SIMULATION beyond process-run.py (which has one
 * CPU and no time slice): N simulated CPUs sharing ONE ready queue, and a time slice.
 *
 * Rules, one tick at a time:
 * 1. I/Os that complete at this tick put their process at the back of the ready queue;
 * 2. every free CPU, lowest first, takes the process at the front of the queue — so an I/O that
 *    completes returns to whichever CPU is free, not to the one it left;
 * 3. every busy CPU runs one instruction of its process;
 * 4. a process that issued an I/O blocks and frees its CPU (switch on I/O: claim 2 of the course);
 *    one that has no instruction left is done; one that has run `quantum` ticks in a row while
 *    another waits in the queue is preempted — back to the end of the queue (claim 1).
 * I/O timing is process-run's: an I/O issued at tick t completes at t + ioLength + 1, then the
 * process needs one CPU tick (`io_done`). With one CPU and no quantum the original simulator
 * (simulator.ts) runs instead, so process-run's traces stay exact.
 */
import type { SimInstruction, SimResult, SimState, SimTick } from '../../../shared/contract/os'

interface Proc {
  code: SimInstruction[]
  state: 'READY' | 'RUNNING' | 'BLOCKED' | 'DONE'
  ioFinish: number
  /** Ticks run in a row on its current CPU. */
  ran: number
}

export interface SharedOptions {
  programs: SimInstruction[][]
  cpus: number
  quantum?: number
  ioLength: number
  seed: number
}

export function simulateShared(opts: SharedOptions): SimResult {
  const procs: Proc[] = opts.programs.map((code) => ({ code: [...code], state: 'READY', ioFinish: -1, ran: 0 }))
  const queue: number[] = procs.map((_, pid) => pid)
  const onCpu: (number | null)[] = Array(opts.cpus).fill(null)
  const trace: SimTick[] = []
  let tick = 0
  let cpuBusy = 0
  let ioBusy = 0
  let preemptions = 0
  // Every instruction takes a tick and every I/O ends: the simulation ends within this many ticks.
  const bound = procs.reduce((s, p) => s + p.code.length * (opts.ioLength + 2), 0) + 1

  while (procs.some((p) => p.state !== 'DONE') && tick < bound) {
    tick++
    let ioDone = false
    for (const [pid, p] of procs.entries()) {
      if (p.state === 'BLOCKED' && p.ioFinish === tick) {
        p.state = 'READY'
        queue.push(pid)
        ioDone = true
      }
    }
    for (let c = 0; c < opts.cpus; c++) {
      if (onCpu[c] !== null || queue.length === 0) continue
      const pid = queue.shift()!
      onCpu[c] = pid
      procs[pid]!.state = 'RUNNING'
      procs[pid]!.ran = 0
    }
    const executed: (SimInstruction | null)[] = procs.map(() => null)
    const where: (number | null)[] = procs.map(() => null)
    let busy = 0
    for (let c = 0; c < opts.cpus; c++) {
      const pid = onCpu[c]
      if (pid === null || pid === undefined) continue
      const p = procs[pid]!
      executed[pid] = p.code.shift()!
      where[pid] = c
      p.ran++
      busy++
    }
    cpuBusy += busy
    const states = procs.map((p, pid): SimState => (executed[pid] ? (`RUN:${executed[pid]}` as SimState) : p.state === 'RUNNING' ? 'READY' : p.state))
    // As process-run counts it: I/Os in flight during this tick (one issued now counts from the next).
    let inFlight = 0
    for (const p of procs) if (p.state === 'BLOCKED' && p.ioFinish > tick) inFlight++
    const preempted: number[] = []
    for (let c = 0; c < opts.cpus; c++) {
      const pid = onCpu[c]
      if (pid === null || pid === undefined) continue
      const p = procs[pid]!
      if (executed[pid] === 'io') {
        p.state = 'BLOCKED'
        p.ioFinish = tick + opts.ioLength + 1
        onCpu[c] = null
      } else if (p.code.length === 0) {
        p.state = 'DONE'
        onCpu[c] = null
      } else if (opts.quantum !== undefined && p.ran >= opts.quantum && queue.length > 0) {
        p.state = 'READY'
        queue.push(pid)
        onCpu[c] = null
        preempted.push(pid)
        preemptions++
      }
    }
    if (inFlight > 0) ioBusy++
    const t: SimTick = { tick, ioDone, states, cpu: busy, io: inFlight, onCpu: where }
    if (preempted.length) t.preempted = preempted
    trace.push(t)
  }

  const result: SimResult = {
    simulation: true,
    switchOn: 'io',
    ioDone: 'later',
    ioLength: opts.ioLength,
    seed: opts.seed,
    programs: opts.programs,
    totalTime: tick,
    cpuBusy,
    ioBusy,
    cpuUtilization: tick ? cpuBusy / (tick * opts.cpus) : 0,
    ioUtilization: tick ? ioBusy / tick : 0,
    trace,
    cpus: opts.cpus,
    preemptions,
  }
  if (opts.quantum !== undefined) result.quantum = opts.quantum
  return result
}
