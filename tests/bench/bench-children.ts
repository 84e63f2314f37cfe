/**
 * The servers and relays a bench runs as child processes, said once for every bench that needs them:
 * each child's stdout goes to a file in one scratch folder (so a chatty child never waits on the
 * bench), its port is read from its first JSON line, and after the file every child is stopped and
 * the folder removed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'

export interface Started {
  child: ChildProcess
  port: number
  logFile: string
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the child is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** A scratch folder `prefix…` under the OS's temp folder and `start()` for children logging into it. */
export function benchChildren(prefix: string) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix))
  const children: ChildProcess[] = []
  afterAll(async () => {
    await Promise.all(children.map(stopChild))
    rmSync(tmp, { recursive: true, force: true })
  })
  let started = 0
  /** Runs `cmd args` from the repository; resolves the port its first JSON line names (`port` or `listen.port`). */
  async function start(name: string, cmd: string, args: string[]): Promise<Started> {
    const logFile = path.join(tmp, `${name.replace(/\W+/g, '_')}-${++started}.log`)
    const fd = openSync(logFile, 'w')
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', fd, 'pipe'] })
    closeSync(fd)
    children.push(child)
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    const end = Date.now() + 20_000
    while (Date.now() < end) {
      const first = readFileSync(logFile, 'utf8').split('\n')[0] ?? ''
      // Only a whole first line: a line still being written is read again on the next round.
      if (first.endsWith('}')) {
        const j = JSON.parse(first) as { port?: number; listen?: { port: number } }
        const port = j.port ?? j.listen?.port
        if (port !== undefined) return { child, port, logFile }
      }
      if (child.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`${name} did not start: ${stderr}`)
  }
  return { tmp, start }
}
