import { readlinkSync } from 'node:fs'
import type { ServedBy, ServerEvent } from '../../../shared/contract'
import { EVENT_HEX_BYTES } from '../../../shared/contract/net-values'

export type Emit = (event: ServerEvent) => void
/** A server event before the server stamps its id and time. */
export type EventBody = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'serverId' | 'at'> : never) : never

/** The first EVENT_HEX_BYTES of a chunk as hex; the event's byte count stays exact. */
export function hexOf(chunk: Buffer): string {
  return chunk.length > EVENT_HEX_BYTES ? chunk.toString('hex', 0, EVENT_HEX_BYTES) : chunk.toString('hex')
}

/**
 * The OS thread id of the calling thread: Linux names it in `/proc/thread-self` (`<pid>/task/<tid>`).
 * Elsewhere the OS gives Node no portable way to ask, so it is unknown (null).
 */
export function currentTid(): number | null {
  if (process.platform !== 'linux') return null
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) && tid > 0 ? tid : null
  } catch {
    return null
  }
}

let mainTid: number | null | undefined
/** Who serves connections handled on this process's main thread (the event loop, or the serial queue). */
export function servedHere(kind: 'loop' | 'queue'): ServedBy {
  mainTid ??= currentTid()
  return { kind, pid: process.pid, tid: mainTid }
}
