import { parseArgs } from 'node:util'
import { LAB_VERSION } from '../paths'
import type { Command } from './command'
import { benchCommand } from './commands/bench'
import { concurrencyCommand } from './commands/concurrency'
import { sendCommand } from './commands/send'
import { stickyCommand } from './commands/sticky'
import { serveCommand } from './commands/serve'
import { webCommand } from './commands/web'
import { runCommand } from './commands/run'
import { compareCommand } from './commands/compare'
import { treeCommand } from './commands/tree'
import { socketsCommand } from './commands/sockets'
import { counterCommand } from './commands/counter'
import { scheduleCommand } from './commands/schedule'
import { simulateCommand } from './commands/simulate'
import { relayCommand } from './commands/relay'
import { savedCommand } from './commands/saved'
import { printError, usageError, type CliIo } from './io'
import { toErrorData } from '../lab/errors'

export const commands: Command[] = [serveCommand, sendCommand, benchCommand, stickyCommand, concurrencyCommand, webCommand, runCommand, compareCommand, treeCommand, socketsCommand, counterCommand, simulateCommand, scheduleCommand, relayCommand, savedCommand]

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return `lab — Socket & Process Lab from the terminal (version ${LAB_VERSION})

usage: lab <command> [options]

${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`lab <command> --help\` for a command's options. Add --json for one JSON object per line.`
}

/** Runs one `lab` invocation; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp())
    return 0
  }
  if (name === '--version') {
    io.out(LAB_VERSION)
    return 0
  }
  const command = commands.find((c) => c.name === name)
  const json = rest.includes('--json')
  if (!command) {
    printError(io, usageError(`unknown command ${JSON.stringify(name)}; try \`lab --help\``).toData(), json)
    return 2
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (err) {
    printError(io, usageError(`${(err as Error).message.split('\n')[0]}; see \`lab ${name} --help\``).toData(), json, command)
    return 2
  }
  if (parsed.values.help) {
    io.out(command.help)
    return 0
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values, io })
  } catch (err) {
    const error = toErrorData(err)
    printError(io, error, json, command)
    return error.code === 'ERR_INVALID_INPUT' ? 2 : 1
  }
}
