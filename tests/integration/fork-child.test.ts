import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { forkLabChild, LEAN_CHILD_DROPS } from '../../main/lab/proc/fork-child'
import { POOL_CHILD_V8_FLAGS } from '../../main/lab/proc/worker-pool'
import { REPO_ROOT } from '../helpers/paths'

/** docs/SECURITY.md item 34: one helper starts every child, and no child inherits the parent's Node flags. */
describe('forkLabChild', () => {
  const saved = [...process.execArgv]
  afterEach(() => {
    process.execArgv.splice(0, process.execArgv.length, ...saved)
  })

  it('starts a real child with execArgv [] even when the parent runs with Node flags', async () => {
    // fork() copies process.execArgv by default: give the parent flags a child must not get
    // (`--inspect` would make every child fight for the same debugger port).
    process.execArgv.push('--expose-gc', '--max-old-space-size=300')
    const child = forkLabChild(path.join(REPO_ROOT, 'tests', 'fixtures', 'report-execargv.mjs'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    const report = await new Promise<{ execArgv: string[]; parentPid: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { execArgv: string[]; parentPid: string }))
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)))
    })
    expect(report.execArgv).toEqual([])
    expect(report.parentPid).toBe(String(process.pid))
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))
  })

  /**
   * The pool's children need one V8 flag of our own (worker-pool.ts POOL_CHILD_V8_FLAGS): they get
   * exactly that, still nothing of the parent's; and they run the parent's Node (process.execPath),
   * which is how `npm run test:electron-node` (LAB_EXPECT_NODE) checks the engine's children on
   * Electron's Node.
   */
  it('v8Flags: the child gets exactly the flags given, none inherited, on the same Node', async () => {
    process.execArgv.push('--expose-gc')
    const child = forkLabChild(path.join(REPO_ROOT, 'tests', 'fixtures', 'report-execargv.mjs'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], v8Flags: POOL_CHILD_V8_FLAGS })
    const report = await new Promise<{ execArgv: string[]; version: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { execArgv: string[]; version: string }))
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)))
    })
    expect(report.execArgv).toEqual(['--no-concurrent-sparkplug'])
    expect(report.version).toBe(process.version)
    if (process.env.LAB_EXPECT_NODE) expect(process.version).toBe(`v${process.env.LAB_EXPECT_NODE}`)
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))
  })

  /**
   * Issue 9: a forking server starts a process per connection, so what slows a Node start-up is the
   * mode's cost. NODE_EXTRA_CA_CERTS made Node 20 parse a whole certificate bundle in every child.
   */
  it('a lean child goes without NODE_EXTRA_CA_CERTS and NODE_OPTIONS; a plain one keeps them', async () => {
    expect([...LEAN_CHILD_DROPS]).toEqual(['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'])
    const saved = { ca: process.env.NODE_EXTRA_CA_CERTS, options: process.env.NODE_OPTIONS }
    // Values a child can start with: a file of no certificates, a harmless flag.
    process.env.NODE_EXTRA_CA_CERTS = path.join(REPO_ROOT, 'tests', 'fixtures', 'report-execargv.mjs')
    process.env.NODE_OPTIONS = '--max-old-space-size=300'
    const report = async (lean: boolean) => {
      const child = forkLabChild(path.join(REPO_ROOT, 'tests', 'fixtures', 'report-execargv.mjs'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], lean })
      return new Promise<{ extraCaCerts: string | null; nodeOptions: string | null }>((resolve, reject) => {
        child.once('message', (m) => resolve(m as { extraCaCerts: string | null; nodeOptions: string | null }))
        child.once('error', reject)
        child.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)))
      })
    }
    try {
      expect(await report(true)).toMatchObject({ extraCaCerts: null, nodeOptions: null })
      expect(await report(false)).toMatchObject({ extraCaCerts: process.env.NODE_EXTRA_CA_CERTS, nodeOptions: '--max-old-space-size=300' })
    } finally {
      for (const [name, value] of [['NODE_EXTRA_CA_CERTS', saved.ca], ['NODE_OPTIONS', saved.options]] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })

  it('is the only place in the engine that calls child_process.fork', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name)
        if (statSync(full).isDirectory()) walk(full)
        else if (/\.(ts|js|mjs|cjs)$/.test(name)) files.push(full)
      }
    }
    walk(path.join(REPO_ROOT, 'main'))
    const forking = files.filter((f) => {
      const code = readFileSync(f, 'utf8')
      const importsFork = /import\s*\{[^}]*\bfork\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/.test(code)
      const namespaceFork = /\b(child_process|cp|childProcess)\.fork\(/.test(code) || /require\(['"](node:)?child_process['"]\)\.fork/.test(code)
      return importsFork || namespaceFork
    })
    expect(forking.map((f) => path.relative(REPO_ROOT, f))).toEqual([path.join('main', 'lab', 'proc', 'fork-child.ts')])
    // …and the three engines that start children use it.
    for (const user of ['main/lab/proc/worker-pool.ts', 'main/lab/proc/counter.ts', 'main/lab/net/fork-mode.ts']) {
      expect(readFileSync(path.join(REPO_ROOT, user), 'utf8'), user).toMatch(/forkLabChild\(/)
    }
  })
})
