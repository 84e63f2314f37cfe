/** How the event log and the conversation read an event: whose it is, which way it went, when. */
import type { ClientEvent, ServerEvent } from '../../shared/contract'
import type { Lang } from '../i18n'

export type LogTopicEvent = { topic: 'net.server'; event: ServerEvent } | { topic: 'net.client'; event: ClientEvent }

/** The server or client an event belongs to (`s-1`, `c-2`, `u-3` …). */
export function sourceOf(e: LogTopicEvent): string {
  return e.topic === 'net.server' ? e.event.serverId : e.event.clientId
}

/** The connection (`#3`) or UDP peer (`127.0.0.1:5000`) of a server's event; null for the server's own events and clients. */
export function connKeyOf(e: LogTopicEvent): string | null {
  if (e.topic !== 'net.server') return null
  const ev = e.event
  if ('conn' in ev && typeof ev.conn === 'number') return `#${ev.conn}`
  if (ev.event === 'datagram') return `${ev.from.address}:${ev.from.port}`
  if (ev.event === 'sendto') return `${ev.to.address}:${ev.to.port}`
  return null
}

/** `in`: bytes that reached the server or client the event is from; `out`: bytes it sent; `state`: everything else. */
export type Direction = 'in' | 'out' | 'state'
export const DIRECTIONS: readonly Direction[] = ['in', 'out', 'state']

export function directionOf(e: LogTopicEvent): Direction {
  switch (e.event.event) {
    case 'recv':
    case 'message':
    case 'datagram':
    case 'received':
      return 'in'
    case 'send':
    case 'sendto':
    case 'sent':
      return 'out'
    default:
      return 'state'
  }
}

/** The event's bytes as hex when it carries them (the first EVENT_HEX_BYTES), '' otherwise. */
export function hexOfEvent(e: LogTopicEvent): string {
  const ev = e.event as { hex?: unknown }
  return typeof ev.hex === 'string' ? ev.hex : ''
}

const formats = new Map<string, Intl.DateTimeFormat>()
/**
 * The learner's locale for the page's language: the browser's own when it is of that language
 * (en-GB stays en-GB), else the language's usual one.
 */
export function localeFor(lang: Lang, browser = typeof navigator === 'undefined' ? '' : navigator.language): string {
  return browser.toLowerCase().startsWith(lang) ? browser : lang === 'zh' ? 'zh-CN' : 'en-US'
}

/** `15:04:05.123` in the learner's locale, 24-hour, to the millisecond. */
export function clockTime(at: number, lang: Lang, browser?: string): string {
  const locale = localeFor(lang, browser)
  let f = formats.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23' })
    formats.set(locale, f)
  }
  return f.format(at)
}
