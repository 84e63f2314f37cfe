import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string }
const define = { __LAB_VERSION__: JSON.stringify(pkg.version) }

/** Entries for child processes and worker threads: each becomes out/main/workers/<name>.js. */
const workersDir = resolve(__dirname, 'main/lab/workers')
const workerEntries = Object.fromEntries(
  readdirSync(workersDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => [`workers/${f.slice(0, -3)}`, resolve(workersDir, f)]),
)

export default defineConfig({
  main: {
    define,
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
