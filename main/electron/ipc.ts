import { IPC_EVENTS_CHANNEL, ipcChannel, methodNames, type LabEvent } from '../../shared/contract'
import { errorData, type Result } from '../../shared/errors'
import type { Lab } from '../lab/lab'
import { EventBatcher } from '../lab/event-batcher'
import { isAppUrl, isTrustedSender, type SenderFrame } from './security'

/** The part of `ipcMain` we use: lets tests hand in a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: SenderFrame | null }, input: unknown) => Promise<Result<unknown>>): void
  removeHandler(channel: string): void
}

/**
 * One `ipcMain.handle` per contract method, generated from the contract. Each checks that
 * the call comes from our window's top frame before the engine sees it.
 */
export function registerIpc(ipcMain: IpcMainLike, lab: Lab, mainFrame: () => unknown, isApp: (url: string) => boolean = isAppUrl): () => void {
  for (const method of methodNames) {
    ipcMain.handle(ipcChannel(method), async (event, input) => {
      if (!isTrustedSender(event.senderFrame, mainFrame(), isApp)) {
        return { ok: false, error: errorData('ERR_UNAUTHORIZED', `${method} refused: the call did not come from the lab's window`) }
      }
      return lab.call(method, input)
    })
  }
  return () => methodNames.forEach((m) => ipcMain.removeHandler(ipcChannel(m)))
}

/** Forwards engine events to the window in batches. */
export function forwardEvents(lab: Lab, send: (channel: string, batch: { events: LabEvent[]; dropped: number }) => void): () => void {
  const batcher = new EventBatcher((events, dropped) => send(IPC_EVENTS_CHANNEL, { events, dropped }))
  const off = lab.onEvent((e) => batcher.push(e))
  return () => {
    off()
    batcher.close()
  }
}
