import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { parseIntOption, usageError } from '../io'

export const sendCommand: Command = {
  name: 'send',
  summary: 'send a message and print the reply',
  help: `lab send tcp HOST PORT MESSAGE [--timeout MS] [--json]

Connects to HOST:PORT, sends MESSAGE (UTF-8), prints the reply and exits 0.
On failure (refused, timeout, unknown host) prints the error code and a hint and exits 1.

  --timeout MS  how long to wait for a reply (default 5000)
  --json        print {"ok":true,"reply":...,"bytesSent":...,"bytesReceived":...,"elapsedMs":...}`,
  options: { timeout: { type: 'string' }, ...JSON_OPTION },
  async run({ positionals, values, io }) {
    const [proto, host, portText, ...words] = positionals
    if (proto !== 'tcp') throw usageError(`lab send takes "tcp", got ${JSON.stringify(proto ?? '')}`, { option: 'proto' })
    if (!host || portText === undefined || words.length === 0) throw usageError('lab send tcp needs HOST PORT MESSAGE')
    const port = parseIntOption(portText, 'port', 1, 65535)!
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const result = await lab.invoke('net.tcp.send', {
        host,
        port,
        message: words.join(' '),
        timeoutMs: parseIntOption(values.timeout as string | undefined, 'timeout', 1, 60_000),
      })
      if (values.json === true) io.out(JSON.stringify({ ok: true, ...result }))
      else io.out(result.reply)
    } finally {
      await lab.close()
    }
    return 0
  },
}
