import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import {
  PYTHON_MAX_RUNNING,
  PYTHON_OUTPUT_LINES,
  type PythonLine,
  type PythonPeer,
  type PythonProgramId,
  pythonMethods,
} from '../../../shared/contract'
import { PYTHON_LISTENING, PYTHON_PEER_WRAPPER, PYTHON_PROGRAMS } from '../../../shared/python/programs'
import type { LabContext, LabDomain } from '../context'
import { LabError, limitError } from '../errors'
import { registerProcess } from '../proc/roles'
import { findPython, pythonCandidates } from './find-python'
import { PYTHON_KEEP_EXITED, PYTHON_READY_TIMEOUT_MS, PYTHON_STOP_GRACE_MS } from '../../../shared/budgets'

type PythonMethod = keyof typeof pythonMethods

/** How long a server may take to print "listening on …". */
const READY_TIMEOUT_MS = PYTHON_READY_TIMEOUT_MS
/** After asking a peer to stop, how long before it is killed. */
const STOP_GRACE_MS = PYTHON_STOP_GRACE_MS
/** Exited peers kept in the list, so their output can still be read (shared/budgets.ts). */
const KEEP_EXITED = PYTHON_KEEP_EXITED

export const PYTHON_COMMAND = process.platform === 'win32' ? 'python' : 'python3'

interface Running {
  peer: PythonPeer
  child: ChildProcess
  exited: Promise<void>
  group: boolean
}

/**
 * Runs the lab's own Python programs as peers the learner can talk to. The page names a
 * program by id; the engine writes that program's text from the fixed registry to a private
 * temporary folder and starts `python3 -u lab_peer.py <program>.py <port> [messages…]` with
 * an argument array and no shell. lab_peer.py exits when its standard input closes, so a
 * peer never outlives the lab, even after a kill -9.
 */
export function createPythonLab(ctx: LabContext): LabDomain<PythonMethod> {
  const peers = new Map<string, Running>()
  let folder: Promise<string> | null = null
  let nextId = 1

  const programsFolder = () => {
    folder ??= (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'socket-process-lab-python-'))
      await writeFile(path.join(dir, PYTHON_PEER_WRAPPER.file), PYTHON_PEER_WRAPPER.source)
      for (const program of Object.values(PYTHON_PROGRAMS)) await writeFile(path.join(dir, program.file), program.source)
      return dir
    })()
    return folder
  }

  const find = (id: string): Running => {
    const r = peers.get(id)
    if (!r) throw new LabError('ERR_NOT_FOUND', `no Python peer ${id}`, { id })
    return r
  }

  const forgetOldExited = () => {
    const exited = [...peers.values()].filter((r) => r.peer.state === 'exited')
    for (const r of exited.slice(0, Math.max(0, exited.length - KEEP_EXITED))) peers.delete(r.peer.id)
  }

  const signalAll = (r: Running, signal: NodeJS.Signals) => {
    try {
      // The peer leads its own process group: ForkingTCPServer's children go with it.
      if (r.group && r.child.pid) process.kill(-r.child.pid, signal)
      else r.child.kill(signal)
    } catch {
      // Already gone.
    }
  }

  async function run(input: { program: PythonProgramId; port?: number; messages?: string[] }): Promise<PythonPeer> {
    const program = PYTHON_PROGRAMS[input.program]
    if (program.posixOnly && process.platform === 'win32') {
      throw new LabError('ERR_UNSUPPORTED', `${program.file} uses os.fork, which Windows does not have`, { program: program.id })
    }
    const runningNow = [...peers.values()].filter((r) => r.peer.state === 'running').length
    if (runningNow >= PYTHON_MAX_RUNNING) {
      throw limitError('PYTHON_MAX_RUNNING', runningNow, 'stop a program first')
    }
    const port = input.port ?? pythonMethods['python.run'].input.shape.port.default
    if (program.role === 'client' && port === 0) throw new LabError('ERR_INVALID_INPUT', 'a client needs the port of a running server', { path: 'port', detail: 'must be 1–65535 for a client' })
    const python = await findPython()
    if (!python) throw pythonMissing(Object.assign(new Error('not found'), { code: 'ENOENT' }))
    const dir = await programsFolder()
    const args = [...python.prefixArgs, '-u', path.join(dir, PYTHON_PEER_WRAPPER.file), path.join(dir, program.file), String(port), ...(input.messages ?? [])]
    const group = process.platform !== 'win32'
    const child = spawn(python.command, args, {
      cwd: dir,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: group,
      windowsHide: true,
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    })
    const id = `py-${nextId++}`
    const peer: PythonPeer = { id, program: program.id, pid: child.pid ?? null, port, state: 'running', startedAt: Date.now(), exitCode: null, signal: null, output: [] }
    const unregister = registerProcess(child.pid, 'python-peer', `python ${program.file}`)
    let spawnError: Error | null = null
    let ready: ((port: number) => void) | null = null

    const exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        spawnError = err
        if (child.pid === undefined) {
          peer.state = 'exited'
          resolve()
        }
      })
      child.once('close', (code, signal) => {
        peer.state = 'exited'
        peer.exitCode = code
        peer.signal = signal
        unregister()
        ctx.emit('python.exit', { id, at: Date.now(), exitCode: code, signal })
        resolve()
      })
    })
    child.stdin?.on('error', () => {})

    const keep = (stream: PythonLine['stream']) => (text: string) => {
      const line: PythonLine = { at: Date.now(), stream, text: text.slice(0, 2_000) }
      peer.output.push(line)
      if (peer.output.length > PYTHON_OUTPUT_LINES) peer.output.splice(0, peer.output.length - PYTHON_OUTPUT_LINES)
      ctx.emit('python.output', { id, ...line })
      const m = stream === 'stdout' ? PYTHON_LISTENING.exec(text) : null
      if (m && ready) ready(Number(m[2]))
    }
    if (child.stdout) createInterface({ input: child.stdout }).on('line', keep('stdout'))
    if (child.stderr) createInterface({ input: child.stderr }).on('line', keep('stderr'))

    const running: Running = { peer, child, exited, group }
    peers.set(id, running)
    forgetOldExited()

    if (program.role !== 'server') {
      // A client (or a script) runs to completion by itself; only a failure to start is an error here.
      await new Promise((r) => setImmediate(r))
      if (spawnError) throw pythonMissing(spawnError)
      return { ...peer, output: [...peer.output] }
    }

    const outcome = await Promise.race([
      new Promise<number>((resolve) => (ready = resolve)),
      exited.then(() => null),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS).unref()),
    ])
    if (typeof outcome === 'number') {
      peer.port = outcome
      return { ...peer, output: [...peer.output] }
    }
    if (outcome === 'timeout') {
      await stop(running)
      throw new LabError('ERR_TIMEOUT', `${program.file} did not start listening within ${READY_TIMEOUT_MS / 1000} s`, { program: program.id })
    }
    if (spawnError) throw pythonMissing(spawnError)
    const stderr = peer.output.filter((l) => l.stream === 'stderr').map((l) => l.text)
    if (stderr.some((l) => /Address already in use|Errno 98|Errno 48|WinError 10048/.test(l))) {
      throw new LabError('ERR_PORT_IN_USE', `127.0.0.1:${port} is already in use`, { host: '127.0.0.1', port, where: `127.0.0.1:${port}` })
    }
    throw new LabError('ERR_INTERNAL', `${program.file} exited before listening: ${stderr.at(-1) ?? `exit code ${peer.exitCode}`}`, { program: program.id })
  }

  async function stop(r: Running): Promise<PythonPeer> {
    if (r.peer.state === 'running') {
      // Closing stdin lets lab_peer.py exit by itself; the signal covers forked children.
      r.child.stdin?.end()
      signalAll(r, 'SIGTERM')
      const timer = setTimeout(() => signalAll(r, 'SIGKILL'), STOP_GRACE_MS)
      await r.exited
      clearTimeout(timer)
      // The leader is gone; a forked child still serving a connection goes too.
      if (r.group) signalAll(r, 'SIGKILL')
    }
    return { ...r.peer, output: [...r.peer.output] }
  }

  return {
    handlers: {
      'python.run': (input) => run(input),
      'python.stop': ({ id }) => stop(find(id)),
      'python.list': () => [...peers.values()].map((r) => ({ ...r.peer, output: [...r.peer.output] })),
    },
    async close() {
      await Promise.all([...peers.values()].map((r) => stop(r)))
      peers.clear()
      const dir = folder ? await folder.catch(() => null) : null
      folder = null
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {})
    },
  }
}

function pythonMissing(err: Error): LabError {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT'
    ? new LabError('ERR_UNSUPPORTED', `no Python 3 found (tried ${pythonCandidates().map((c) => c.command).join(', ')})`, { command: PYTHON_COMMAND })
    : new LabError('ERR_INTERNAL', `could not start ${PYTHON_COMMAND}: ${err.message}`)
}
