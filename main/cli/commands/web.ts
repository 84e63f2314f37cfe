import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { startHost, type Host } from '../../host/host'
import { loadOrCreateToken, newToken } from '../../host/web-token'
import { Lab } from '../../lab/lab'
import { LabError } from '../../lab/errors'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, usageError } from '../io'
import { methodSpecs } from '../../../shared/contract'

/** Opens the URL in the learner's browser; fixed programs with an argument array, never a shell. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['explorer.exe', [url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, shell: false })
    child.on('error', () => {})
    child.unref()
  } catch {
    // No browser to open (a server, a container): the printed URL is enough.
  }
}

/** The per-user data folder for browser mode (history lives here), following each system's convention. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  const name = 'socket-process-lab'
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), name)
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', name)
  const xdg = env.XDG_DATA_HOME
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share'), name)
}

/**
 * Browser mode's usual port: a fixed one, so the address (and a bookmark, and a page left open
 * while the lab restarts) stays the same. When another program holds it, any free port is used
 * instead and the output says so.
 */
export const DEFAULT_WEB_PORT = 8642

/** Starts the host on the port asked for, or on the default with a fallback; says which. */
async function startOnPort(start: (port: number) => Promise<Host>, asked: number | undefined): Promise<{ host: Host; fallbackFrom: number | null }> {
  if (asked !== undefined) return { host: await start(asked), fallbackFrom: null }
  try {
    return { host: await start(DEFAULT_WEB_PORT), fallbackFrom: null }
  } catch (err) {
    if (!(err instanceof LabError && err.code === 'ERR_PORT_IN_USE')) throw err
    return { host: await start(0), fallbackFrom: DEFAULT_WEB_PORT }
  }
}

export const webCommand: Command = {
  name: 'web',
  summary: 'start browser mode (the lab in your web browser)',
  help: `lab web [--port P] [--data-dir DIR] [--no-open] [--json]

Starts the lab's engine and serves its window to your browser on 127.0.0.1 only.
The printed address carries a random token; only pages with it can talk to the lab.
The token is kept in the data folder (file web-token, readable by you only), so the
address stays valid when the lab restarts and an open page reconnects by itself.
Stops on Ctrl-C or SIGTERM.

  --port P          port for the page (default ${DEFAULT_WEB_PORT}; when that one is taken, any
                    free port, and the output says so; 0 = any free port)
  --data-dir DIR    where the experiment history is kept (default: your data folder,
                    $XDG_DATA_HOME or ~/.local/share/socket-process-lab on Linux,
                    ~/Library/Application Support/socket-process-lab on macOS,
                    %APPDATA%\\socket-process-lab on Windows)
  --no-open         do not open a browser, only print the address
  --json            print {"event":"web","url":...,"port":...,"dataDir":...} instead of text`,
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-open': { type: 'boolean' }, ...JSON_OPTION },
  async run({ values, io }) {
    const given = values['data-dir'] as string | undefined
    if (given !== undefined && given.trim() === '') throw usageError('--data-dir needs a folder', { option: 'data-dir' })
    const dataDir = given !== undefined ? path.resolve(given) : defaultDataDir()
    // The port the lab listens on: the same range as a server's (0: any free one).
    const port = intOption(values.port as string | undefined, 'port', methodSpecs['net.tcpServer.start'].input.shape.port)
    // A data folder that cannot be written must not stop the lab (History says ERR_STORAGE there):
    // the token is then only this run's, and the output says an open page will not survive a restart.
    const token = await loadOrCreateToken(dataDir).catch((err: unknown) => {
      io.err(`warning: could not keep the browser-mode token in ${dataDir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); the address changes when the lab restarts`)
      return newToken()
    })
    const lab = new Lab({ workersDir: io.workersDir, dataDir, door: 'browser', version: LAB_VERSION, log: (line) => io.err(line) })
    try {
      const { host, fallbackFrom } = await startOnPort(
        (p) => startHost({ lab, staticDir: io.rendererDir, port: p, token, log: (line) => io.err(line) }),
        port,
      )
      if (values.json === true) io.out(JSON.stringify({ event: 'web', url: host.url, port: host.port, dataDir, fallbackFrom }))
      else {
        if (fallbackFrom !== null) io.out(`Port ${fallbackFrom} is taken (another lab, or another program), so this time the lab uses port ${host.port}.\nChoose one with --port P.\n`)
        io.out(`Socket & Process Lab is running in browser mode:\n\n    ${host.url}\n\nOpen that address in your browser. Press Ctrl-C to stop.\nHistory is kept in ${dataDir}`)
      }
      // The page's first question is lab.info, whose Python probe (a child process, ~0.3 s) is the slowest part
      // of the answer: asked now, it runs while the browser loads the page instead of after (tests/bench/startup-bench.ts).
      void lab.call('lab.info', {})
      if (values['no-open'] !== true) openBrowser(host.url)
      await io.untilStopped()
      await host.close()
    } finally {
      await lab.close()
    }
    return 0
  },
}
