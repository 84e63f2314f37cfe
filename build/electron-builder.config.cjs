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
 * Each fuse says why it is on or off. Electron 41's wire has 9 fuses; the installed
 * @electron/fuses 1.8.0 (the newest that runs on Node 20) names the first 8, so the 9th,
 * WasmTrapHandlers, keeps Electron's default (on: V8's guard against out-of-bounds WebAssembly
 * memory access) — strictlyRequireAllFuses would refuse exactly that, so it is not set.
 */
const FUSES = {
  version: FuseVersion.V1,
  // ON, and what it costs: with ELECTRON_RUN_AS_NODE=1 the installed binary runs as a plain Node,
  // so any other program on this machine can use our (signed) executable as a Node interpreter
  // ("living off the land"). It stays on because the process pool, the forking server mode and
  // the counter use child_process.fork() from Electron's main process, and Electron's fork runs
  // children exactly that way; off, every child would start a second copy of the app instead.
  // utilityProcess would avoid it but ties the engine to Electron (docs/ARCHITECTURE.md).
  [FuseV1Options.RunAsNode]: true,
  // OFF: the lab sets no cookie worth encrypting (browser mode's token cookie is never used in
  // the window), and on macOS turning it on makes the first start ask for the Keychain.
  [FuseV1Options.EnableCookieEncryption]: false,
  // OFF: the lab reads no NODE_OPTIONS / NODE_EXTRA_CA_CERTS; nobody gets to inject flags.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // OFF: no --inspect / SIGUSR1 debugger on the installed app (children included).
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // ON (hardening): app.asar is validated against its hash (macOS and Windows; no-op on Linux).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ON (hardening): only app.asar is loaded, never a loose app/ folder dropped beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // OFF (Electron's default): no separate browser-process V8 snapshot is shipped.
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // OFF: the renderer is served from lab://, never file://.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
}

/** True when a macOS signing identity is configured for this build (electron-builder's own variables). */
const macSigning = () => Boolean(process.env.CSC_LINK || process.env.CSC_NAME)

/**
 * Flipping fuses rewrites `Electron Framework`, which breaks its ad-hoc signature. On Apple
 * Silicon an unsigned app with a broken signature is refused at launch ("is damaged"), so when
 * no signing identity will re-sign it, the ad-hoc signature is redone right after flipping.
 * (x64 macOS does not check ad-hoc signatures; a real identity re-signs everything anyway.)
 */
function fusesFor(context) {
  const { Arch } = require('electron-builder')
  const darwinArm = context.electronPlatformName === 'darwin' && (context.arch === Arch.arm64 || context.arch === Arch.universal)
  return { ...FUSES, resetAdHocDarwinSignature: darwinArm && !macSigning() }
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
    await context.packager.addElectronFuses(context, fusesFor(context))
  },
  // The deb comes first: it installs an AppArmor profile for chrome-sandbox, so it starts on
  // Ubuntu 23.10/24.04+, where AppArmor forbids unprivileged user namespaces and an AppImage
  // dies with "The SUID sandbox helper binary was found, but is not configured correctly"
  // (electron/electron#42510, electron-userland/electron-builder#8440). The README says what the
  // AppImage needs there.
  linux: {
    target: ['deb', 'AppImage'],
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
