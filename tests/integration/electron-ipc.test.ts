/* eslint-disable no-restricted-imports -- this tests the Electron door's Electron-free parts (the rule matches any path with an electron/ segment) */
import { afterEach, describe, expect, it } from 'vitest'
import { IPC_EVENTS_CHANNEL, ipcChannel, methodNames, type LabEvent, type MethodName } from '../../shared/contract'
import type { Result } from '../../shared/errors'
import { forwardEvents, registerIpc, type IpcMainLike } from '../../main/electron/ipc'
import type { SenderFrame } from '../../main/electron/security'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

type Listener = Parameters<IpcMainLike['handle']>[1]

/** ipcMain's edge, faked: records handlers so the test can invoke them with crafted events. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>()
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  invoke(method: MethodName, frame: SenderFrame | null, input: unknown): Promise<Result<unknown>> {
    const handler = this.handlers.get(ipcChannel(method))
    if (!handler) throw new Error(`no handler for ${method}`)
    return handler({ senderFrame: frame }, input)
  }
}

const mainFrame: SenderFrame = { url: 'lab://app/index.html', parent: null }

/** A valid-looking input per method, so a refusal can only come from the sender check. */
function plausibleInput(method: MethodName): unknown {
  if (method === 'net.tcpServer.start') return { host: '127.0.0.1', port: 0 }
  return {}
}

describe('registerIpc', () => {
  let lab: Lab
  let ipc: FakeIpcMain
  let unregister: () => void
  const setup = () => {
    lab = createTestLab()
    ipc = new FakeIpcMain()
    unregister = registerIpc(ipc, lab, () => mainFrame)
  }
  afterEach(async () => {
    unregister?.()
    await lab?.close()
  })

  it('registers exactly one handler per contract method, and removes them all', () => {
    setup()
    expect([...ipc.handlers.keys()].sort()).toEqual(methodNames.map(ipcChannel).sort())
    unregister()
    expect(ipc.handlers.size).toBe(0)
  })

  it('serves our top frame', async () => {
    setup()
    const info = await ipc.invoke('lab.info', mainFrame, {})
    expect(info.ok).toBe(true)
    const started = await ipc.invoke('net.tcpServer.start', mainFrame, { host: '127.0.0.1', port: 0 })
    expect(started.ok).toBe(true)
    const list = await ipc.invoke('net.server.list', mainFrame, {})
    expect(list.ok && (list.value as unknown[]).length).toBe(1)
  })

  const foreignSenders: [string, () => SenderFrame | null][] = [
    ['no frame (destroyed or navigated away)', () => null],
    ['a subframe of our window', () => ({ url: 'lab://app/index.html', parent: mainFrame })],
    ['a look-alike frame object', () => ({ url: 'lab://app/index.html', parent: null })],
    ['a frame on a foreign origin', () => ({ url: 'https://evil.example/', parent: null })],
  ]

  for (const [name, frame] of foreignSenders) {
    it(`refuses every method from ${name} with ERR_UNAUTHORIZED and no side effect`, async () => {
      setup()
      let handlerRan = 0
      const off = lab.onEvent(() => handlerRan++)
      for (const method of methodNames) {
        const result = await ipc.invoke(method, frame(), plausibleInput(method))
        expect(result.ok, method).toBe(false)
        if (!result.ok) expect(result.error.code, method).toBe('ERR_UNAUTHORIZED')
      }
      off()
      expect(handlerRan).toBe(0)
      // The refused net.tcpServer.start left nothing listening.
      const list = await lab.call('net.server.list', {})
      expect(list).toEqual({ ok: true, value: [] })
    })
  }

  it('refuses the real main frame once it has navigated off the app origin', async () => {
    const frame: SenderFrame = { url: 'lab://app/index.html', parent: null }
    lab = createTestLab()
    ipc = new FakeIpcMain()
    unregister = registerIpc(ipc, lab, () => frame)
    frame.url = 'http://127.0.0.1:9/'
    const result = await ipc.invoke('net.tcpServer.start', frame, { port: 0 })
    expect(result.ok).toBe(false)
    expect(await lab.call('net.server.list', {})).toEqual({ ok: true, value: [] })
  })

  it('forwards engine events to the window in batches on the events channel, and stops when told', async () => {
    setup()
    const sent: { channel: string; events: LabEvent[] }[] = []
    const stop = forwardEvents(lab, (channel, batch) => sent.push({ channel, events: batch.events }))
    const started = await ipc.invoke('net.tcpServer.start', mainFrame, { port: 0 })
    expect(started.ok).toBe(true)
    for (let i = 0; i < 100 && !sent.some((b) => b.events.some((e) => e.topic === 'net.server')); i++) await new Promise((r) => setTimeout(r, 20))
    expect(sent.length).toBeGreaterThan(0)
    expect(new Set(sent.map((b) => b.channel))).toEqual(new Set([IPC_EVENTS_CHANNEL]))
    expect(sent.flatMap((b) => b.events).some((e) => e.topic === 'net.server' && (e.payload as { event: string }).event === 'listening')).toBe(true)
    stop()
    const before = sent.length
    await ipc.invoke('net.server.stop', mainFrame, { id: (started as { value: { id: string } }).value.id })
    await new Promise((r) => setTimeout(r, 150))
    expect(sent.length).toBe(before)
  })
})
