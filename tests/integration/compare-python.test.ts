/**
 * The serial-vs-concurrent comparison with Python's own socketserver servers as rows beside the
 * lab's (issue 9, item 6): same clients, same handler, same backlog, in the same run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import type { CompareModeResult, RunProgress } from '../../shared/contract'
import { createTestLab } from '../helpers/lab'
import { hasPython } from '../helpers/python'

/** Clients served one after another: each one's first reply comes only after the one before had its last. */
function oneAtATime(m: CompareModeResult): boolean {
  const cs = [...m.clients].sort((a, b) => a.firstReplyAt! - b.firstReplyAt!)
  return cs.every((c, i) => i === 0 || c.firstReplyAt! >= cs[i - 1]!.doneAt!)
}

describe.skipIf(!hasPython)('net.compare.run with Python rows', () => {
  let lab: Lab
  beforeEach(() => {
    lab = createTestLab()
  })
  afterEach(async () => {
    await lab.close()
  })

  it('runs TCPServer, ThreadingTCPServer and ForkingTCPServer right after the lab\'s modes, with the same settings', async () => {
    const progress: RunProgress[] = []
    lab.onEvent((e) => e.topic === 'run.progress' && progress.push(e.payload))
    const r = await lab.invoke('net.compare.run', { clients: 3, messages: 3, handler: 'delay:30', modes: ['serial', 'threading', 'forking', 'async'], python: true, requestQueueSize: 8 })
    expect(r.modes.map((m) => `${m.server}:${m.mode}`)).toEqual(['lab:serial', 'python:serial', 'lab:threading', 'python:threading', 'lab:forking', 'python:forking', 'lab:async'])
    expect(r.python?.version).toMatch(/^Python 3/)
    expect(r.python?.skipped.join(' ')).toMatch(/async/)
    // The one progress event counts the Python rows too: 7 rows × 9 round trips, each row named as it starts.
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 63, total: 63 })
    const rows = [...new Set(progress.flatMap((p) => (p.step ? [`${p.step.server}:${p.step.mode}`] : [])))]
    expect(rows).toEqual(r.modes.map((m) => `${m.server}:${m.mode}`))
    for (const m of r.modes) {
      expect(m.wrong + m.failed, `${m.server} ${m.mode}`).toBe(0)
      expect(m.messages).toBe(9)
      expect(m.requestQueueSize).toBe(8)
    }
    const py = (mode: string) => r.modes.find((m) => m.server === 'python' && m.mode === mode)!
    expect(py('serial').pythonClass).toBe('TCPServer')
    expect(py('threading').pythonClass).toBe('ThreadingTCPServer')
    expect(py('forking').pythonClass).toBe('ForkingTCPServer')
    // Python's TCPServer serves one client at a time; ThreadingTCPServer does not.
    expect(oneAtATime(py('serial'))).toBe(true)
    expect(oneAtATime(py('threading'))).toBe(false)
    // Python does not say when it served a client: the wait is derived, and never counts the handler's 30 ms.
    for (const c of py('serial').clients) {
      expect(c.waitDerived).toBe(true)
      expect(c.serverWaitMs!).toBeCloseTo(Math.max(0, c.firstReplyMs! - c.connectMs! - 30), 2)
    }
  }, 120_000)

  it('without python: true there are only the lab\'s rows', async () => {
    const r = await lab.invoke('net.compare.run', { clients: 2, messages: 2, handler: 'upper', modes: ['threading'] })
    expect(r.modes.map((m) => m.server)).toEqual(['lab'])
    expect(r.python).toBeUndefined()
  })
})
