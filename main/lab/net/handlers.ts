/**
 * What a server does with each chunk it reads. `upper` is the course's handler:
 * `self.request.send(data.upper())`. Like Python's `bytes.upper()`, only ASCII letters
 * change, so multi-byte UTF-8 or GBK text passes through intact.
 */
export type HandlerName = 'upper' | 'echo' | 'reverse'

export function upperAscii(chunk: Buffer): Buffer {
  const out = Buffer.from(chunk)
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!
    if (b >= 0x61 && b <= 0x7a) out[i] = b - 0x20
  }
  return out
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
