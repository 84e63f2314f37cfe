import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, WORKERS_DIR } from '../helpers/paths'
import { isAlive as alive, waitUntil } from '../helpers/procs'


/** docs/SECURITY.md item 24: a child whose lab is killed while the child is still starting exits too. */
describe('a forked child started just before kill -9 of the lab', () => {
  it.each(['pool-child.js', 'tcp-handler-child.cjs', 'counter-child.js'])('%s exits by itself within two seconds', async (entry) => {
    const parent = spawn(process.execPath, [path.join(REPO_ROOT, 'tests/fixtures/fork-then-die.mjs'), path.join(WORKERS_DIR, entry)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    parent.stdout.on('data', (d) => (out += d))
    await new Promise((r) => parent.once('close', r))
    const pid = Number(out.trim())
    expect(pid).toBeGreaterThan(0)
    const survived = !(await waitUntil(() => !alive(pid), 2_000))
    if (survived) process.kill(pid, 'SIGKILL')
    expect(survived).toBe(false)
  })
})
