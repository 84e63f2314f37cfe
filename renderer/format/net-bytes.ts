/** Bytes as the network views show them: hex pairs and decoded text (escaped by Vue, never HTML). */

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '')
  const out = new Uint8Array(Math.floor(clean.length / 2))
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** "48656c6c6f" → "48 65 6c 6c 6f" (at most `max` bytes, then "…"). */
export function spacedHex(hex: string, max = 64): string {
  const pairs = hex.match(/../g) ?? []
  const shown = pairs.slice(0, max).join(' ')
  return pairs.length > max ? `${shown} …` : shown
}

/** Decodes hex with UTF-8 or GBK (the browser's TextDecoder knows both); bad bytes become U+FFFD. */
export function hexToText(hex: string, encoding: 'utf8' | 'gbk' = 'utf8'): string {
  try {
    return new TextDecoder(encoding === 'gbk' ? 'gbk' : 'utf-8', { fatal: false }).decode(hexToBytes(hex))
  } catch {
    return new TextDecoder('utf-8', { fatal: false }).decode(hexToBytes(hex))
  }
}

/** Control characters made visible, so "\n" in a payload shows as ⏎ rather than breaking a row. */
export function visible(text: string): string {
   
  return text.replace(/\r\n|[\r\n]/g, '⏎').replace(/\t/g, '⇥').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '·')
}
