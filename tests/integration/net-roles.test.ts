import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { ServerEvent } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'

/** The process tree labels what the network lab created for each connection. */
describe.skipIf(process.platform !== 'linux')('connection threads and processes in the tree', () => {
  let lab: Lab
  let events: ServerEvent[]
  const sockets: net.Socket[] = []
  beforeEach(() => {
    lab = createTestLab()
    events = []
    lab.onEvent((e) => {
      if (e.topic === 'net.server') events.push(e.payload)
    })
  })
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy())
    await lab.close()
  })

  const connect = async (port: number) => {
    const s = net.connect({ host: '127.0.0.1', port })
    sockets.push(s)
    await new Promise((r) => s.once('connect', r))
    s.write('hi')
    await new Promise((r) => s.once('data', r))
    return s
  }
  const servedBy = () => {
    const c = events.find((e) => e.event === 'connection')
    return c && c.event === 'connection' ? c.servedBy : undefined
  }

  it('labels a threading-mode connection thread as a connection thread', async () => {
    const { port } = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'threading' })
    await connect(port)
    const tid = servedBy()!.tid!
    const tree = await lab.invoke('os.tree', {})
    const me = tree.processes.find((p) => p.pid === process.pid)!
    expect(me.threads.find((t) => t.tid === tid)).toMatchObject({ role: 'connection' })
  })

  it('labels a forking-mode child as a connection process', async () => {
    const { port } = await lab.invoke('net.tcpServer.start', { port: 0, mode: 'forking' })
    await connect(port)
    const pid = servedBy()!.pid
    const tree = await lab.invoke('os.tree', {})
    expect(tree.processes.find((p) => p.pid === pid)).toMatchObject({ ppid: process.pid, role: 'connection' })
  })
})
