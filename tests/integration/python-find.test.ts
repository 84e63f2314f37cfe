import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import { probePython, pythonCandidates } from '../../main/lab/python/find-python'

describe('finding Python', () => {
  it('looks where installers put it, not only on PATH', () => {
    const mac = pythonCandidates('darwin', {}).map((c) => c.command)
    expect(mac[0]).toBe('python3')
    expect(mac).toContain('/opt/homebrew/bin/python3')
    expect(mac).toContain('/usr/local/bin/python3')
    const win = pythonCandidates('win32', { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' })
    expect(win[0]).toEqual({ command: 'py', prefixArgs: ['-3'] })
    expect(win.map((c) => c.command)).toContain('C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Launcher\\py.exe')
  })

  it('skips what is missing or not Python 3 and takes the next', async () => {
    const real = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim()
    const found = await probePython([
      { command: '/nonexistent/bin/python3', prefixArgs: [] },
      { command: 'false', prefixArgs: [] },
      { command: real, prefixArgs: [] },
    ])
    expect(found?.command).toBe(real)
    expect(found?.version).toMatch(/^Python 3\.\d+/)
  })
})

describe('lab.info', () => {
  // A python3 first on PATH that answers only once the test opens its gate: if lab.info waited for
  // it on the engine's thread (execFileSync), the test could never open the gate and would get null.
  let dir: string
  let savedPath: string | undefined
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-fake-python-'))
    const script = `#!/bin/sh\necho run >> "${dir}/runs"\nwhile [ ! -f "${dir}/gate" ]; do sleep 0.02; done\necho "Python 3.99.7"\n`
    await writeFile(path.join(dir, 'python3'), script)
    await chmod(path.join(dir, 'python3'), 0o755)
    savedPath = process.env.PATH
    process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ''}`
  })
  afterAll(async () => {
    process.env.PATH = savedPath
    await rm(dir, { recursive: true, force: true })
  })

  it('asks Python for its version without blocking the thread, and only once', async () => {
    const lab = createTestLab()
    try {
      const pending = lab.call('lab.info', {})
      // The engine's thread is free while Python is asked: this runs, and opens the gate.
      await writeFile(path.join(dir, 'gate'), '')
      const info = await pending
      expect(info.ok && info.value.python).toBe('Python 3.99.7')
      const again = await lab.call('lab.info', {})
      expect(again.ok && again.value.python).toBe('Python 3.99.7')
      expect((await readFile(path.join(dir, 'runs'), 'utf8')).trim().split('\n')).toHaveLength(1)
    } finally {
      await lab.close()
    }
  })
})
