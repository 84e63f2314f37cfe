import type { LabErrorData } from '../../shared/errors'
import type { IssueCode } from '../../shared/schema'
import { translate, type Lang } from './index'

/**
 * The contract's reason for refusing a value, in the learner's language: the engine sends the issue's
 * code and parameters with ERR_INVALID_INPUT (`reason`, `path`, …), so a Chinese screen never shows
 * the engine's English sentence. Null when the error carries no issue.
 */
export function issueMessage(lang: Lang, error: LabErrorData): string | null {
  const p = error.params
  if (error.code !== 'ERR_INVALID_INPUT' || typeof p?.reason !== 'string') return null
  const reason = p.reason as IssueCode
  const params: Record<string, string | number> = { ...p }
  if (reason === 'type' && typeof p.expected === 'string') params.expected = translate(lang, `schema.expected.${p.expected}`)
  // Patterns and checks of our own carry their words in both languages (schema.ts `Hint`).
  if (lang === 'zh' && p.hintZh !== undefined) params.hint = p.hintZh
  params.text = (lang === 'zh' ? p.zh : p.en) ?? ''
  const issue = translate(lang, `schema.${reason}`, params)
  return typeof p.path === 'string' && p.path ? translate(lang, 'schema.at', { path: p.path, issue }) : issue
}
