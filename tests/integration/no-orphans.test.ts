import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { LabProcess } from '../helpers/cli'
import { webClient } from '../helpers/web-client'
import { descendantPids } from '../helpers/proc-probe'
import { isAlive, killAll, waitUntil } from '../helpers/procs'

/**
 * docs/SECURITY.md item 24, issue 6 deliverable 4, end to end with the real `lab` command:
 * servers with `forking` children holding connections and a busy process pool, then
 *  - `kill -9` of the lab's main process: no child is left after two seconds;
 *  - SIGTERM: the lab closes every socket and child and exits on its own.
 * Linux: descendants are read from /proc.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-orphans-'))
const labs: LabProcess[] = []
const sockets: net.Socket[] = []
const seen = new Set<number>()
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  for (const lab of labs.splice(0)) if (running(lab)) await lab.stop('SIGKILL')
  killAll([...seen].filter(isAlive)) // only if a test failed: never leak into the next one
  seen.clear()
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const running = (lab: LabProcess) => lab.child.exitCode === null && lab.child.signalCode === null

/** What a surviving process is, for the failure message. */
function describePids(pids: number[]): string {
  return pids
    .map((p) => {
      try {
        return `${p} (${readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120)})`
      } catch {
        return String(p)
      }
    })
    .join(', ')
}

function start(args: string[]): LabProcess {
  const lab = new LabProcess(args)
  labs.push(lab)
  return lab
}

/** Opens a TCP connection to the lab's server and waits for the handler's reply (so a child serves it). */
async function heldConnection(port: number, text: string): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port })
  sockets.push(socket)
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(text))
    socket.once('data', () => resolve())
    socket.once('error', reject)
  })
  return socket
}

function closed(socket: net.Socket): Promise<void> {
  return socket.destroyed || socket.readableEnded ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()))
}

/** The lab's descendants once at least `n` exist (the children we made it start). */
async function descendants(pid: number, n: number): Promise<number[]> {
  expect(await waitUntil(() => descendantPids(pid).length >= n, 15_000), `expected ≥ ${n} children of ${pid}, have ${descendantPids(pid).join(',')}`).toBe(true)
  const pids = descendantPids(pid)
  pids.forEach((p) => seen.add(p))
  return pids
}

async function kill9(lab: LabProcess): Promise<void> {
  await lab.stop('SIGKILL')
}

/** One lab (browser door) with a forking server holding 3 connections and a 2-child pool running long tasks. */
async function busyLab() {
  const lab = start(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir])
  const client = await webClient(lab)
  const started = await client.call('net.tcpServer.start', { port: 0, mode: 'forking', handler: 'echo' })
  expect(started.ok, JSON.stringify(started)).toBe(true)
  const port = (started.value as { port: number }).port
  const held = await Promise.all([1, 2, 3].map((i) => heldConnection(port, `hello ${i}`)))
  // The pool: long tasks, never awaited here (the run is still going when the lab dies).
  // Busy means its children are up and running tasks (see the report on a kill during pool start-up).
  void client.call('proc.run', { tasks: 'cpu:8000ms*2,io:8000ms*2', mode: 'parallel', workers: 2 })
  const taskStarted = () => client.events.filter((e) => e.topic === 'proc.progress' && e.payload.event === 'task-started').length >= 2
  expect(await waitUntil(taskStarted, 15_000), 'the pool never started its tasks').toBe(true)
  const pids = await descendants(lab.child.pid!, 3 + 2)
  return { lab, client, port, held, pids }
}

describe('no orphans (Linux, real processes)', () => {
  it('lab serve tcp --mode forking: kill -9 leaves no connection child after two seconds', async () => {
    const lab = start(['serve', 'tcp', '--port', '0', '--mode', 'forking', '--json'])
    const port = Number((await lab.waitFor((l) => l.event === 'listening')).port)
    await Promise.all([1, 2, 3, 4].map((i) => heldConnection(port, `hi ${i}`)))
    const pids = await descendants(lab.child.pid!, 4)
    await kill9(lab)
    const gone = await waitUntil(() => pids.every((p) => !isAlive(p)), 2_000)
    expect(gone, `still alive 2 s after kill -9: ${describePids(pids.filter(isAlive))}`).toBe(true)
  })

  it('lab run --mode parallel: kill -9 leaves no pool child after two seconds', async () => {
    const lab = start(['run', '--tasks', 'cpu:8000ms*2,io:8000ms*2,hang:noterm', '--mode', 'parallel', '--workers', '3', '--events', '--json'])
    await lab.waitFor((l) => l.event === 'task-started')
    const pids = await descendants(lab.child.pid!, 3)
    await kill9(lab)
    const gone = await waitUntil(() => pids.every((p) => !isAlive(p)), 2_000)
    expect(gone, `still alive 2 s after kill -9: ${describePids(pids.filter(isAlive))}`).toBe(true)
  })

  it('forking server + busy pool in one lab: kill -9 leaves no child after two seconds', async () => {
    const { lab, pids } = await busyLab()
    await kill9(lab)
    const gone = await waitUntil(() => pids.every((p) => !isAlive(p)), 2_000)
    expect(gone, `still alive 2 s after kill -9: ${describePids(pids.filter(isAlive))}`).toBe(true)
  })

  it("Python's ForkingTCPServer with clients connected: kill -9 of the lab leaves none of its processes after two seconds", async () => {
    const lab = start(['web', '--port', '0', '--no-open', '--json', '--data-dir', dataDir])
    const client = await webClient(lab)
    const started = await client.call('python.run', { program: 'tcp_server_forking', port: 0 })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    const port = (started.value as { port: number }).port
    // Outside clients: each is served by a child os.fork made, which has no thread watching the lab.
    await Promise.all([1, 2, 3].map((i) => heldConnection(port, `hello ${i}`)))
    const pids = await descendants(lab.child.pid!, 1 + 3)
    await kill9(lab)
    const gone = await waitUntil(() => pids.every((p) => !isAlive(p)), 2_000)
    expect(gone, `still alive 2 s after kill -9: ${describePids(pids.filter(isAlive))}`).toBe(true)
  })

  it('forking server + busy pool in one lab: SIGTERM closes every socket and child, then the lab exits', async () => {
    const { lab, port, held, pids } = await busyLab()
    const code = await lab.stop('SIGTERM')
    expect(code).toBe(0)
    // Once the lab has exited, nothing it started is left: no child, no listener, no open connection.
    expect(pids.filter(isAlive), 'children alive after the lab exited').toEqual([])
    await Promise.all(held.map(closed))
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port })
      s.once('connect', () => (s.destroy(), resolve(false)))
      s.once('error', () => resolve(true))
    })
    expect(refused, 'the port still accepts connections').toBe(true)
  })
})
