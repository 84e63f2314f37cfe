import net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { descriptorState } from '../../main/lab/net/descriptors'
import { createTestLab } from '../helpers/lab'
import { waitUntil } from '../helpers/procs'

/**
 * Issue 12: a persistent client is a socket held open for minutes, so it holds its file
 * descriptors in the lab's descriptor budget for as long as it is open (the reserve for the
 * lab's own doors and History is counted against it), and gives them back when it closes.
 */
describe('persistent TCP clients in the descriptor budget', () => {
  const lab = createTestLab()
  const server = net.createServer((s) => s.resume())
  afterAll(async () => {
    await lab.close()
    await new Promise((r) => server.close(r))
  })

  it('hold descriptors while open, and give them back on close, on a remote close and on a failed connect', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as net.AddressInfo).port
    const before = descriptorState().promised
    const a = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })
    const b = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port })
    const held = descriptorState().promised - before
    expect(held).toBeGreaterThan(0)
    expect(held % 2).toBe(0)
    await lab.invoke('net.tcpClient.close', { id: a.id })
    expect(await waitUntil(() => descriptorState().promised - before === held / 2, 5_000)).toBe(true)
    await lab.invoke('net.tcpClient.close', { id: b.id })
    expect(await waitUntil(() => descriptorState().promised === before, 5_000)).toBe(true)

    // The server ends the connection: the client's socket closes and its descriptors come back.
    const closer = net.createServer((s) => s.end())
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', () => r()))
    const closerPort = (closer.address() as net.AddressInfo).port
    await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port: closerPort })
    expect(await waitUntil(() => descriptorState().promised === before, 5_000)).toBe(true)
    await new Promise((r) => closer.close(r))

    // Nothing listens: the refused connect gives its descriptors back too.
    const refused = await lab.call('net.tcpClient.open', { host: '127.0.0.1', port: closerPort })
    expect(refused.ok).toBe(false)
    expect(await waitUntil(() => descriptorState().promised === before, 5_000)).toBe(true)
  })
})
