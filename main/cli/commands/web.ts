import { spawn } from 'node:child_process'
import { startHost } from '../../host/host'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { parseIntOption } from '../io'

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

export const webCommand: Command = {
  name: 'web',
  summary: 'start browser mode (the lab in your web browser)',
  help: `lab web [--port P] [--no-open] [--json]

Starts the lab's engine and serves its window to your browser on 127.0.0.1 only.
The printed address carries a random token; only pages with it can talk to the lab.
Stops on Ctrl-C or SIGTERM.

  --port P     port for the page (default 0 = any free port)
  --no-open    do not open a browser, only print the address
  --json       print {"event":"web","url":...,"port":...} instead of text`,
  options: { port: { type: 'string' }, 'no-open': { type: 'boolean' }, ...JSON_OPTION },
  async run({ values, io }) {
    const lab = new Lab({ workersDir: io.workersDir, door: 'browser', version: LAB_VERSION })
    try {
      const host = await startHost({ lab, staticDir: io.rendererDir, port: parseIntOption(values.port as string | undefined, 'port', 0, 65535) })
      if (values.json === true) io.out(JSON.stringify({ event: 'web', url: host.url, port: host.port }))
      else io.out(`Socket & Process Lab is running in browser mode:\n\n    ${host.url}\n\nOpen that address in your browser. Press Ctrl-C to stop.`)
      if (values['no-open'] !== true) openBrowser(host.url)
      await io.untilStopped()
      await host.close()
    } finally {
      await lab.close()
    }
    return 0
  },
}
