/**
 * owned-send.ts's decisions, with the send queue's reading given (real sockets: tests/integration/
 * net-thread-panel-send.test.ts): the send lock, the queue budget, the tries, the coded refusals.
 * The "socket" is a temporary file's descriptor, so that a write that happens can be seen.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PANEL_SEND_OWNED_MAX_BYTES, PANEL_SEND_TRIES } from '../../shared/budgets'
import { writeFromPanel, type OwnedSocket } from '../../main/lab/net/owned-send'
import { SharedConn } from '../../main/lab/net/shared-conn'
import type { LabError } from '../../main/lab/errors'

let dir: string
let file: string
let target: OwnedSocket & { collected: number; isEnded: boolean }

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'owned-send-'))
  file = path.join(dir, 'wire')
  const fd = openSync(file, 'w')
  target = {
    fd,
    shared: new SharedConn(),
    collected: 0,
    isEnded: false,
    ended: () => target.isEnded,
    collect: () => void target.collected++,
  }
})
afterEach(() => {
  closeSync(target.fd)
  rmSync(dir, { recursive: true, force: true })
})

const wire = () => readFileSync(file, 'utf8')
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: LabError) => e)

describe('the server panel writing on a thread-served connection (owned-send.ts)', () => {
  it('writes when the queue is empty: the thread\'s records are collected first, `written` runs under the lock, the lock is free again', async () => {
    let lockedWhenWritten: boolean | null = null
    const n = await writeFromPanel(target, 3, Buffer.from('hi'), () => (lockedWhenWritten = !target.shared.tryLockSendForPanel()), () => 0)
    expect(n).toBe(2)
    expect(wire()).toBe('hi')
    expect(target.collected).toBe(1)
    expect(lockedWhenWritten).toBe(true)
    expect(target.shared.tryLockSendForPanel()).toBe(true)
  })

  it('bytes already queued count against the budget: queue + message over it is tried again, then refused (queued), nothing written', async () => {
    let reads = 0
    const err = await refusal(writeFromPanel(target, 3, Buffer.from('x'), () => {}, () => (reads++, PANEL_SEND_OWNED_MAX_BYTES)))
    expect(err).toMatchObject({ code: 'ERR_SEND_WOULD_BLOCK', params: { conn: 3, why: 'queued', queued: PANEL_SEND_OWNED_MAX_BYTES } })
    expect(reads).toBe(PANEL_SEND_TRIES)
    expect(wire()).toBe('')
    // Exactly at the budget it goes.
    await writeFromPanel(target, 3, Buffer.from('x'), () => {}, () => PANEL_SEND_OWNED_MAX_BYTES - 1)
    expect(wire()).toBe('x')
  })

  it('a queue that drains (a delayed ACK) within the tries: the message goes', async () => {
    const queue = [4_000_000, 9_000, 0]
    await writeFromPanel(target, 1, Buffer.from('later'), () => {}, () => queue.shift() ?? 0)
    expect(wire()).toBe('later')
  })

  it('while the handler holds the send lock the panel never writes: refused (replying) after its tries; let go, it writes', async () => {
    target.shared.lockSend()
    const err = await refusal(writeFromPanel(target, 2, Buffer.from('p'), () => {}, () => 0))
    expect(err).toMatchObject({ code: 'ERR_SEND_WOULD_BLOCK', params: { conn: 2, why: 'replying' } })
    expect(wire()).toBe('')
    const going = writeFromPanel(target, 2, Buffer.from('p'), () => {}, () => 0)
    target.shared.unlockSend()
    await going
    expect(wire()).toBe('p')
  })

  it('over PANEL_SEND_OWNED_MAX_BYTES: ERR_LIMIT naming it, the queue not even read', async () => {
    let reads = 0
    const err = await refusal(writeFromPanel(target, 1, Buffer.alloc(PANEL_SEND_OWNED_MAX_BYTES + 1), () => {}, () => (reads++, 0)))
    expect(err).toMatchObject({ code: 'ERR_LIMIT', params: { budget: 'PANEL_SEND_OWNED_MAX_BYTES', used: PANEL_SEND_OWNED_MAX_BYTES + 1 } })
    expect(reads).toBe(0)
  })

  it('an OS that does not say the queue → ERR_UNSUPPORTED; a socket gone or a connection ended → ERR_BAD_STATE; nothing written', async () => {
    await expect(refusal(writeFromPanel(target, 1, Buffer.from('a'), () => {}, () => undefined))).resolves.toMatchObject({ code: 'ERR_UNSUPPORTED' })
    await expect(refusal(writeFromPanel(target, 1, Buffer.from('a'), () => {}, () => null))).resolves.toMatchObject({ code: 'ERR_BAD_STATE' })
    target.isEnded = true
    await expect(refusal(writeFromPanel(target, 1, Buffer.from('a'), () => {}, () => 0))).resolves.toMatchObject({ code: 'ERR_BAD_STATE' })
    expect(wire()).toBe('')
    // The lock is never left held by a refusal.
    expect(target.shared.tryLockSendForPanel()).toBe(true)
  })
})
