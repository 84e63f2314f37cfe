import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Lab } from '../../main/lab/lab'
import { LEARNER_FILE } from '../../main/lab/store/learner-store'
import { createTestLab } from '../helpers/lab'

describe('the learner store (learner.json in the data folder)', () => {
  let dir: string
  const labs: Lab[] = []
  const open = () => {
    const lab = createTestLab(dir)
    labs.push(lab)
    return lab
  }
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-learner-'))
  })
  afterEach(async () => {
    await Promise.all(labs.splice(0).map((l) => l.close()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps predictions, language, theme, welcome and the open lesson across a restart of the engine', async () => {
    const first = open()
    const empty = await first.invoke('learner.get', {})
    expect(empty.state.lang).toBeNull()
    expect(empty.file).toBe(path.join(dir, LEARNER_FILE))
    await first.invoke('learner.set', { lang: 'zh', theme: 'dark' })
    await first.invoke('learner.set', { welcome: 'closed', lesson: 'tcp-loops', predictions: { 'tcp-loops': { choice: 'wait', at: 1 } } })
    await first.close()

    const second = open()
    const { state, damaged } = await second.invoke('learner.get', {})
    expect(damaged).toBeNull()
    expect(state).toMatchObject({ lang: 'zh', theme: 'dark', welcome: 'closed', lesson: 'tcp-loops', predictions: { 'tcp-loops': { choice: 'wait', at: 1 } } })
    expect(state.savedAt).toBeGreaterThan(0)
    // Written by rename: no temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('changes only the fields given, one write after another in order', async () => {
    const lab = open()
    await Promise.all([lab.invoke('learner.set', { lang: 'en' }), lab.invoke('learner.set', { theme: 'light' }), lab.invoke('learner.set', { lesson: 'framing' })])
    const onDisk = JSON.parse(readFileSync(path.join(dir, LEARNER_FILE), 'utf8'))
    expect(onDisk).toMatchObject({ lang: 'en', theme: 'light', lesson: 'framing' })
  })

  it('a damaged file is moved aside and reported; the lab starts fresh and keeps working', async () => {
    writeFileSync(path.join(dir, LEARNER_FILE), '{"lang": "zh", "theme": "da')
    const lab = open()
    const snap = await lab.invoke('learner.get', {})
    expect(snap.damaged?.reason).toMatch(/not valid JSON/)
    expect(snap.damaged?.movedTo && existsSync(snap.damaged.movedTo)).toBe(true)
    expect(readFileSync(snap.damaged!.movedTo!, 'utf8')).toContain('"theme": "da')
    expect(snap.state.lang).toBeNull()
    await lab.invoke('learner.set', { lang: 'en' })
    expect((await lab.invoke('learner.get', {})).state.lang).toBe('en')
  })

  it('a file of the wrong shape counts as damaged too (validated against the contract)', async () => {
    writeFileSync(path.join(dir, LEARNER_FILE), JSON.stringify({ lang: 'fr', predictions: {} }))
    const snap = await open().invoke('learner.get', {})
    expect(snap.damaged?.reason).toMatch(/lang/)
    expect(snap.state.lang).toBeNull()
  })

  it('refuses bad input with a coded error, and the page cannot write the exercises record', async () => {
    const lab = open()
    for (const bad of [{ lang: 'fr' }, { exercises: {} }, { lesson: '../../etc' }, { predictions: { big: 'x'.repeat(40_000) } }]) {
      const r = await lab.call('learner.set', bad as never)
      expect(r.ok, JSON.stringify(bad).slice(0, 40)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('ERR_INVALID_INPUT')
    }
  })

  it('without a data folder it lives in memory, and says so', async () => {
    const lab = createTestLab(null)
    labs.push(lab)
    await lab.invoke('learner.set', { lang: 'zh' })
    const snap = await lab.invoke('learner.get', {})
    expect(snap.file).toBeNull()
    expect(snap.state.lang).toBe('zh')
  })

  it('tells other windows when it changed', async () => {
    const lab = open()
    const seen: unknown[] = []
    lab.onEvent((e) => e.topic === 'learner.changed' && seen.push(e.payload))
    await lab.invoke('learner.set', { theme: 'dark' })
    expect(seen).toHaveLength(1)
  })
})
