import type { Input, LabEvent, MethodName, Output } from '../../shared/contract'
import { errorData, type Result } from '../../shared/errors'
import type { PreloadApi } from '../../shared/transport'
import type { ConnectionState, LabClient } from './lab-client'

/** LabClient over Electron's preload bridge (`window.lab`). */
export class PreloadClient implements LabClient {
  readonly door = 'electron' as const
  constructor(private readonly api: PreloadApi) {}

  async call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>> {
    const fn = this.api.methods[method]
    if (!fn) return { ok: false, error: errorData('ERR_UNKNOWN_METHOD', `the window does not offer ${method}`) }
    try {
      return (await fn(input)) as Result<Output<M>>
    } catch (err) {
      return { ok: false, error: errorData('ERR_DISCONNECTED', String(err)) }
    }
  }

  onEvents(listener: (events: LabEvent[], dropped: number) => void): () => void {
    return this.api.onEvents((batch) => listener(batch.events, batch.dropped))
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    listener('open')
    return () => {}
  }

  close(): void {}
}
