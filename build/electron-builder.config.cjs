/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file: electron-builder require()s it */
// electron-builder configuration: `npm run dist` builds the current platform's installers.
//   Linux: AppImage + deb · Windows: NSIS · macOS: dmg
// Icons are ours, drawn by scripts/make-icons.js into this folder (build/ = buildResources,
// never packed into the app). tests/integration/packaging.test.ts packs `--linux dir`
// offline against a stand-in Electron and checks what lands in the app.
'use strict'
const path = require('node:path')
const { FuseV1Options, FuseVersion } = require('@electron/fuses')
const { existsSync, readFileSync } = require('node:fs')
const pkg = require('../package.json')

/**
 * Production dependencies the renderer uses only: Vite bundles them into out/renderer, and
 * nothing in out/main or out/preload imports them (packaging.test.ts checks), so their
 * node_modules folders (Vue's compiler and Babel included, ~14 MB) stay out of the app.
 */
const RENDERER_ONLY = ['vue', 'pinia']

/** The named packages and everything they depend on, as installed (hoisted) in node_modules. */
function withDependencies(names) {
  const seen = new Set()
  const visit = (name) => {
    if (seen.has(name)) return
    const file = path.join(__dirname, '..', 'node_modules', name, 'package.json')
    if (!existsSync(file)) return
    seen.add(name)
    const meta = JSON.parse(readFileSync(file, 'utf8'))
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) visit(dep)
  }
  names.forEach(visit)
  return seen
}
const runtime = withDependencies(Object.keys(pkg.dependencies).filter((n) => !RENDERER_ONLY.includes(n)))
const rendererOnly = [...withDependencies(RENDERER_ONLY)].filter((n) => !runtime.has(n))
/** The `electron` npm package (an optional dependency) is the downloader, not the runtime: never shipped. */
const notShipped = [...new Set([...rendererOnly, ...withDependencies(['electron'])])].filter((n) => !runtime.has(n)).sort()

/**
 * Electron fuses, flipped in the packaged binary right after packing (before signing).
 * Each fuse left ON says why.
 */
const FUSES = {
  version: FuseVersion.V1,
  // ON: the process pool and the `forking` server mode use child_process.fork() from
  // Electron's main process, and Electron's fork runs children as plain Node through
  // ELECTRON_RUN_AS_NODE. Turning this fuse off breaks both (children would start a second app).
  [FuseV1Options.RunAsNode]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  // OFF: the lab reads no NODE_OPTIONS / NODE_EXTRA_CA_CERTS; nobody gets to inject flags.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // OFF: no --inspect / SIGUSR1 debugger on the installed app (children included).
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // ON (hardening): app.asar is validated against its hash (macOS and Windows; no-op on Linux).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ON (hardening): only app.asar is loaded, never a loose app/ folder dropped beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // OFF: the renderer is served from lab://, never file://.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
}

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.socketprocesslab.lab',
  productName: 'Socket & Process Lab',
  copyright: 'MIT licensed',
  // Electron is an optional dependency (its binary is not always installed): name the version.
  electronVersion: pkg.optionalDependencies.electron,
  directories: { output: 'dist', buildResources: 'build' },
  // The app is the build output and package.json; electron-builder adds the production
  // dependencies (never devDependencies) itself. Source maps stay out.
  files: ['out/**', 'package.json', '!out/**/*.map', ...notShipped.map((n) => `!node_modules/${n}/**`)],
  asar: true,
  // No asarUnpack: worker entries (out/main/workers/*.js) stay inside app.asar. Electron's
  // child_process.fork runs them with ELECTRON_RUN_AS_NODE, and that Node has Electron's asar
  // support (worker_threads too, since Electron 18), so `app.asar/out/main/workers/x.js` loads
  // as is — and its imports (out/main/chunks, node_modules) resolve inside the same archive,
  // which an unpacked copy could not. Children never hand these files to a non-Electron program
  // (Python is only run with `-c`), the one case that would need unpacking.
  // No native modules: nothing to rebuild, so no Electron headers to download.
  npmRebuild: false,
  electronLanguages: ['en-US', 'zh-CN'],
  afterPack: async (context) => {
    await context.packager.addElectronFuses(context, FUSES)
  },
  linux: {
    target: ['AppImage', 'deb'],
    icon: path.join(__dirname, 'icons'),
    category: 'Education',
    executableName: 'socket-process-lab',
    synopsis: 'Real sockets and real processes, in 简体中文 and English',
    maintainer: 'Socket & Process Lab <lab@socketprocesslab.invalid>',
  },
  deb: { depends: ['libgtk-3-0', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'] },
  win: { target: ['nsis'], icon: path.join(__dirname, 'icon.ico') },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true, installerIcon: path.join(__dirname, 'icon.ico') },
  mac: { target: ['dmg'], icon: path.join(__dirname, 'icon.icns'), category: 'public.app-category.education', hardenedRuntime: true },
  dmg: { icon: path.join(__dirname, 'icon.icns') },
}
