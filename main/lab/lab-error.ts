/**
 * The engine's coded error, alone in its module: connection threads and processes (built as small
 * self-contained files, electron.config.ts) throw it too, and errors.ts's budget words would bring
 * the whole contract into every one of them (~13 ms of each start-up on Node 20). errors.ts
 * re-exports it: one class.
 */
import { errorData, type ErrorCode, type LabErrorData } from '../../shared/errors'

/** Thrown inside the engine; turned into `{ ok: false, error }` at the facade, never sent as an object. */
export class LabError extends Error {
  readonly code: ErrorCode
  readonly params?: Record<string, string | number>
  /** The input field it is about (the contract's name for it), when one is to blame. */
  readonly field?: string
  constructor(code: ErrorCode, message: string, params?: Record<string, string | number>, field?: string) {
    super(message)
    this.name = 'LabError'
    this.code = code
    this.params = params
    this.field = field
  }
  toData(): LabErrorData {
    return errorData(this.code, this.message, this.params, this.field)
  }
}
