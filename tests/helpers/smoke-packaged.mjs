// Smoke-launches a BUILT, installed app once (.github/workflows/release.yml runs it on each OS).
// usage: node tests/helpers/smoke-packaged.mjs <path to the app's executable> [extra args…]
//
// The packaged app has the EnableNodeCliInspectArguments fuse off, so Playwright's
// _electron.launch (which drives the main process through --inspect) cannot attach. Chromium's
// own remote debugging still works: the app is started with --remote-debugging-port, the test
// connects over CDP to its window and calls the lab through the real preload bridge: the engine
// answers, a forking server serves a real connection and the pool runs tasks in real children
// (both need the RunAsNode fuse and the worker entries inside app.asar).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const [binary, ...extra] = process.argv.slice(2)
if (!binary) {
  console.error('usage: node tests/helpers/smoke-packaged.mjs <app executable> [args…]')
  process.exit(2)
}
const LIMIT_MS = 120_000
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
const userData = mkdtempSync(path.join(os.tmpdir(), 'lab-smoke-'))
const app = spawn(binary, [`--remote-debugging-port=${port}`, `--user-data-dir=${userData}`, ...extra], { stdio: ['ignore', 'inherit', 'inherit'] })
let exited = null
app.on('exit', (code, signal) => (exited = `${code ?? signal}`))
const deadline = Date.now() + LIMIT_MS
const fail = (message) => {
  console.error(`smoke test FAILED: ${message}`)
  app.kill('SIGKILL')
  process.exit(1)
}

async function until(what, check) {
  for (;;) {
    if (exited !== null) fail(`the app exited (${exited}) while waiting for ${what}`)
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`)
    const v = await check().catch(() => null)
    if (v) return v
    await new Promise((r) => setTimeout(r, 250))
  }
}

try {
  await until('the DevTools endpoint', () => fetch(`http://127.0.0.1:${port}/json/version`).then((r) => r.ok))
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
  const page = await until('the lab window', async () => browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('lab://app/')))
  const call = (method, input) => page.evaluate(([m, i]) => globalThis.lab.methods[m](i), [method, input])
  await until('the preload bridge', () => page.evaluate(() => typeof globalThis.lab?.methods === 'object'))

  const info = await call('lab.info', {})
  if (!info.ok || info.value.door !== 'electron') fail(`lab.info: ${JSON.stringify(info)}`)

  const server = await call('net.tcpServer.start', { port: 0, mode: 'forking' })
  if (!server.ok) fail(`net.tcpServer.start forking: ${JSON.stringify(server)}`)
  const reply = await new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.value.port }, () => socket.write('hello'))
    socket.once('data', (d) => {
      resolve(d.toString())
      socket.destroy()
    })
    socket.once('error', reject)
  })
  if (reply !== 'HELLO') fail(`the forking server answered ${JSON.stringify(reply)}`)
  await call('net.server.stop', { id: server.value.id })

  const run = await call('proc.run', { tasks: 'cpu:50ms*2', mode: 'parallel', workers: 2 })
  if (!run.ok || run.value.tasks.length !== 2) fail(`proc.run: ${JSON.stringify(run).slice(0, 400)}`)

  console.log(`smoke test passed: ${binary} (lab ${info.value.version}), forking server and pool work`)
  await browser.close().catch(() => {})
} finally {
  app.kill()
  setTimeout(() => app.kill('SIGKILL'), 5000).unref()
  rmSync(userData, { recursive: true, force: true, maxRetries: 3 })
}
