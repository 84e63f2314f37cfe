import type { LabErrorData } from '../../shared/errors'
import { budgetKey } from './messages/budgets'
import { issueMessage } from './issues'
import { translate, type Lang } from './index'

/**
 * An engine error in the learner's language, in one place for the notices and the forms that
 * highlight the field an error names (issue 12): the headline, the engine's own detail when it adds
 * something, and the hint.
 */

const numberFormats: Partial<Record<Lang, Intl.NumberFormat>> = {}
const num = (lang: Lang, v: unknown) => (typeof v === 'number' ? (numberFormats[lang] ??= new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en')).format(v) : String(v))

/** ERR_LIMIT that names its budget: which one, its value, the use that reached it. Null otherwise. */
function limitText(lang: Lang, e: LabErrorData): string | null {
  const p = e.params
  if (e.code !== 'ERR_LIMIT' || typeof p?.budget !== 'string' || typeof p.max !== 'number' || typeof p.used !== 'number') return null
  const nameKey = `budgets.names.${budgetKey(p.budget)}`
  const name = translate(lang, nameKey)
  const what = name === nameKey ? p.budget : name
  const use = p.use === 'asked' || p.use === 'left' ? p.use : 'inUse'
  return translate(lang, `budgets.${use}`, { what, max: num(lang, p.max), used: num(lang, p.used) })
}

export function errorHeadline(lang: Lang, e: LabErrorData): string {
  const limit = limitText(lang, e)
  if (limit) return limit
  const text = translate(lang, `errors.${e.code}`, e.params)
  return text === `errors.${e.code}` ? e.message : text
}

/** The engine's own message says which field, which number, which file: shown whenever it adds to the headline. */
export function errorDetail(lang: Lang, e: LabErrorData): string {
  const refused = issueMessage(lang, e)
  if (refused) return refused
  // A named limit's headline already says it all in the learner's language; the engine's English repeats it.
  if (limitText(lang, e) && lang !== 'en') return ''
  return e.message && e.message !== errorHeadline(lang, e) ? e.message : ''
}

/** The hint; "check the highlighted option" only when a field really is highlighted. */
export function errorHint(lang: Lang, e: LabErrorData, highlighted: boolean): string {
  if (e.code === 'ERR_INVALID_INPUT' && !highlighted) return translate(lang, 'fieldError.plainHint')
  const text = translate(lang, `hints.${e.code}`)
  return text === `hints.${e.code}` ? (e.hint ?? '') : text
}

/** One line for the text beside a highlighted field: what is wrong with it. */
export function fieldErrorText(lang: Lang, e: LabErrorData): string {
  return issueMessage(lang, e) ?? errorHeadline(lang, e)
}
