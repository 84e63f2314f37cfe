#!/usr/bin/env node
// The `lab` command: runs the built CLI (out/main/cli.js, made by `npm install` or `npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const entry = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(entry)) {
  process.stderr.write('The lab is not built yet. Run `npm run build` in the project folder, then try again.\n')
  process.exit(1)
}
await import(pathToFileURL(entry).href)
