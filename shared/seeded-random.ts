/**
 * mulberry32: a small, well-mixed 32-bit generator in [0, 1); the same seed gives the same numbers
 * everywhere (practice problems, the relay's simulated loss). The lab's one seeded generator.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
