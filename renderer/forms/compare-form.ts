import { COMPARE_DEFAULTS, COMPARE_MODES, DEFAULT_REQUEST_QUEUE_SIZE, type CompareMode } from '../../shared/contract'
import { handlerSpec } from './handler-spec'

export interface CompareForm {
  clients: number
  messages: number
  bytes: number
  /** 'upper', 'echo', 'reverse' or 'delay' (then `delayMs` counts). */
  handler: 'upper' | 'echo' | 'reverse' | 'delay'
  delayMs: number
  modes: CompareMode[]
  /** The listen backlog for every mode (socketserver's request_queue_size). */
  requestQueueSize: number
  /** Also run Python's own socketserver servers beside the lab's (where python3 exists). */
  python: boolean
}

/** A delay handler by default, so that waiting in the serial server is long enough to see. */
export function defaultCompareForm(): CompareForm {
  const delayMs = Number(/^delay:(\d+)$/.exec(COMPARE_DEFAULTS.handler)?.[1] ?? 20)
  return { clients: COMPARE_DEFAULTS.clients, messages: COMPARE_DEFAULTS.messages, bytes: COMPARE_DEFAULTS.bytes, handler: 'delay', delayMs, modes: [...COMPARE_MODES], requestQueueSize: DEFAULT_REQUEST_QUEUE_SIZE, python: false }
}

export function compareHandlerSpec(f: Pick<CompareForm, 'handler' | 'delayMs'>): string {
  return handlerSpec(f.handler, f.delayMs, defaultCompareForm().delayMs)
}
