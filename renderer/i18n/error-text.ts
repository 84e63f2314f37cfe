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

/** A hex payload the engine could not read (encoding.ts parseHex: `option: 'payload'` with the position or the digit count), else null. */
function hexText(lang: Lang, e: LabErrorData): string | null {
  const p = e.params
  if (e.code !== 'ERR_INVALID_INPUT' || p?.option !== 'payload') return null
  if (typeof p.position === 'number') return translate(lang, 'errorText.hexChar', { position: num(lang, p.position) })
  if (typeof p.digits === 'number') return translate(lang, 'errorText.hexOdd', { digits: num(lang, p.digits) })
  return null
}

/**
 * `{detail}` is the engine's English sentence. On a screen in another language the contract's reason,
 * in that language, stands in its place (else nothing): the params the headline is filled from.
 */
function headlineParams(lang: Lang, e: LabErrorData): LabErrorData['params'] {
  if (lang === 'en' || e.params?.detail === undefined) return e.params
  const { detail: _english, ...rest } = e.params
  const reason = issueMessage(lang, e)
  return reason === null ? rest : { ...rest, detail: reason }
}

export function errorHeadline(lang: Lang, e: LabErrorData): string {
  const limit = limitText(lang, e) ?? hexText(lang, e)
  if (limit) return limit
  const text = translate(lang, `errors.${e.code}`, headlineParams(lang, e))
  if (text === `errors.${e.code}`) return e.message
  // A value the engine did not send (`{host}` of an address it could not name) is not shown as a placeholder.
  return text.replace(/\{\w+\}/g, '…')
}

/**
 * The detail line under the headline, in the learner's language or not at all: the contract's
 * reason for a refused value, else (English) the engine's own message when it adds to the headline,
 * else nothing (another language: `errorField` names the input instead). The engine's English never
 * stands there on a Chinese screen; `errorOriginal` offers it, folded away, for a bug report.
 */
export function errorDetail(lang: Lang, e: LabErrorData): string {
  const refused = issueMessage(lang, e)
  // Not twice: another language's headline carries the reason already, in place of the engine's detail.
  if (refused && headlineParams(lang, e)?.detail === refused) return ''
  if (refused) return refused
  // A hex payload's headline already says what the engine's message says.
  if (lang === 'en') return e.message && e.message !== errorHeadline(lang, e) && !hexText(lang, e) ? e.message : ''
  return ''
}

/** On a screen in another language, the input the error is about (the contract's name, shown as code after `errorText.field`); '' when the detail line already says it. */
export function errorField(lang: Lang, e: LabErrorData): string {
  if (lang === 'en' || issueMessage(lang, e) || !e.field) return ''
  return e.field
}

/**
 * The engine's English message, for a screen in another language (shown folded, as "the engine's
 * words"): only where the headline is the code's general sentence; '' when the headline already
 * carries the specifics (a template with the engine's values: `{where} 已被占用`), a refused value or a named limit.
 */
export function errorOriginal(lang: Lang, e: LabErrorData): string {
  if (lang === 'en' || issueMessage(lang, e) || limitText(lang, e)) return ''
  if (/\{\w+\}/.test(translate(lang, `errors.${e.code}`))) return ''
  return e.message && e.message !== errorHeadline(lang, e) ? e.message : ''
}

/** The hint; "check the highlighted option" only when a field really is highlighted. */
export function errorHint(lang: Lang, e: LabErrorData, highlighted: boolean): string {
  if (e.code === 'ERR_INVALID_INPUT' && !highlighted) return translate(lang, 'fieldError.plainHint')
  // A named limit: what changes it (the field or option the engine names), or that it is fixed.
  if (limitText(lang, e)) {
    const adjust = e.params?.adjust
    if (typeof adjust !== 'string') return translate(lang, 'budgets.hintFixed')
    return translate(lang, highlighted ? 'budgets.hintField' : 'budgets.hintOption', { name: adjust })
  }
  const text = translate(lang, `hints.${e.code}`)
  return text === `hints.${e.code}` ? (e.hint ?? '') : text
}

/** One line for the text beside a highlighted field: what is wrong with it. */
export function fieldErrorText(lang: Lang, e: LabErrorData): string {
  return issueMessage(lang, e) ?? errorHeadline(lang, e)
}
