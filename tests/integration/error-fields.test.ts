import { afterEach, describe, expect, it } from 'vitest'
import { BUDGETS } from '../../shared/budget-registry'
import { MAX_CLIENT_TOTAL_BYTES } from '../../shared/contract'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

/**
 * Errors carry the field they are about (the page highlights it) and ERR_LIMIT names its budget,
 * its value and the use that reached it (issue 12), through the engine's one entry, as every door
 * sees them.
 */
describe('errors that name their field and their limit', () => {
  let lab: Lab
  afterEach(() => lab?.close())

  it('a value the contract refuses names its path as the field', async () => {
    lab = createTestLab()
    const r = await lab.call('net.tcpServer.start', { port: 70_000 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toMatchObject({ code: 'ERR_INVALID_INPUT', field: 'port' })
    const nested = await lab.call('net.sticky.run', { messages: ['a', 7 as unknown as string] })
    expect(!nested.ok && nested.error.field).toBe('messages[1]')
  })

  it('a port really in use names the port field (a Node system error, placed by the method)', async () => {
    lab = createTestLab()
    const first = await lab.invoke('net.tcpServer.start', { port: 0 })
    const r = await lab.call('net.tcpServer.start', { port: first.port })
    expect(!r.ok && r.error).toMatchObject({ code: 'ERR_PORT_IN_USE', field: 'port' })
    const udp = await lab.invoke('net.udpServer.start', { port: 0 })
    const again = await lab.call('net.udpServer.start', { port: udp.port })
    expect(!again.ok && again.error).toMatchObject({ code: 'ERR_PORT_IN_USE', field: 'port' })
  })

  it('ERR_LIMIT names its budget, the value from shared/ and the use, with the field to change', async () => {
    lab = createTestLab()
    const r = await lab.call('net.compare.run', { clients: 10, messages: 100, handler: 'delay:200', modes: ['serial'] })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toMatchObject({
      code: 'ERR_LIMIT',
      field: 'clients',
      params: { budget: 'COMPARE_MAX_SERIAL_SPAN_MS', max: BUDGETS.COMPARE_MAX_SERIAL_SPAN_MS.value, used: 200_000, use: 'asked' },
    })
    expect(r.error.message).toContain(`${BUDGETS.COMPARE_MAX_SERIAL_SPAN_MS.en} (COMPARE_MAX_SERIAL_SPAN_MS): at most 120,000, this asks for 200,000`)
  })

  it('a persistent client writing too much names MAX_CLIENT_TOTAL_BYTES and the repeat field', async () => {
    lab = createTestLab()
    const server = await lab.invoke('net.tcpServer.start', { port: 0 })
    const client = await lab.invoke('net.tcpClient.open', { host: '127.0.0.1', port: server.port })
    const payload = 'x'.repeat(4096)
    const repeat = Math.floor(MAX_CLIENT_TOTAL_BYTES / payload.length) + 1
    const r = await lab.call('net.tcpClient.send', { id: client.id, payload, repeat })
    expect(!r.ok && r.error).toMatchObject({ code: 'ERR_LIMIT', field: 'repeat', params: { budget: 'MAX_CLIENT_TOTAL_BYTES', max: MAX_CLIENT_TOTAL_BYTES, used: repeat * payload.length } })
  })
})
