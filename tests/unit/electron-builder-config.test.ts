import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'

/**
 * build/electron-builder.config.cjs, called the way electron-builder calls it: afterPack with a
 * packager context (faked: only the fields the hook reads), and the targets it declares.
 */
const require = createRequire(import.meta.url)
const { Arch } = require('electron-builder') as { Arch: Record<string, number> }
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> }
const config = require(path.join(REPO_ROOT, 'build', 'electron-builder.config.cjs')) as {
  afterPack: (context: unknown) => Promise<void>
  linux: { target: string[] }
  win: { target: string[] }
  mac: { target: string[] }
}

async function fusesFor(electronPlatformName: string, arch: number): Promise<Record<string, unknown>> {
  const addElectronFuses = vi.fn(async () => {})
  await config.afterPack({ electronPlatformName, arch, appOutDir: '/tmp/x', packager: { addElectronFuses } })
  expect(addElectronFuses).toHaveBeenCalledTimes(1)
  return (addElectronFuses.mock.calls[0] as unknown as [unknown, Record<string, unknown>])[1]
}

const signingVars = ['CSC_LINK', 'CSC_NAME'] as const
afterEach(() => {
  vi.unstubAllEnvs()
})

describe('afterPack (fuses)', () => {
  it('darwin/arm64 without a signing identity: resets the ad-hoc signature, or the app refuses to launch', async () => {
    for (const v of signingVars) vi.stubEnv(v, '')
    expect((await fusesFor('darwin', Arch.arm64!)).resetAdHocDarwinSignature).toBe(true)
    expect((await fusesFor('darwin', Arch.universal!)).resetAdHocDarwinSignature).toBe(true)
  })

  it('leaves the signature alone when a signing identity re-signs it, and off macOS arm64', async () => {
    vi.stubEnv('CSC_LINK', 'file:///secret.p12')
    expect((await fusesFor('darwin', Arch.arm64!)).resetAdHocDarwinSignature).toBe(false)
    vi.stubEnv('CSC_LINK', '')
    expect((await fusesFor('darwin', Arch.x64!)).resetAdHocDarwinSignature).toBe(false)
    expect((await fusesFor('linux', Arch.x64!)).resetAdHocDarwinSignature).toBe(false)
    expect((await fusesFor('win32', Arch.x64!)).resetAdHocDarwinSignature).toBe(false)
  })

  it('keeps RunAsNode on (children are forked through it) and cookie encryption off (no Keychain prompt)', async () => {
    const fuses = await fusesFor('linux', Arch.x64!)
    expect(fuses[FuseV1Options.RunAsNode!]).toBe(true)
    expect(fuses[FuseV1Options.EnableCookieEncryption!]).toBe(false)
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable!]).toBe(false)
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments!]).toBe(false)
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar!]).toBe(true)
  })
})

describe('targets', () => {
  it('Linux: the deb first (it installs the AppArmor profile Ubuntu 24.04 needs), then the AppImage', () => {
    expect(config.linux.target).toEqual(['deb', 'AppImage'])
  })
  it('Windows NSIS, macOS dmg', () => {
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg'])
  })
})
