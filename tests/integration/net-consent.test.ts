import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'
import { runLab } from '../helpers/cli'

/** Every spelling of "every interface" that getaddrinfo or listen() accepts. */
const EVERY_INTERFACE = ['0', '0.0', '00', '0x0', '0.0.0', '0.0.0.0', '000.000.000.000', '::', '::0', '0::0', '[0::]', '[::]', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0']

describe('listening on every interface needs consent', () => {
  let lab: Lab
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    await lab.close()
  })

  it.each(EVERY_INTERFACE)('refuses %s without allInterfaces, TCP and UDP, and nothing listens', async (host) => {
    for (const method of ['net.tcpServer.start', 'net.udpServer.start'] as const) {
      const r = await lab.call(method, { host, port: 0 })
      expect(r.ok, `${method} ${host}`).toBe(false)
      if (r.ok) continue
      expect(r.error.code).toBe('ERR_CONSENT_REQUIRED')
      expect(r.error.params).toMatchObject({ host, path: 'allInterfaces' })
      expect(r.error.params?.address).toMatch(/^(0\.0\.0\.0|::)$/)
      expect(r.error.hint).toContain('--all-interfaces')
    }
    expect(await lab.invoke('net.server.list', {})).toEqual([])
  })

  it('also refuses allInterfaces: false', async () => {
    const r = await lab.call('net.tcpServer.start', { host: '0', port: 0, allInterfaces: false })
    expect(r.ok ? null : r.error.code).toBe('ERR_CONSENT_REQUIRED')
  })

  it('reports the address it bound, not the spelling it was given', async () => {
    const tcp = await lab.invoke('net.tcpServer.start', { host: '127.1', port: 0 })
    expect(tcp.host).toBe('127.0.0.1')
    const udp = await lab.invoke('net.udpServer.start', { host: '0x7f000001', port: 0 })
    expect(udp.host).toBe('127.0.0.1')
    const byName = await lab.invoke('net.tcpServer.start', { host: 'localhost', port: 0 })
    expect(['127.0.0.1', '::1']).toContain(byName.host)
    // What it reports is where it listens: a client reaches it there.
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: tcp.host, port: tcp.port }, () => {
        s.destroy()
        resolve()
      })
      s.once('error', reject)
    })
    const list = await lab.invoke('net.server.list', {})
    expect(list.map((s) => s.host)).toEqual([tcp.host, udp.host, byName.host])
  })
})

describe('lab serve', () => {
  it('refuses --host 0 without --all-interfaces, with the code and the option to pass', async () => {
    const r = await runLab(['serve', 'tcp', '--host', '0', '--port', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr + r.stdout).toContain('ERR_CONSENT_REQUIRED')
    expect(r.stderr + r.stdout).toContain('--all-interfaces')
  })
})
