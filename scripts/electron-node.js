// `npm run test:electron-node`: runs the tests that depend on Node's internals (private handle fields,
// stream behaviour, thread names, V8 defaults) on the Node inside the pinned Electron, not just on the
// Node 20 of CI and development. It installs the official binary from npm (node-<os>-<arch>@VERSION,
// cached under node_modules/.cache/electron-node/), then runs vitest ON that Node: the test workers and
// every child the engine forks (process.execPath) run it, and it comes first on PATH so a test that
// starts `node` gets it too. Needs `npm run build` first (integration tests run the built out/).
// Extra arguments replace the file list (e.g. `npm run test:electron-node -- tests/integration/os-tree.test.ts`).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronStatus } from './electron-status.js'
import { ELECTRON_NODE, nodePackageFor } from './electron-node-version.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const shell = process.platform === 'win32'

/**
 * What differed or could differ between Node 20 and 24 (see README "Testing on Electron's Node"):
 * node-handles*: private TCPWrap/UDPWrap fields; net-thread-owns, net-reset-waiting, net-fork-lean,
 * fork-child: descriptors handed to threads and children, the forking mode's event pipe read beside a
 * paused stream (default highWaterMark 16 → 64 KiB in Node 22); proc-sched, proc-pool: V8's concurrent
 * Sparkplug default (pool children's switch counts); os-tree: Node 24's thread names; relay-memory:
 * the relay's bound reads the streams' high-water marks; udp-modes, worker-bundles: the worker entries;
 * socket-transfer: whether the public socket transfer to workers exists (detected by feature).
 */
const FILES = [
  'tests/integration/node-handles.test.ts',
  'tests/integration/node-handles-udp.test.ts',
  'tests/integration/net-thread-owns.test.ts',
  'tests/integration/net-reset-waiting.test.ts',
  'tests/integration/net-fork-lean.test.ts',
  'tests/integration/fork-child.test.ts',
  'tests/integration/proc-sched.test.ts',
  'tests/integration/proc-pool.test.ts',
  'tests/integration/os-tree.test.ts',
  'tests/integration/relay-memory.test.ts',
  'tests/integration/udp-modes.test.ts',
  'tests/integration/worker-bundles.test.ts',
  'tests/integration/socket-transfer.test.ts',
  'tests/unit/process-tree-parsers.test.ts',
]

function fail(message) {
  console.error(`\ntest:electron-node: ${message}`)
  process.exit(1)
}

// 1. The Electron the project pins must be the one ELECTRON_NODE describes.
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
const pinned = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron
if (pinned !== ELECTRON_NODE.electron) {
  fail(`package.json pins electron ${pinned}, scripts/electron-node-version.js describes ${ELECTRON_NODE.electron}: look up the Node it bundles (its release notes) and update ELECTRON_NODE.`)
}
const electron = electronStatus()
if (electron.installed) {
  // The binary itself says which Node it runs: trust it over the constant.
  const bundled = execFileSync(electron.binary, ['-p', 'process.versions.node'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' }).trim()
  if (bundled !== ELECTRON_NODE.node) fail(`Electron ${pinned} runs Node ${bundled}, scripts/electron-node-version.js says ${ELECTRON_NODE.node}: update ELECTRON_NODE.`)
}

// 2. That Node, from npm (cached).
const name = nodePackageFor()
const prefix = path.join(root, 'node_modules', '.cache', 'electron-node', ELECTRON_NODE.node)
const binDir = path.join(prefix, 'node_modules', name, 'bin')
const node = path.join(binDir, process.platform === 'win32' ? 'node.exe' : 'node')
const version = () => (existsSync(node) ? spawnSync(node, ['-v'], { encoding: 'utf8' }).stdout.trim() : '')
if (version() !== `v${ELECTRON_NODE.node}`) {
  console.log(`── installing ${name}@${ELECTRON_NODE.node} into ${path.relative(root, prefix)} ──`)
  mkdirSync(prefix, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${name}@${ELECTRON_NODE.node}`], { stdio: 'inherit', shell })
  if (r.status !== 0) fail(`could not install ${name}@${ELECTRON_NODE.node} from npm (is it published for ${process.platform}-${process.arch}?).`)
  if (version() !== `v${ELECTRON_NODE.node}`) fail(`${node} is not Node ${ELECTRON_NODE.node} (it says "${version()}").`)
}
if (!existsSync(path.join(root, 'out', 'main', 'workers'))) fail('out/ is missing: run `npm run build` first.')

// 3. The tests, on that Node.
const files = process.argv.length > 2 ? process.argv.slice(2) : FILES
console.log(`── vitest on Node ${ELECTRON_NODE.node} (Electron ${ELECTRON_NODE.electron}): ${files.length} files ──`)
const started = Date.now()
const env = { ...process.env, LAB_EXPECT_NODE: ELECTRON_NODE.node, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` }
const r = spawnSync(node, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files], { stdio: 'inherit', env, cwd: root })
console.log(`── Node ${ELECTRON_NODE.node}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s ──`)
process.exit(r.status ?? 1)
