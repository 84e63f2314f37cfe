import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { LAB_BIN, REPO_ROOT } from './paths'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real `lab` command to completion. */
export function runLab(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAB_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...opts.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`lab ${args.join(' ')} timed out\n${stdout}\n${stderr}`))
    }, opts.timeoutMs ?? 20_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** A long-running `lab …` (serve, web) whose JSON lines can be awaited one by one. */
export class LabProcess {
  readonly child: ChildProcess
  readonly lines: Record<string, unknown>[] = []
  stderr = ''
  private waiters: {
    match: (l: Record<string, unknown>) => boolean
    resolve: (l: Record<string, unknown>) => void
    reject: (e: Error) => void
  }[] = []

  /**
   * `entry`: another built CLI than bin/lab.js (a copy of out/ whose renderer folder a test plants files in).
   * `nofile`: start the lab under that many file descriptors (`ulimit -n`, through a shell that then execs node).
   */
  constructor(args: string[], opts: { entry?: string; nofile?: number } = {}) {
    const argv = [opts.entry ?? LAB_BIN, ...args]
    this.child =
      opts.nofile === undefined
        ? spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('/bin/sh', ['-c', `ulimit -n ${Math.floor(opts.nofile)} && exec "$0" "$@"`, process.execPath, ...argv], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stderr!.on('data', (d) => (this.stderr += d))
    // A process whose output has ended cannot print the awaited line any more: fail at once.
    this.child.once('close', (code, signal) => {
      const waiting = this.waiters
      this.waiters = []
      for (const w of waiting) w.reject(new Error(`lab ${args.join(' ')} exited (${code ?? signal}) first; got ${JSON.stringify(this.lines)}\n${this.stderr}`))
    })
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        line = { text }
      }
      this.lines.push(line)
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true
        w.resolve(line)
        return false
      })
    })
  }

  /** Resolves with the first line (already seen or future) that matches. */
  waitFor(match: (l: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const seen = this.lines.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line in ${timeoutMs} ms; got ${JSON.stringify(this.lines)}\n${this.stderr}`)), timeoutMs)
      this.waiters.push({
        match,
        resolve: (l) => (clearTimeout(timer), resolve(l)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
    })
  }

  /** Sends SIGTERM and waits for the exit code. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    // Already gone (exited, or killed by a signal): nothing to wait for.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode)
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code))
      this.child.kill(signal)
    })
  }
}
