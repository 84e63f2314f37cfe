// Packs the lab with electron-builder for `--linux dir`, OFFLINE: Electron itself comes from
// the given electronDist folder (a stand-in made by the test), the rest is the project's
// build/electron-builder.config.cjs. usage: node package-linux-dir.mjs <electronDist> <outputDir>
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { build, Platform, Arch } = require('electron-builder')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const config = require(path.join(root, 'build', 'electron-builder.config.cjs'))
const [electronDist, output] = process.argv.slice(2)

await build({
  projectDir: root,
  targets: Platform.LINUX.createTarget('dir', Arch.x64),
  publish: 'never',
  config: { ...config, electronDist, directories: { ...config.directories, output } },
})
