export type Lang = 'zh' | 'en'
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'zh', label: '简体中文' },
  { id: 'en', label: 'English' },
]

import type { MessageTree } from './catalog'
export type { MessageTree } from './catalog'
export interface Catalog {
  en: MessageTree
  zh: MessageTree
}

/**
 * Each part of the lab keeps its own messages in `messages/<part>.ts` (`export default defineCatalog(…)`,
 * so `zh` is typed as `en`'s shape); they are collected here by file, not listed by hand, so a new part
 * touches no shared line. Unit tests check that every file is a `defineCatalog`, that both languages
 * have every key, and that no key is in two parts (so the order they are merged in changes nothing).
 */
const catalogFiles = import.meta.glob<Catalog>('./messages/*.ts', { eager: true, import: 'default' })
export const catalogs: Catalog[] = Object.keys(catalogFiles)
  .sort()
  .map((file) => catalogFiles[file]!)

function merge(target: MessageTree, source: MessageTree): MessageTree {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k]
    if (typeof v === 'object' && typeof existing === 'object') merge(existing, v)
    else target[k] = typeof v === 'object' ? merge({}, v) : v
  }
  return target
}

const messages: Record<Lang, MessageTree> = {
  en: catalogs.reduce<MessageTree>((acc, c) => merge(acc, c.en), {}),
  zh: catalogs.reduce<MessageTree>((acc, c) => merge(acc, c.zh), {}),
}

export function lookup(lang: Lang, key: string): string | undefined {
  let node: string | MessageTree | undefined = messages[lang]
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined
    node = node[part]
  }
  return typeof node === 'string' ? node : undefined
}

/**
 * The keys a Chinese screen was given in English because 简体中文 lacks them: the fallback keeps a
 * screen readable, but it must never be used, so each use is kept here and the e2e that visits every
 * Chinese screen (tests/e2e/zh-everywhere.test.ts) reads this set from the page and expects it empty.
 */
export const englishFallbacks = new Set<string>()
;(globalThis as { __labEnglishFallbacks?: Set<string> }).__labEnglishFallbacks = englishFallbacks

/** `translate('zh', 'net.client.bytes', { n: 5 })`; falls back to English (kept in `englishFallbacks`), then to the key itself. */
export function translate(lang: Lang, key: string, params?: Record<string, string | number>): string {
  let text = lookup(lang, key)
  if (text === undefined) {
    text = lookup('en', key)
    if (text !== undefined && lang !== 'en') englishFallbacks.add(key)
  }
  text ??= key
  if (!params) return text
  return text
    .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (m, name: string, one: string, other: string) =>
      params[name] !== undefined ? (plural(lang, Number(params[name])) === 'one' ? one : other) : m,
    )
    .replace(/\{(\w+)\}/g, (m, name: string) => (params[name] !== undefined ? String(params[name]) : m))
}

const pluralRules: Partial<Record<Lang, Intl.PluralRules>> = {}
/** `{n|server|servers}` in a message picks the word by Intl.PluralRules for `n` ("1 server", "0 servers"). */
function plural(lang: Lang, n: number): Intl.LDMLPluralRule {
  pluralRules[lang] ??= new Intl.PluralRules(lang === 'zh' ? 'zh-CN' : 'en')
  return pluralRules[lang]!.select(n)
}

/** All leaf keys of a message tree, for the completeness test. */
export function leafKeys(tree: MessageTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leafKeys(v, `${prefix}${k}.`)))
}
