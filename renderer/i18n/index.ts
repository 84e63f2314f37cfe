import core from './messages/core'
import net from './messages/net'
import proc from './messages/proc'
import learning from './messages/learning'
import sockets from './messages/sockets'
import shell from './messages/shell'
import runs from './messages/runs'
import relay from './messages/relay'
import workbench from './messages/workbench'
import budgets from './messages/budgets'
import workbenchSend from './messages/workbench-send'
import udpCast from './messages/udp-cast'
import workbenchSession from './messages/workbench-session'
import workbenchPanel from './messages/workbench-panel'
import serverPanelExtras from './messages/server-panel-extras'

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

/** Each part of the lab keeps its own messages; a unit test checks both languages have every key. */
export const catalogs: Catalog[] = [core, net, learning, proc, sockets, shell, runs, relay, workbench, budgets, workbenchSend, udpCast, workbenchSession, workbenchPanel, serverPanelExtras]

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

/** `translate('zh', 'net.client.bytes', { n: 5 })`; falls back to English, then to the key itself. */
export function translate(lang: Lang, key: string, params?: Record<string, string | number>): string {
  const text = lookup(lang, key) ?? lookup('en', key) ?? key
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
