import type { Input, LabEvent, MethodName, Output } from '../../shared/contract'
import type { Result } from '../../shared/errors'

/** connecting: the first attempt; reconnecting: the lab went away and the client is trying again; closed: the page gave up (close()). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** The renderer's one way to the engine, whichever door it came through. */
export interface LabClient {
  readonly door: 'electron' | 'browser'
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>>
  /** Receives events in batches; `dropped` counts events the engine had to skip under a flood. */
  onEvents(listener: (events: LabEvent[], dropped: number) => void): () => void
  onState(listener: (state: ConnectionState) => void): () => void
  close(): void
}
