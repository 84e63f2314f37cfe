/**
 * Where each client's time went, in the serial-vs-concurrent comparison (issue 9, item 7): one
 * stacked bar per client, in four parts that never overlap — connect (the kernel's accept queue; a
 * dropped SYN is retried after 1 s), waiting in the server (its queue, or for a thread or process
 * to be ready), the rest of the first reply (one handler run and the bytes' trip), and the service
 * of its other messages. "Wait" never includes the handler's own delay. Pure.
 */
export type PartName = 'connect' | 'wait' | 'first' | 'service'
export const PART_NAMES: PartName[] = ['connect', 'wait', 'first', 'service']

export interface PartsInput {
  client: number
  connectMs: number | null
  serverWaitMs: number | null
  firstReplyMs: number | null
  serviceMs: number | null
  retried: boolean
}

export interface ClientParts {
  client: number
  retried: boolean
  parts: Record<PartName, number>
  total: number
}

/** The four parts of one client (ms); null when it was never answered. */
export function clientParts(c: PartsInput): ClientParts | null {
  if (c.firstReplyMs === null || c.connectMs === null) return null
  const connect = Math.max(0, c.connectMs)
  const wait = Math.max(0, Math.min(c.serverWaitMs ?? 0, c.firstReplyMs - connect))
  const first = Math.max(0, c.firstReplyMs - connect - wait)
  const service = Math.max(0, c.serviceMs ?? 0)
  return { client: c.client, retried: c.retried, parts: { connect, wait, first, service }, total: connect + wait + first + service }
}

export interface PartRect {
  part: PartName
  x: number
  w: number
}

/** x and width of each part on a scale where `spanMs` fills `width`; parts under half a pixel are left out. */
export function layoutParts(p: ClientParts, spanMs: number, width: number): PartRect[] {
  const scale = width / Math.max(1e-9, spanMs)
  const out: PartRect[] = []
  let x = 0
  for (const part of PART_NAMES) {
    const w = p.parts[part] * scale
    if (w >= 0.5) out.push({ part, x, w })
    x += w
  }
  return out
}

/** p50, p99 and max of a list (ms), nearest-rank; zeros for an empty list. */
export function spreadOf(values: number[]): { p50: number; p99: number; max: number } {
  const v = [...values].sort((a, b) => a - b)
  if (v.length === 0) return { p50: 0, p99: 0, max: 0 }
  const at = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))]!
  return { p50: at(0.5), p99: at(0.99), max: v[v.length - 1]! }
}
