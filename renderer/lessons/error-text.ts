import type { RunError } from './types'

type T = (key: string, params?: Record<string, string | number>) => string

/** An error's headline in the learner's language (the catalogue's `errors.<code>`), else the engine's words. */
export function errorMessage(e: RunError, t: T): string {
  const text = t(`errors.${e.code}`, e.params)
  return text === `errors.${e.code}` ? e.message : text
}

/** What to do about it (`hints.<code>`), or '' when the catalogue has no hint for it. */
export function errorHintText(e: RunError, t: T): string {
  const text = t(`hints.${e.code}`)
  return text === `hints.${e.code}` ? '' : text
}
