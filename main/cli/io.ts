import type { LabErrorData } from '../../shared/errors'
import { LabError } from '../lab/errors'
import { limitsOf, type Schema } from '../../shared/schema'
import type { Command } from './command'
import { cliHint } from './hints'

export interface CliIo {
  out(line: string): void
  err(line: string): void
  workersDir: string
  rendererDir: string
  /** Resolves when the learner presses Ctrl-C or the process gets SIGTERM (tests abort it instead). */
  untilStopped(): Promise<void>
}

export function usageError(message: string, params?: Record<string, string | number>): LabError {
  return new LabError('ERR_INVALID_INPUT', message, params)
}

export function parseIntOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value.trim())) throw usageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`, { option: name })
  const n = Number(value)
  if (n < min || n > max) throw usageError(`--${name} must be between ${min} and ${max}, got ${n}`, { option: name })
  return n
}

/** `--name N` checked against the contract's own limits for it (read back from its schema, never restated). */
export function intOption(value: string | undefined, name: string, schema: Schema<unknown>): number | undefined {
  const { min, max } = limitsOf(schema)
  return parseIntOption(value, name, min, max)
}

/** "min-max" of a contract field, for a command's --help. */
export function rangeOf(schema: Schema<unknown>): string {
  const { min, max } = limitsOf(schema)
  return `${min}-${max}`
}

/** Prints a coded error; with the command known, the hint names its option (see cliHint). */
export function printError(io: CliIo, error: LabErrorData, json: boolean, command?: Command): void {
  const hint = cliHint(error, command)
  const shown = hint === undefined ? error : { ...error, hint }
  if (json) {
    io.out(JSON.stringify({ ok: false, error: shown }))
    return
  }
  io.err(`error ${error.code}: ${error.message}`)
  if (shown.hint) io.err(`hint: ${shown.hint}`)
}

export function clock(at: number): string {
  const d = new Date(at)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** Shows received bytes as text when they are printable UTF-8, else as hex. */
export function showBytes(hex: string): string {
  const buf = Buffer.from(hex, 'hex')
  const text = buf.toString('utf8')
  return /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(text) ? `hex ${hex}` : JSON.stringify(text)
}
