import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { IPC_EVENTS_CHANNEL, ipcChannel, methodNames } from '../../shared/contract'
import { REPO_ROOT } from '../helpers/paths'
import { hasBuild } from '../helpers/required'

const PRELOAD = path.join(REPO_ROOT, 'out', 'preload', 'preload.cjs')

/**
 * Evaluates the BUILT preload (what ships) with a fake `electron` module, the way Electron's
 * sandboxed preload gets `require`: then looks at exactly what it exposed.
 */
function loadPreload() {
  const exposed: Record<string, unknown> = {}
  const invoked: { channel: string; args: unknown[] }[] = []
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>()
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args })
      return Promise.resolve({ ok: true, value: channel })
    },
    on: (channel: string, l: (...args: unknown[]) => void) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
    removeListener: (channel: string, l: (...args: unknown[]) => void) =>
      listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)),
    send: () => {
      throw new Error('the preload must not use ipcRenderer.send')
    },
    sendSync: () => {
      throw new Error('the preload must not use ipcRenderer.sendSync')
    },
  }
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      if (key in exposed) throw new Error(`exposed twice: ${key}`)
      exposed[key] = api
    },
  }
  const required: string[] = []
  const fakeRequire = (id: string) => {
    required.push(id)
    if (id === 'electron') return { contextBridge, ipcRenderer }
    throw new Error(`a sandboxed preload can only require electron, asked for ${id}`)
  }
  const code = readFileSync(PRELOAD, 'utf8')
  const module = { exports: {} }
  new Function('require', 'module', 'exports', 'process', code)(fakeRequire, module, module.exports, undefined)
  return { exposed, invoked, listeners, ipcRenderer, required }
}

describe.skipIf(!hasBuild())('the preload (out/preload/preload.cjs)', () => {
  it('exposes window.lab only, with exactly { methods, onEvents }', () => {
    const { exposed, required } = loadPreload()
    expect(Object.keys(exposed)).toEqual(['lab'])
    const api = exposed.lab as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual(['methods', 'onEvents'])
    expect(typeof api.onEvents).toBe('function')
    expect(required).toEqual(['electron'])
  })

  it('offers one function per contract method, and nothing else', () => {
    const api = loadPreload().exposed.lab as { methods: Record<string, unknown> }
    expect(Object.keys(api.methods).sort()).toEqual([...methodNames].sort())
    for (const m of methodNames) expect(typeof api.methods[m]).toBe('function')
  })

  it('each function invokes its own channel with the input only', async () => {
    const { exposed, invoked } = loadPreload()
    const api = exposed.lab as { methods: Record<string, (input: unknown) => Promise<unknown>> }
    for (const m of methodNames) {
      const result = await api.methods[m]!({ probe: m })
      expect(result).toEqual({ ok: true, value: ipcChannel(m) })
    }
    expect(invoked).toEqual(methodNames.map((m) => ({ channel: ipcChannel(m), args: [{ probe: m }] })))
  })

  it('never leaks ipcRenderer or the IPC event object', () => {
    const { exposed, ipcRenderer, listeners } = loadPreload()
    const api = exposed.lab as { methods: Record<string, unknown>; onEvents: (cb: (b: unknown) => void) => () => void }
    // Nothing reachable from the exposed object is ipcRenderer or one of its functions.
    const seen = new Set<unknown>()
    const walk = (v: unknown) => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return
      seen.add(v)
      expect(v).not.toBe(ipcRenderer)
      for (const f of Object.values(ipcRenderer)) expect(v).not.toBe(f)
      for (const k of Object.getOwnPropertyNames(v)) {
        if (typeof v === 'function' && ['caller', 'callee', 'arguments'].includes(k)) continue
        walk((v as Record<string, unknown>)[k])
      }
    }
    walk(api)
    // The subscriber receives the batch only, never the event (which carries `sender`).
    const got: unknown[][] = []
    const off = api.onEvents((...args: unknown[]) => got.push(args))
    const batch = { events: [], dropped: 0 }
    for (const l of listeners.get(IPC_EVENTS_CHANNEL) ?? []) l({ sender: ipcRenderer, senderId: 0 }, batch)
    expect(got).toEqual([[batch]])
    off()
    expect(listeners.get(IPC_EVENTS_CHANNEL)).toEqual([])
  })
})
