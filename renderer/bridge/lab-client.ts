import type { Input, LabEvent, MethodName, Output } from '../../shared/contract'
import type { Result } from '../../shared/errors'

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** The renderer's one way to the engine, whichever door it came through. */
export interface LabClient {
  readonly door: 'electron' | 'browser'
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>>
  /** Receives events in batches; `dropped` counts events the engine had to skip under a flood. */
  onEvents(listener: (events: LabEvent[], dropped: number) => void): () => void
  onState(listener: (state: ConnectionState) => void): () => void
  close(): void
}
