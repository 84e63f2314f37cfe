import { handlerProblem } from '../../../shared/contract/net-values'
import { LabError } from '../lab-error'

/**
 * What a server does with each chunk it reads. `upper` is the course's handler:
 * `self.request.send(data.upper())`. Like Python's `bytes.upper()`, only ASCII letters
 * change, so multi-byte UTF-8 or GBK text passes through intact.
 */
export type HandlerName = 'upper' | 'echo' | 'reverse'

/** A handler spec parsed: `delay:<ms>` is the course's `upper`, answered only after `delayMs`. */
export interface HandlerPlan {
  spec: string
  name: HandlerName
  delayMs: number
}

export function parseHandler(spec: string): HandlerPlan {
  const problem = handlerProblem(spec)
  if (problem) throw new LabError('ERR_INVALID_INPUT', `handler ${JSON.stringify(spec).slice(0, 40)} ${problem.en}`, { option: 'handler' })
  if (spec.startsWith('delay:')) return { spec, name: 'upper', delayMs: Number(spec.slice('delay:'.length)) }
  return { spec, name: spec as HandlerName, delayMs: 0 }
}

export function upperAscii(chunk: Buffer): Buffer {
  // allocUnsafe + copy: Buffer.from(buffer) takes Node's generic array-like path, slow in a cold thread.
  const out = Buffer.allocUnsafe(chunk.length)
  chunk.copy(out)
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!
    if (b >= 0x61 && b <= 0x7a) out[i] = b - 0x20
  }
  return out
}

/**
 * `applyHandler` without allocating: the reply to `src[0, n)` written into `dst` (at least `n` bytes;
 * it may be `src` itself), returning its length. For a loop that a fresh thread runs cold
 * (blocking-loop.ts): a new Buffer per message is paid interpreted, in every new thread.
 */
export function applyHandlerInto(name: HandlerName, src: Buffer, n: number, dst: Buffer): number {
  if (name === 'upper') {
    for (let i = 0; i < n; i++) {
      const b = src[i]!
      dst[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b
    }
  } else if (name === 'echo') {
    if (dst !== src) src.copy(dst, 0, 0, n)
  } else {
    for (let i = 0, j = n - 1; i <= j; i++, j--) {
      const a = src[i]!
      dst[i] = src[j]!
      dst[j] = a
    }
  }
  return n
}

export function applyHandler(name: HandlerName, chunk: Buffer): Buffer {
  switch (name) {
    case 'upper':
      return upperAscii(chunk)
    case 'echo':
      return chunk
    case 'reverse':
      return Buffer.from(chunk).reverse()
  }
}
