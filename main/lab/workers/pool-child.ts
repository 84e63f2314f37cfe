/**
 * A process-pool child (built to out/main/workers/pool-child.js, started with
 * `child_process.fork`). It runs one task at a time when the engine asks and reports what
 * the OS says it used. It never outlives the engine: it exits when the IPC channel closes
 * ('disconnect') and, as a second guard for `kill -9` of the engine while this child is busy
 * computing (its event loop cannot see 'disconnect' then), whenever its parent PID changes.
 */
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import type { TaskSpec } from '../../../shared/task-spec'
import { nowAbs, type ChildPhase, type FromChild, type ToChild } from '../proc/messages'
import { parentGone, watchParent } from '../proc/parent-guard'
import { readThreadCounters } from '../proc/sched-counters'
import { POOL_TASK_MAX_SLICES } from '../../../shared/budgets'

const parentPid = watchParent()

function orphaned(): boolean {
  return parentGone(parentPid)
}

function send(message: FromChild): void {
  if (process.connected) process.send!(message)
}

/**
 * Sends and waits until the message has left this process. Needed before blocking the event
 * loop (a busy CPU phase, a hang): a message still queued in the channel would wait for the loop.
 */
function sendFlushed(message: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve()
    process.send!(message, undefined, {}, () => resolve())
  })
}

/** user + system CPU time of this process, ms. */
function cpuNowMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** The CPU this process last ran on: field 39 of /proc/self/stat (Linux only). */
function lastCpu(): number | null {
  if (process.platform !== 'linux') return null
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // Field 2 (comm) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpu = Number(fields[39 - 3])
    return Number.isInteger(cpu) ? cpu : null
  } catch {
    return null
  }
}

let sink = 0

/** A gap this long between two rounds of work (each a few µs) means the OS ran something else. */
const SLICE_GAP_MS = 0.5
/** Past twice this many slices, neighbours are merged (the shortest gaps vanish first in effect; shared/budgets.ts). */
const MAX_SLICES = POOL_TASK_MAX_SLICES

/**
 * Computes until `ms` of CPU time (not wall time) has been used; on a shared CPU this takes
 * longer. Returns the stretches of wall time in which this process was actually running:
 * whenever the wall clock jumps between two short rounds of work, the OS had switched it out.
 */
function burn(ms: number): [number, number][] {
  const target = cpuNowMs() + ms
  const slices: [number, number][] = []
  let x = sink | 1
  let rounds = 0
  let sliceStart = nowAbs()
  let last = sliceStart
  while (cpuNowMs() < target) {
    for (let i = 0; i < 5_000; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) | 0
    const t = nowAbs()
    if (t - last > SLICE_GAP_MS) {
      slices.push([sliceStart, last])
      sliceStart = t
      if (slices.length >= 2 * MAX_SLICES) {
        for (let i = 0; i < MAX_SLICES; i++) slices[i] = [slices[2 * i]![0], slices[2 * i + 1]![1]]
        slices.length = MAX_SLICES
      }
    }
    last = t
    if (++rounds % 1024 === 0 && orphaned()) process.exit(0)
  }
  slices.push([sliceStart, last])
  sink = x
  return slices
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Blocks the event loop without using CPU, still leaving when the parent is gone. */
function hang(ignoreTerm: boolean): never {
  if (ignoreTerm) process.on('SIGTERM', () => {})
  const cell = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    Atomics.wait(cell, 0, 0, 200)
    if (orphaned()) process.exit(0)
  }
}

/** Waits on a TCP socket: asks the engine's slow peer to answer after `ms`, then reads the answer. */
function waitOnSocket(port: number, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${ms}\n`))
    socket.setTimeout(ms + 30_000, () => socket.destroy(new Error('the slow peer did not answer')))
    socket.once('data', () => {
      socket.destroy()
      resolve()
    })
    socket.once('error', reject)
    socket.once('close', () => reject(new Error('the slow peer closed the connection without answering')))
  })
}

async function phase(kind: 'cpu' | 'io', ms: number, phases: ChildPhase[], peerPort?: number): Promise<void> {
  const startAt = nowAbs()
  const cpu0 = cpuNowMs()
  if (kind === 'cpu') {
    const slices = burn(ms)
    phases.push({ phase: kind, startAt, endAt: nowAbs(), cpuMs: cpuNowMs() - cpu0, slices })
    return
  }
  if (peerPort === undefined) await sleep(ms)
  else await waitOnSocket(peerPort, ms)
  phases.push({ phase: kind, startAt, endAt: nowAbs(), cpuMs: cpuNowMs() - cpu0 })
}

async function run(taskId: number, task: TaskSpec, peerPort?: number): Promise<void> {
  const ioPort = task.ioVia === 'socket' ? peerPort : undefined
  if (task.ioVia === 'socket' && ioPort === undefined) throw new Error('an @socket task needs the slow peer, which the engine did not start')
  const startAt = nowAbs()
  const cpu0 = cpuNowMs()
  await sendFlushed({ type: 'started', taskId, at: startAt })
  // The main thread runs the task (the busy loop, the timer wait): its counters before and after
  // the task's own phases, so the lab's messages to the engine are not counted as the task's.
  const counters0 = readThreadCounters('/proc/thread-self')
  const phases: ChildPhase[] = []
  switch (task.kind) {
    case 'cpu':
      await phase('cpu', task.cpuMs, phases)
      break
    case 'io':
      await phase('io', task.ioMs, phases, ioPort)
      break
    case 'mixed':
      await phase('cpu', task.cpuMs, phases)
      await phase('io', task.ioMs, phases, ioPort)
      break
    case 'crash':
      // A teaching/test task: the process dies mid-task, as a real crash would.
      await sleep(5)
      process.exit(task.exitCode ?? 1)
      break
    case 'hang':
      // A teaching/test task: the process stops answering until the engine kills it.
      hang(task.ignoreTerm === true)
  }
  const endAt = nowAbs()
  const cpuMs = cpuNowMs() - cpu0
  const counters1 = readThreadCounters('/proc/thread-self')
  const counters = !counters0.ok ? counters0 : !counters1.ok ? counters1 : { ok: true as const, start: counters0.value, end: counters1.value }
  send({ type: 'done', taskId, startAt, endAt, cpuMs, cpu: lastCpu(), phases, counters })
}

let busy = false

process.on('message', (raw: unknown) => {
  if (typeof raw !== 'object' || raw === null || (raw as ToChild).type !== 'run') return
  const m = raw as ToChild
  if (busy) {
    send({ type: 'failed', taskId: m.taskId, message: 'this child is already running a task' })
    return
  }
  busy = true
  run(m.taskId, m.task, m.peerPort)
    .catch((err: unknown) => send({ type: 'failed', taskId: m.taskId, message: err instanceof Error ? err.message : String(err) }))
    .finally(() => (busy = false))
})

/**
 * Runs the task code once before saying "ready": V8 compiles functions lazily, and without this
 * the first task of every child would pay a few ms of compiling (and, on a shared CPU, the
 * switches that come with it) that later tasks do not.
 */
async function warmUp(): Promise<void> {
  const phases: ChildPhase[] = []
  await phase('cpu', 1, phases)
  await phase('io', 1, phases)
  readThreadCounters('/proc/thread-self')
  lastCpu()
  JSON.stringify(phases)
}

void warmUp().finally(() => send({ type: 'ready', pid: process.pid }))
