import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { EXERCISE_IDS, type CheckReport } from '../../shared/contract'
import { EXERCISE_STARTERS } from '../../shared/python/exercises'
import { createTestLab } from '../helpers/lab'
import { REPO_ROOT } from '../helpers/paths'
import { hasPython } from '../helpers/python'


const SOLUTIONS = path.join(REPO_ROOT, 'tests', 'fixtures', 'exercises')
const explain = (r: CheckReport) => r.steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.title.en} sent=${s.sent} got=${s.got} ${s.why?.en ?? ''}`).join('\n') + `\n${r.stderr.join('\n')}`

describe.skipIf(!hasPython)('exercises the lab checks on the learner’s own Python', () => {
  let dir: string
  let lab: Lab
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-exercises-'))
    lab = createTestLab(dir)
  })
  afterAll(async () => {
    await lab.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const id of EXERCISE_IDS) {
    it(`${id}: the starter fails its check, saying why in both languages; the reference solution passes and is remembered`, async () => {
      const prepared = await lab.invoke('exercise.prepare', { id })
      expect(prepared.path).toBe(path.join(dir, 'exercises', EXERCISE_STARTERS[id].file))
      expect(readFileSync(prepared.path!, 'utf8')).toBe(EXERCISE_STARTERS[id].source)

      const starter = await lab.invoke('exercise.check', { id })
      expect(starter.passed, explain(starter)).toBe(false)
      const failed = starter.steps.find((s) => !s.ok)!
      expect(failed.why?.en, explain(starter)).toBeTruthy()
      expect(failed.why?.zh, explain(starter)).toMatch(/[\u4e00-\u9fff]/)
      expect((await lab.invoke('exercise.list', {})).find((e) => e.id === id)?.passedAt).toBeNull()

      // The learner edits the file in their own editor: here, the reference solution replaces it.
      copyFileSync(path.join(SOLUTIONS, EXERCISE_STARTERS[id].file), prepared.path!)
      const solved = await lab.invoke('exercise.check', { id })
      expect(solved.passed, explain(solved)).toBe(true)
      expect(solved.steps.length).toBeGreaterThan(0)
      expect((await lab.invoke('exercise.list', {})).find((e) => e.id === id)?.passedAt).toBeGreaterThan(0)
      expect(((await lab.invoke('learner.get', {})).state.exercises[id] as { passedAt: number }).passedAt).toBeGreaterThan(0)

      // Preparing again never overwrites the learner's work.
      await lab.invoke('exercise.prepare', { id })
      expect(readFileSync(prepared.path!, 'utf8')).toBe(readFileSync(path.join(SOLUTIONS, EXERCISE_STARTERS[id].file), 'utf8'))
    }, 90_000)
  }

  it('a program that crashes at once is reported with its traceback, not as a hang', async () => {
    const { path: file } = await lab.invoke('exercise.prepare', { id: 'udp-server' })
    writeFileSync(file!, 'raise SystemExit("broken on purpose")\n')
    const r = await lab.invoke('exercise.check', { id: 'udp-server' })
    expect(r.passed).toBe(false)
    expect(r.steps[0]!.why?.en).toMatch(/exited/)
    expect(r.stderr.join('\n')).toContain('broken on purpose')
  })

  it('names an exercise only: an unknown id is a coded error', async () => {
    const r = await lab.call('exercise.check', { id: '../../etc/passwd' } as never)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('ERR_INVALID_INPUT')
  })
})
