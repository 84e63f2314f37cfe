import { methodSpecs, STICKY_DEFAULT_MESSAGES, type ClientFraming, type TextEncoding } from '../../shared/contract'

export interface StickyForm {
  messages: string[]
  gapMs: number
  recvSize: number
  readDelayMs: number
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
}

/** The contract's fields: the form starts from their defaults, the ones the engine and `lab sticky` use. */
const STICKY = methodSpecs['net.sticky.run'].input.shape

/** The course's example: three short sends back to back, read by a slow reader, merge into one recv(). */
export function defaultStickyForm(): StickyForm {
  const d = STICKY
  return { messages: [...STICKY_DEFAULT_MESSAGES], gapMs: d.gapMs.default, recvSize: d.recvSize.default, readDelayMs: d.readDelayMs.default, nodelay: d.nodelay.default, frame: d.frame.default, encoding: d.encoding.default }
}
