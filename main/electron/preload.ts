/**
 * The preload: exposes one function per contract method and an event subscription as
 * `window.lab`, nothing else — never `ipcRenderer` or an IPC event object (docs/SECURITY.md item 6).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { IPC_EVENTS_CHANNEL, ipcChannel, methodNames, type LabEvent } from '../../shared/contract'
import type { Result } from '../../shared/errors'
import type { PreloadApi } from '../../shared/transport'

const methods: PreloadApi['methods'] = {}
for (const method of methodNames) {
  methods[method] = (input: unknown) => ipcRenderer.invoke(ipcChannel(method), input) as Promise<Result<unknown>>
}

const api: PreloadApi = {
  methods,
  onEvents(callback) {
    const listener = (_event: unknown, batch: { events: LabEvent[]; dropped: number }) => callback(batch)
    ipcRenderer.on(IPC_EVENTS_CHANNEL, listener)
    return () => {
      ipcRenderer.removeListener(IPC_EVENTS_CHANNEL, listener)
    }
  },
}

contextBridge.exposeInMainWorld('lab', api)
