/**
 * Issue 9: a `forking` server starts one Node process per connection, so whatever slows a Node
 * start-up is the mode's cost. Node 20 reads and parses every certificate named by
 * NODE_EXTRA_CA_CERTS as it starts (set to a system bundle on this project's machines: ~50 of
 * ~90 ms of each child's CPU, measured); a connection process never uses TLS, so it is started
 * without it (main/lab/proc/fork-child.ts, `lean`). Read from the kernel: the environment the
 * connection process and the server's guard were really given.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'
import { useServerLab } from '../helpers/server-probe'

const linux = process.platform === 'linux'
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
const names = (pid: number) => environ(pid).map((kv) => kv.slice(0, kv.indexOf('=')))

/** This process's children whose command line names `entry`. */
function childrenRunning(entry: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(entry)
      } catch {
        return false // gone meanwhile
      }
    })
    .map(Number)
}

describe.skipIf(!linux)('forking mode: connection processes start lean (Linux)', () => {
  const t = useServerLab()
  const saved = process.env.NODE_EXTRA_CA_CERTS
  beforeAll(() => {
    // A readable file of no certificates: what matters is that the lab's own environment has it.
    process.env.NODE_EXTRA_CA_CERTS = path.join(REPO_ROOT, 'package.json')
  })
  afterAll(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS
    else process.env.NODE_EXTRA_CA_CERTS = saved
  })

  it('the process serving a connection, and the guard, were not given NODE_EXTRA_CA_CERTS', async () => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode: 'forking' })
    const c = await t.connect(port)
    c.send('hi')
    await c.receive(2)
    expect(c.text).toBe('HI')
    const { servedBy } = await t.probe.until(() => t.probe.of('connection').find((e) => e.conn === 1), 'connection #1')
    const pid = servedBy!.pid
    expect(pid).not.toBe(process.pid)
    const env = names(pid)
    expect(env).toContain('LAB_PARENT_PID') // the lab's environment, less what it leaves out
    expect(env).not.toContain('NODE_EXTRA_CA_CERTS')
    const guards = childrenRunning('tcp-guard-child')
    expect(guards.length).toBeGreaterThan(0)
    for (const g of guards) expect(names(g)).not.toContain('NODE_EXTRA_CA_CERTS')
    await c.close()
  })
})
