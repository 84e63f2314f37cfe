import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { build, type Plugin } from 'vite'

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string }
const define = { __LAB_VERSION__: JSON.stringify(pkg.version) }

/** Entries for child processes and worker threads: each becomes out/main/workers/<name>.js. */
const workersDir = resolve(__dirname, 'main/lab/workers')
/**
 * The connection threads and processes (issue 9): a `threading` or `forking` server starts one per
 * connection, so their start-up is the mode's cost. Each is built as ONE self-contained CommonJS
 * file, out/main/workers/<name>.cjs: an ES-module entry with shared chunks cost a Worker ~18 ms more
 * CPU to start on Node 20 (the ES loader plus a read and compile per chunk), measured.
 */
const SELF_CONTAINED = ['tcp-handler-thread', 'tcp-handler-child']
const workerEntries = Object.fromEntries(
  readdirSync(workersDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !SELF_CONTAINED.includes(f.slice(0, -3)))
    .map((f) => [`workers/${f.slice(0, -3)}`, resolve(workersDir, f)]),
)

function selfContainedWorkers(): Plugin {
  return {
    name: 'lab-self-contained-workers',
    apply: 'build',
    async closeBundle() {
      for (const name of SELF_CONTAINED) {
        await build({
          configFile: false,
          logLevel: 'warn',
          define,
          build: {
            ssr: resolve(workersDir, `${name}.ts`),
            outDir: resolve(__dirname, 'out/main/workers'),
            emptyOutDir: false,
            target: 'node20',
            minify: false,
            rollupOptions: { output: { format: 'cjs', entryFileNames: `${name}.cjs`, chunkFileNames: 'lazy/[name]-[hash].cjs' } },
          },
        })
      }
    },
  }
}

export default defineConfig({
  main: {
    define,
    plugins: [selfContainedWorkers()],
    build: {
      outDir: 'out/main',
      // Node 20 is the lowest runtime (CLI, browser mode); Electron 41 ships a newer one.
      target: 'node20',
      rollupOptions: {
        input: {
          electron: resolve(__dirname, 'main/electron/main.ts'),
          cli: resolve(__dirname, 'main/cli/main.ts'),
          ...workerEntries,
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(__dirname, 'main/electron/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    define,
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified; minified, the page's script is ~45 % smaller, so
      // the browser parses less before the first screen (issue 16: start-up).
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
})
