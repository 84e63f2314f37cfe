import { afterEach, describe, expect, it } from 'vitest'
import { issueMessage } from '../../renderer/i18n/issues'
import type { Lab } from '../../main/lab/lab'
import { createTestLab } from '../helpers/lab'

// The engine refuses a bad value with the issue's code and parameters, so the page says it in the
// learner's language (issue 15: "in English inside Chinese notices" no more).
describe('a refused value, said in both languages', () => {
  let lab: Lab | undefined
  afterEach(async () => {
    await lab?.close()
    lab = undefined
  })

  it('names the field, the reason and the limit, and counts the other problems', async () => {
    lab = createTestLab()
    const r = await lab.call('net.tcpServer.start', { port: 70000, mode: 'fork', handler: 'delay:99999' } as never)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toMatchObject({ code: 'ERR_INVALID_INPUT', params: { path: 'port', reason: 'range', min: 0, max: 65535, problems: 3 } })
    expect(r.error.message).toBe('net.tcpServer.start: port must be between 0 and 65535 (and 2 more)')
    expect(issueMessage('en', r.error)).toBe('port: must be between 0 and 65535')
    expect(issueMessage('zh', r.error)).toBe('port：必须在 0 到 65535 之间')
  })

  it('says a pattern, an enum, a type and a check of its own in Chinese without English words', async () => {
    lab = createTestLab()
    const inputs: [string, unknown][] = [
      ['net.tcpServer.start', { handler: 'delay:99999' }],
      ['net.tcpServer.start', { mode: 'fork' }],
      ['net.tcpServer.start', { port: 'eighty' }],
      ['sim.run', { procs: 'nonsense' }],
      ['proc.run', { tasks: 'nap:3', mode: 'serial' }],
      ['learner.set', { openLesson: 'Not An Id' }],
    ]
    for (const [method, input] of inputs) {
      const r = await lab.call(method as never, input as never)
      expect(r.ok, method).toBe(false)
      if (r.ok) continue
      const zh = issueMessage('zh', r.error)
      expect(zh, `${method} ${JSON.stringify(input)}`).not.toBeNull()
      // Field names, option values and the learner's own text may be ASCII; English sentences may not.
      expect(zh!.replace(/"[^"]*"|'[^']*'|“[^”]*”/g, ''), `${method}: ${zh}`).not.toMatch(/\b(?:must|expected|between|one of|got|look like)\b/)
      expect(issueMessage('en', r.error)).toContain(String(r.error.params?.path))
    }
  })
})
