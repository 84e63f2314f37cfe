import type { ErrorCode, LabErrorData } from '../../shared/errors'
import type { Command } from './command'

/** `recvSize` → `recv-size`: the contract's field names are the CLI's options in kebab case. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** The option an error is about, as the learner typed it: from `params.option`, or the contract field `params.path` (a limit's `params.adjust`). */
export function optionOf(error: LabErrorData, command?: Command): string | null {
  const given = error.params?.option
  if (typeof given === 'string' && given) return given
  const field = error.params?.path ?? error.params?.adjust
  if (typeof field !== 'string' || !command) return null
  const first = kebab(field.replace(/^\$?\.?/, '').split(/[.[]/)[0] ?? '')
  return first && Object.prototype.hasOwnProperty.call(command.options, first) ? first : null
}

const PORT_HINTS: Partial<Record<ErrorCode, string>> = {
  ERR_PORT_IN_USE: 'Another program (or another lab) already listens there. Choose another port with --port P, or --port 0 for any free one.',
  ERR_PERMISSION_DENIED: 'Ports below 1024 need administrator rights on most systems. Give --port a port above 1024, such as 8081.',
}

/**
 * The hint the CLI prints: the catalogue's, but naming the option (`--port`) where the page
 * would highlight a field — a terminal has nothing highlighted.
 */
export function cliHint(error: LabErrorData, command?: Command): string | undefined {
  const option = optionOf(error, command)
  const help = command ? `\`lab ${command.name} --help\`` : '`lab --help`'
  if (error.code === 'ERR_INVALID_INPUT') {
    return option ? `Check --${option}: the message says what is wrong with it; ${help} lists what it takes.` : `The message says what is wrong; ${help} lists the options.`
  }
  const portHint = PORT_HINTS[error.code]
  if (portHint && command && Object.prototype.hasOwnProperty.call(command.options, 'port')) return portHint
  if (option) return `${error.hint ?? ''} (option --${option})`.trim()
  // A named limit no option changes (the engine sets `adjust` when one does): say it is fixed.
  if (error.code === 'ERR_LIMIT' && typeof error.params?.budget === 'string' && error.params.adjust === undefined) return 'This limit is fixed: wait for running work to finish, or stop or close something first.'
  return error.hint
}
