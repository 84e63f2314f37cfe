import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { startHost } from '../../host/host'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { parseIntOption, usageError } from '../io'

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

export const webCommand: Command = {
  name: 'web',
  summary: 'start browser mode (the lab in your web browser)',
  help: `lab web [--port P] [--data-dir DIR] [--no-open] [--json]

Starts the lab's engine and serves its window to your browser on 127.0.0.1 only.
The printed address carries a random token; only pages with it can talk to the lab.
Stops on Ctrl-C or SIGTERM.

  --port P          port for the page (default 0 = any free port)
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
    const lab = new Lab({ workersDir: io.workersDir, dataDir, door: 'browser', version: LAB_VERSION })
    try {
      const host = await startHost({ lab, staticDir: io.rendererDir, port: parseIntOption(values.port as string | undefined, 'port', 0, 65535) })
      if (values.json === true) io.out(JSON.stringify({ event: 'web', url: host.url, port: host.port, dataDir }))
      else io.out(`Socket & Process Lab is running in browser mode:\n\n    ${host.url}\n\nOpen that address in your browser. Press Ctrl-C to stop.\nHistory is kept in ${dataDir}`)
      if (values['no-open'] !== true) openBrowser(host.url)
      await io.untilStopped()
      await host.close()
    } finally {
      await lab.close()
    }
    return 0
  },
}
