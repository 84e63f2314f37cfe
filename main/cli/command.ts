import type { ParseArgsConfig } from 'node:util'
import type { CliIo } from './io'

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>

export interface Command {
  name: string
  summary: string
  /** The full help text shown by `lab <name> --help`. */
  help: string
  options: NonNullable<ParseArgsConfig['options']>
  run(args: { positionals: string[]; values: OptionValues; io: CliIo }): Promise<number>
}

export const JSON_OPTION = { json: { type: 'boolean' } } as const
