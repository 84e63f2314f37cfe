/**
 * Python's own socketserver servers for the serial-vs-concurrent comparison (issue 9, item 6):
 * shared/python/compare_server.py, started through lab_peer.py (it exits when the lab goes away,
 * with every process it forked) as the leader of its own process group, so stopping it ends
 * ForkingTCPServer's children too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { PythonCompareMode } from '../../../shared/contract'
import { PYTHON_PEER_WRAPPER } from '../../../shared/python/programs'
import compareServer from '../../../shared/python/compare_server.py?raw'
import { LabError } from '../errors'
import { registerProcess } from '../proc/roles'
import { findPython } from '../python/find-python'
import { PYTHON_READY_TIMEOUT_MS, PYTHON_STOP_GRACE_MS } from '../../../shared/budgets'

/** How long the server may take to print that it listens, and to stop before it is killed (shared/budgets.ts, as the lessons' Python programs). */
const READY_TIMEOUT_MS = PYTHON_READY_TIMEOUT_MS
const STOP_GRACE_MS = PYTHON_STOP_GRACE_MS

export interface PythonCompareServer {
  port: number
  pid: number | null
  stop(): Promise<void>
}

/** The Python the comparison would run, or null where there is none. */
export async function comparePython(): Promise<{ version: string } | null> {
  const python = await findPython()
  return python ? { version: python.version } : null
}

export async function startPythonCompareServer(mode: PythonCompareMode, backlog: number, handler: string): Promise<PythonCompareServer> {
  const python = await findPython()
  if (!python) throw new LabError('ERR_UNSUPPORTED', 'no Python 3 found: the comparison runs without Python rows')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'socket-process-lab-compare-'))
  await writeFile(path.join(dir, PYTHON_PEER_WRAPPER.file), PYTHON_PEER_WRAPPER.source)
  await writeFile(path.join(dir, 'compare_server.py'), compareServer)
  const group = process.platform !== 'win32'
  const child: ChildProcess = spawn(
    python.command,
    [...python.prefixArgs, '-u', path.join(dir, PYTHON_PEER_WRAPPER.file), path.join(dir, 'compare_server.py'), '0', mode, String(backlog), handler],
    { cwd: dir, shell: false, stdio: ['pipe', 'pipe', 'pipe'], detached: group, windowsHide: true, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  )
  child.stdin?.on('error', () => {})
  const unregister = registerProcess(child.pid, 'python-peer', `python compare_server.py (${mode})`)
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  child.once('error', () => {})
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)))
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (group && child.pid) process.kill(-child.pid, sig)
      else child.kill(sig)
    } catch {
      // Already gone.
    }
  }
  const stop = async () => {
    child.stdin?.end()
    signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
    // A forked child still serving a connection goes with its group.
    if (group) signal('SIGKILL')
    unregister()
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
  const port = await Promise.race([
    new Promise<number>((resolve) => {
      createInterface({ input: child.stdout! }).once('line', (line) => {
        try {
          resolve(Number((JSON.parse(line) as { port: number }).port))
        } catch {
          resolve(0)
        }
      })
    }),
    exited.then(() => 0),
    new Promise<number>((resolve) => setTimeout(() => resolve(-1), READY_TIMEOUT_MS).unref()),
  ])
  if (port <= 0) {
    await stop()
    throw new LabError('ERR_INTERNAL', `Python's ${mode} server did not start${port < 0 ? ` within ${READY_TIMEOUT_MS / 1000} s` : ''}: ${stderr.trim().split('\n').at(-1) ?? 'no output'}`)
  }
  child.stdout?.resume()
  return { port, pid: child.pid ?? null, stop }
}
