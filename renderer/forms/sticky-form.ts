import type { ClientFraming, TextEncoding } from '../../shared/contract'

export interface StickyForm {
  messages: string[]
  gapMs: number
  recvSize: number
  readDelayMs: number
  nodelay: boolean
  frame: ClientFraming
  encoding: TextEncoding
}

/** The course's example: three short sends back to back, read by a slow reader, merge into one recv(). */
export function defaultStickyForm(): StickyForm {
  return { messages: ['hello', 'world', 'sticky'], gapMs: 0, recvSize: 1024, readDelayMs: 200, nodelay: false, frame: 'none', encoding: 'utf8' }
}
