import { spawn, type ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'
import { createInterface } from 'node:readline'
import type { FoundPython } from '../python/find-python'
import { registerProcess } from '../proc/roles'
import { EXERCISE_PEER_KEEP_LINES, EXERCISE_PEER_LINE_CHARS } from '../../../shared/budgets'

/** Lines kept of what a checked program prints, and characters of each (shared/budgets.ts). */
const KEEP_LINES = EXERCISE_PEER_KEEP_LINES
const LINE_CHARS = EXERCISE_PEER_LINE_CHARS

/** The learner's program, started by a check: its output as it comes, and how it ended. */
export interface Peer {
  child: ChildProcess
  stdout: string[]
  stderr: string[]
  exit: Promise<{ code: number | null; signal: string | null }>
  exited: () => boolean
  stop: () => Promise<void>
}

/** Starts `python3 -u FILE [args…]`: an argument array, no shell, its own process group so a stop takes its children too. */
export function startPeer(python: FoundPython, file: string, args: string[], cwd: string): Peer {
  const group = process.platform !== 'win32'
  const child = spawn(python.command, [...python.prefixArgs, '-u', file, ...args], {
    cwd,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
    windowsHide: true,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  })
  const unregister = registerProcess(child.pid, 'python-peer', `exercise ${file}`)
  const stdout: string[] = []
  const stderr: string[] = []
  const keep = (into: string[]) => (line: string) => {
    into.push(line.slice(0, LINE_CHARS))
    if (into.length > KEEP_LINES) into.shift()
  }
  if (child.stdout) createInterface({ input: child.stdout }).on('line', keep(stdout))
  if (child.stderr) createInterface({ input: child.stderr }).on('line', keep(stderr))
  let done = false
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('error', (err) => {
      stderr.push(String(err.message))
      if (child.pid === undefined) {
        done = true
        resolve({ code: null, signal: null })
      }
    })
    child.once('close', (code, signal) => {
      done = true
      unregister()
      resolve({ code, signal })
    })
  })
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (group && child.pid) process.kill(-child.pid, signal)
      else child.kill(signal)
    } catch {
      // Already gone.
    }
  }
  return {
    child,
    stdout,
    stderr,
    exit,
    exited: () => done,
    async stop() {
      if (done) return
      kill('SIGTERM')
      const timer = setTimeout(() => kill('SIGKILL'), 1_500)
      await exit
      clearTimeout(timer)
    },
  }
}

/** A port free on 127.0.0.1 right now (TCP or UDP), for the program under test to bind. */
export async function freePort(proto: 'tcp' | 'udp'): Promise<number> {
  if (proto === 'udp') {
    const s = dgram.createSocket('udp4')
    await new Promise<void>((resolve, reject) => s.once('error', reject).bind(0, '127.0.0.1', () => resolve()))
    const port = s.address().port
    await new Promise<void>((resolve) => s.close(() => resolve()))
    return port
  }
  const srv = net.createServer()
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', () => resolve()))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Waits for a condition, checking every `every` ms, until `ms` passed: false then. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > end) return false
    await sleep(every)
  }
}

/** Connects to 127.0.0.1:port, or null (refused, or nothing within `ms`). */
export function connect(port: number, ms = 2_000): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    const timer = setTimeout(() => {
      s.destroy()
      resolve(null)
    }, ms)
    s.once('connect', () => {
      clearTimeout(timer)
      s.on('error', () => {})
      resolve(s)
    })
    s.once('error', () => {
      clearTimeout(timer)
      resolve(null)
    })
  })
}

/** Sends `text` and collects what comes back until `expect` bytes arrived, the peer closed, or `ms` passed. */
export function exchange(s: net.Socket, text: string, expectBytes: number, ms = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let got = 0
    const finish = () => {
      clearTimeout(timer)
      s.off('data', onData)
      s.off('close', finish)
      resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const onData = (d: Buffer) => {
      chunks.push(d)
      got += d.length
      if (got >= expectBytes) finish()
    }
    const timer = setTimeout(finish, ms)
    s.on('data', onData)
    s.once('close', finish)
    s.write(text)
  })
}
