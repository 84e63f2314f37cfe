import { fork, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'
import { hasBuild } from '../helpers/required'
import { SharedConn } from '../../main/lab/net/shared-conn'
import type { SpareThreadData } from '../../main/lab/net/thread-messages'

/**
 * Issue 6, deliverable 1: electron-builder packs `--linux dir` OFFLINE against a local
 * electronDist, and the packaged app holds what it must and nothing it must not.
 *
 * The real Electron binary cannot be downloaded here, so the electronDist is a stand-in with
 * the layout of Electron's linux-x64 zip: an `electron` executable (carrying a real fuse wire,
 * so the afterPack fuse flipping is checked on bytes), LICENSE files, `version`, resources/
 * and locales/. electron-builder copies it, renames the executable, packs app.asar, prunes
 * locales and flips the fuses — everything but running the app.
 */
const require = createRequire(import.meta.url)
const asar = require('@electron/asar') as {
  listPackage(file: string, opts: { isPack: boolean }): string[]
  extractFile(file: string, entry: string): Buffer
  extractAll(file: string, dest: string): void
}

/** The app.asar must stay under this (it is ~1 MB: our build output plus ws and iconv-lite). */
const ASAR_BUDGET_BYTES = 4 * 1024 * 1024
/** The fuse wire's marker and its on/off bytes, from @electron/fuses itself (not retyped here). */
const { SENTINEL: FUSE_SENTINEL, FuseState } = require('@electron/fuses/dist/constants.js') as { SENTINEL: string; FuseState: Record<string, number> }
/**
 * Electron 41's shipped wire: 9 fuses (@electron/fuses added the 9th, WasmTrapHandlers, for
 * Electron 41), read off real binaries as 101100011: RunAsNode on, CookieEncryption off,
 * NodeOptions on, Inspect on, AsarIntegrity off, OnlyAsar off, V8Snapshot off, FileProtocol on,
 * WasmTrapHandlers on.
 */
const DEFAULT_FUSES = '101100011'
/** What build/electron-builder.config.cjs must leave in the binary (see the reasons written there); the 9th keeps its default. */
const EXPECTED_FUSES = '100011001'
const wireBytes = (wire: string) => Buffer.from([...wire].map((c) => (c === '1' ? FuseState.ENABLE! : FuseState.DISABLE!)))

function makeElectronDist(dir: string): void {
  mkdirSync(path.join(dir, 'resources'), { recursive: true })
  mkdirSync(path.join(dir, 'locales'))
  const exe = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in for the Electron binary"\nexit 1\n# '),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, DEFAULT_FUSES.length]),
    wireBytes(DEFAULT_FUSES),
    Buffer.from('\n'),
  ])
  writeFileSync(path.join(dir, 'electron'), exe)
  chmodSync(path.join(dir, 'electron'), 0o755)
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT (stand-in)\n')
  writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>stand-in</title>\n')
  writeFileSync(path.join(dir, 'version'), '41.7.1')
  for (const file of ['resources.pak', 'icudtl.dat', 'snapshot_blob.bin', 'v8_context_snapshot.bin', 'chrome_100_percent.pak']) writeFileSync(path.join(dir, file), 'stand-in')
  for (const locale of ['en-US', 'zh-CN', 'de', 'fr', 'ja']) writeFileSync(path.join(dir, 'locales', `${locale}.pak`), 'stand-in')
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // VITEST unset: electron-builder silences its log under vitest, and the test reads that log.
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, VITEST: '', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>
  dependencies: Record<string, string>
}
const built = hasBuild()

describe.skipIf(!built)('packaging (electron-builder --linux dir, offline)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-pack-'))
  const appDir = path.join(tmp, 'dist', 'linux-unpacked')
  const asarFile = path.join(appDir, 'resources', 'app.asar')
  let files: string[] = []
  let log = ''

  beforeAll(async () => {
    makeElectronDist(path.join(tmp, 'electron-dist'))
    const r = await run(process.execPath, [path.join(REPO_ROOT, 'tests', 'helpers', 'package-linux-dir.mjs'), path.join(tmp, 'electron-dist'), path.join(tmp, 'dist')], 90_000)
    log = r.output
    expect(r.code, log).toBe(0)
    files = asar.listPackage(asarFile, { isPack: false }).map((f) => f.replace(/\\/g, '/').replace(/^\//, ''))
  }, 100_000)
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('used the local Electron and downloaded nothing', () => {
    expect(log).toMatch(/using custom unpacked Electron distribution/)
    expect(log).not.toMatch(/download/i)
  })

  it('holds the entry points, the preload, the renderer and every worker entry', () => {
    for (const entry of ['package.json', 'out/main/electron.js', 'out/main/cli.js', 'out/preload/preload.cjs', 'out/renderer/index.html']) {
      expect(files, entry).toContain(entry)
    }
    // Connection threads/processes are self-contained CommonJS (.cjs, electron.config.ts), the rest ES modules.
    const workers = readdirSync(path.join(REPO_ROOT, 'out', 'main', 'workers')).filter((f) => /\.c?js$/.test(f))
    expect(workers.length).toBeGreaterThan(0)
    for (const w of workers) expect(files, w).toContain(`out/main/workers/${w}`)
    // Every chunk the entries import is there too.
    for (const c of readdirSync(path.join(REPO_ROOT, 'out', 'main', 'chunks'))) expect(files).toContain(`out/main/chunks/${c}`)
    const packaged = JSON.parse(asar.extractFile(asarFile, 'package.json').toString()) as { main: string; type: string }
    expect(files).toContain(packaged.main)
    expect(packaged.type).toBe('module')
  })

  it('ships the runtime dependencies and no dev dependency', () => {
    const modules = new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/').slice(1, f.startsWith('node_modules/@') ? 3 : 2).join('/')))
    expect([...modules]).toEqual(expect.arrayContaining(['ws', 'iconv-lite']))
    for (const dev of Object.keys(pkg.devDependencies)) expect(modules.has(dev), dev).toBe(false)
    for (const dev of ['vitest', 'vite', 'typescript', 'eslint', 'electron', 'electron-builder', 'playwright-core', 'fast-check', '@doyensec/electronegativity']) {
      expect(modules.has(dev), dev).toBe(false)
    }
    // Vue and Pinia are bundled into out/renderer, so the config leaves their folders out…
    for (const rendererOnly of ['vue', 'pinia', '@vue/compiler-sfc', '@babel/parser']) expect(modules.has(rendererOnly), rendererOnly).toBe(false)
  })

  it('has every package the main-side code imports (and so none it left out is needed)', () => {
    const mainSide = files.filter((f) => /^out\/(main|preload)\/.+\.c?js$/.test(f))
    const imported = new Set<string>()
    for (const f of mainSide) {
      const code = asar.extractFile(asarFile, f).toString()
      const specs = [
        ...code.matchAll(/^\s*import\s[^;]*?\bfrom\s*["']([^"']+)["']/gm),
        ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
        ...code.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1]!)
      for (const spec of specs) {
        if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec === 'electron') continue
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
      }
    }
    expect(imported.size).toBeGreaterThan(0)
    for (const name of imported) expect(files, `${name} is imported by out/main but not packaged`).toContain(`node_modules/${name}/package.json`)
  })

  it('ships no tests, sources, source maps or build tooling', () => {
    const ours = files.filter((f) => f !== 'node_modules' && !f.startsWith('node_modules/'))
    for (const f of ours) {
      expect(f, f).toMatch(/^(package\.json|out(\/.*)?)$/)
      expect(f).not.toMatch(/\.(ts|vue|map)$|(^|\/)tests?\//)
    }
    expect(files.some((f) => /\.test\.[jt]s$/.test(f))).toBe(false)
  })

  it(`keeps app.asar within its budget (${ASAR_BUDGET_BYTES / 1024 / 1024} MB)`, () => {
    const size = statSync(asarFile).size
    console.log(`app.asar: ${(size / 1024).toFixed(0)} KiB, ${files.length} entries`)
    expect(size).toBeLessThan(ASAR_BUDGET_BYTES)
  })

  it('renames the executable, prunes unused locales and flips the fuses as configured', () => {
    const exe = path.join(appDir, 'socket-process-lab')
    expect(existsSync(exe)).toBe(true)
    expect(existsSync(path.join(appDir, 'electron'))).toBe(false)
    expect(readdirSync(path.join(appDir, 'locales')).sort()).toEqual(['en-US.pak', 'zh-CN.pak'])
    const bytes = readFileSync(exe)
    const at = bytes.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length
    const wire = bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString()
    expect(wire).toBe(EXPECTED_FUSES)
    // RunAsNode (fuse 0) stays on: the pool and the forking server fork children through it.
    expect(wire[0]).toBe('1')
    // Cookie encryption (fuse 1) off: nothing needs it, and on macOS it asks for the Keychain.
    expect(wire[1]).toBe('0')
    // The 9th fuse (WasmTrapHandlers), unknown to @electron/fuses 1.8, keeps Electron's default.
    expect(wire).toHaveLength(9)
    expect(wire[8]).toBe('1')
  })

  /**
   * Issue 13: every worker entry, started with Node from the EXTRACTED app.asar (outside the
   * repository, so nothing resolves from its node_modules): a missing chunk, a bare import of a
   * package that was not packed, or a wrong "type" in the packed package.json fails here. The
   * entries are discovered, not listed: electron.config.ts builds one per main/lab/workers/*.ts
   * into out/main/workers/, and the packed set must be exactly that set. A `*-child` entry is
   * forked (as the engine does), a `*-thread` entry runs as a worker thread; each must say ready.
   */
  describe('the extracted app.asar', () => {
    const extracted = path.join(tmp, 'extracted')
    const sourceEntries = readdirSync(path.join(REPO_ROOT, 'main', 'lab', 'workers'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => f.slice(0, -3))
      .sort()
    const packedEntries = () =>
      files
        .filter((f) => /^out\/main\/workers\/[^/]+\.c?js$/.test(f))
        .map((f) => path.basename(f).replace(/\.c?js$/, ''))
        .sort()

    beforeAll(() => asar.extractAll(asarFile, extracted))

    it('packs exactly the worker entries the build config makes', () => {
      expect(sourceEntries.length).toBeGreaterThanOrEqual(5)
      expect(packedEntries()).toEqual(sourceEntries)
      for (const name of sourceEntries) expect(name, `${name}: name it *-child or *-thread so the lab and this test know how it runs`).toMatch(/-(child|thread)$/)
    })

    it.each(sourceEntries)('starts %s with Node from the extracted tree, and it says ready', async (name) => {
      const base = path.join(extracted, 'out', 'main', 'workers', name)
      const entry = existsSync(`${base}.cjs`) ? `${base}.cjs` : `${base}.js`
      expect(existsSync(entry), entry).toBe(true)
      const ready = name.endsWith('-thread') ? startThread(entry) : startChild(entry, extracted)
      await expect(ready).resolves.toBe('ready')
    }, 30_000)
  })
})

/** Forks a child entry as the engine does; resolves 'ready' on its first ready message, rejects with its stderr if it dies first. */
function startChild(entry: string, cwd: string): Promise<string> {
  const child = fork(entry, [], { cwd, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json', env: { ...process.env, LAB_PARENT_PID: String(process.pid) } })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  return new Promise<string>((resolve, reject) => {
    child.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') resolve('ready')
    })
    child.once('exit', (code, signal) => reject(new Error(`${path.basename(entry)} exited (${code ?? signal}) before it was ready:\n${stderr}`)))
  }).finally(() => {
    child.removeAllListeners('exit')
    child.kill('SIGKILL')
  })
}

/**
 * Runs a thread entry in a worker thread; resolves 'ready' on its first ready message. workerData
 * carries what the engine's thread entries read (a handler name, a shared counter buffer and its
 * settings), so each can start.
 */
/** What each thread entry is started with: a spare connection thread gets what the lab gives it (thread-mode.ts), the others a counter's shape. */
function workerDataFor(entry: string): unknown {
  if (path.basename(entry).startsWith('tcp-handler-thread')) {
    const data: SpareThreadData = {
      handler: 'upper',
      options: { recvSize: null, readDelayMs: 0, frame: 'none', maxFrameBytes: 1024, idleTimeoutMs: 0, maxBufferedBytes: 1024 },
      shared: new SharedConn().sab,
      bufferBudget: new SharedArrayBuffer(4),
      bufferLimit: 1024,
    }
    return data
  }
  return { handler: 'upper', shared: new SharedArrayBuffer(1024), increments: 1, atomic: true, holdMs: 0 }
}

function startThread(entry: string): Promise<string> {
  // A spare connection thread then waits in Atomics.wait for its connection: terminate() below must end it there too.
  const worker = new Worker(entry, { workerData: workerDataFor(entry), stderr: true })
  let stderr = ''
  worker.stderr.on('data', (d) => (stderr += d))
  return new Promise<string>((resolve, reject) => {
    worker.on('message', (m: { type?: string; ready?: boolean }) => {
      if (m?.type === 'ready' || m?.ready === true) resolve('ready')
    })
    worker.once('error', (err) => reject(new Error(`${path.basename(entry)} failed before it was ready: ${err.stack ?? err}\n${stderr}`)))
    worker.once('exit', (code) => reject(new Error(`${path.basename(entry)} exited (${code}) before it was ready:\n${stderr}`)))
  }).finally(async () => {
    worker.removeAllListeners('exit')
    // Awaited: a thread that does not end here (e.g. one stuck in a futex wait) times the test out.
    await worker.terminate()
  })
}
