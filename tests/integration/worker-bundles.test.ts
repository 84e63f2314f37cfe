/**
 * Issue 9: a `threading` or `forking` server starts one Worker or child per connection, so what
 * those entries load is the mode's cost. electron.config.ts builds them as self-contained CommonJS
 * files; this checks the built files stay that way: no ES-module chunks to resolve, and not the
 * contract's schemas (~13 ms of every start-up on Node 20, measured), which a Linux connection
 * thread or child never needs (shared/contract/net-values.ts holds what it does need).
 */
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { childEnv } from '../../main/lab/proc/parent-guard'
import type { FromForkChild, ToForkChild } from '../../main/lab/net/fork-messages'
import { WORKERS_DIR } from '../helpers/paths'

/** The source modules a bundle holds: rolldown names each one in a `// path` comment before its code. */
function modulesIn(file: string): string[] {
  return [...readFileSync(path.join(WORKERS_DIR, file), 'utf8').matchAll(/^\/\/ ((?:main|shared)\/\S+\.ts)$/gm)].map((m) => m[1]!)
}

/** Relative files a bundle loads at start-up (a lazy `require` inside a function is not at start-up). */
function startupRequires(file: string): string[] {
  const text = readFileSync(path.join(WORKERS_DIR, file), 'utf8')
  return [...text.matchAll(/^(?:const|let|var) \w+ = require\("(\.[^"]+)"\)/gm)].map((m) => m[1]!)
}

describe('the connection workers are small, self-contained CommonJS files', () => {
  it.each(['tcp-handler-thread.cjs', 'tcp-handler-child.cjs'])('%s holds its blocking loop and not the contract', (file) => {
    const mods = modulesIn(file)
    expect(mods).toContain('main/lab/net/blocking-loop.ts')
    expect(mods).toContain('shared/contract/net-values.ts')
    expect(mods.filter((m) => m.startsWith('shared/contract/') && m !== 'shared/contract/net-values.ts')).toEqual([])
    expect(mods).not.toContain('shared/schema.ts')
    expect(startupRequires(file)).toEqual([])
    expect(readFileSync(path.join(WORKERS_DIR, file), 'utf8')).not.toMatch(/^import /m)
  })
})

/**
 * Where no descriptor can be handed over (Windows, macOS) the child serves with the event-loop
 * Session, which it loads only then (a lazy chunk next to it). Linux never takes that path on its
 * own, so it is asked for here: a broken lazy chunk would otherwise only show on another OS.
 */
it('a forked connection child serves with the lazily loaded Session when told not to block', async () => {
  const child = fork(path.join(WORKERS_DIR, 'tcp-handler-child.cjs'), [], { env: childEnv(), execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' })
  const server = net.createServer({ pauseOnConnect: true })
  try {
    const messages: FromForkChild[] = []
    const ready = new Promise<void>((resolve) =>
      child.on('message', (m: FromForkChild) => {
        messages.push(m)
        if (m.type === 'ready') resolve()
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    await ready
    server.on('connection', (socket) => {
      const serve: ToForkChild = {
        type: 'serve',
        handler: 'upper',
        blocking: false,
        options: { recvSize: null, readDelayMs: 0, frame: 'none', maxFrameBytes: 1024, idleTimeoutMs: 0, maxBufferedBytes: 65_536 },
      }
      child.send(serve, socket)
    })
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    client.write('hello child')
    const reply = await new Promise<string>((resolve, reject) => {
      client.once('data', (d) => resolve(d.toString()))
      client.once('error', reject)
    })
    expect(reply).toBe('HELLO CHILD')
    const exited = new Promise((resolve) => child.once('exit', resolve))
    client.end()
    await exited
    expect(messages.some((m) => m.type === 'closed')).toBe(true)
  } finally {
    child.kill('SIGKILL')
    server.close()
  }
})
