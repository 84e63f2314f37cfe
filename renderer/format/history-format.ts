/** How History (and the lessons that quote a run) shows a run: when, its measures' names and values, its title. */

/** One way to show when a run happened, in every view: date and time, 24-hour clock. */
export function formatWhen(at: number, lang: 'zh' | 'en'): string {
  return new Date(at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', hour12: false })
}

/** A summary measure's name for people: `recvs` → “recv() reads”, `threading.p99Ms` → “threading · p99 latency, ms”. */
export function measureLabel(key: string, t: (key: string) => string): string {
  const known = (k: string, group: string) => {
    const text = t(`history.${group}.${k}`)
    return text === `history.${group}.${k}` ? null : text
  }
  // A Python row's key is `python-threading.totalMs`.
  const dotted = /^([\w-]+)\.(\w+)$/.exec(key)
  if (dotted) {
    const mode = known(dotted[1]!, 'modes')
    const metric = known(dotted[2]!, 'measures')
    if (mode && metric) return `${mode} · ${metric}`
  }
  return known(key, 'measures') ?? key
}

/** Measures that are a share of 1 (0.44), shown as a percentage (44 %) like the experiments show them. */
const SHARE_KEYS = /(^|\.)(utilisation|cpuUtilization|ioUtilization)$/

/**
 * A measure's value for people: whole numbers grouped, fractions to two places, shares as
 * percentages, booleans as ✓/✗, and words the lab stores (`parallel`, `threads`) in the learner's language.
 */
export function formatMeasure(v: unknown, lang: 'zh' | 'en', key = '', t?: (key: string) => string): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'boolean') return v ? '✓' : '✗'
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US'
  if (typeof v === 'number' && SHARE_KEYS.test(key)) return `${Math.round(v * 100).toLocaleString(locale)} %`
  if (typeof v === 'number') return v.toLocaleString(locale, { maximumFractionDigits: Number.isInteger(v) ? 0 : 2 })
  const word = t?.(`history.values.${String(v)}`)
  return word && word !== `history.values.${String(v)}` ? word : String(v)
}

/** English words a run's stored title may hold, and the value key each one is. */
const TITLE_WORDS: [RegExp, string][] = [
  [/switch on io\b/g, 'switchIo'],
  [/switch on end\b/g, 'switchEnd'],
  [/\bserial\b/g, 'serial'],
  [/\bconcurrent\b/g, 'concurrent'],
  [/\bparallel\b/g, 'parallel'],
  [/\bthreads\b/g, 'threads'],
  [/\bprocesses\b/g, 'processes'],
  [/\batomic\b/g, 'atomic'],
  // A comparison's title: "4 × 5 · delay:50 · serial/threading/forking/async".
  [/\bthreading\b/g, 'threading'],
  [/\bforking\b/g, 'forking'],
  [/\basync\b/g, 'async'],
  [/\becho\b/g, 'echo'],
  [/\breverse\b/g, 'reverse'],
  [/\bcancelled\b/g, 'cancelled'],
]

/** A sticky run's title ends with its framing in brackets: "3 × send → 1 × recv (none, UDP)". */
const TITLE_FRAME = / \((none|len32le|len32be|line)(, UDP)?\)$/

/** A run's title in the learner's language: the lab stores titles such as "threads × 4 atomic" or "… · switch on io". */
export function runTitle(title: string, lang: 'zh' | 'en', t: (key: string) => string): string {
  const framed = title.replace(TITLE_FRAME, (_m, frame: string, udp?: string) => {
    const word = t(`history.values.frame.${frame}`)
    return lang === 'zh' ? `（${word}${udp ? '，UDP' : ''}）` : ` (${word}${udp ?? ''})`
  })
  if (lang === 'en') return framed.replace(/switch on io\b/g, t('history.values.switchIo')).replace(/switch on end\b/g, t('history.values.switchEnd'))
  const delayed = framed.replace(/\bdelay:(\d+)\b/g, (_m, n: string) => `${t('history.values.delay')} ${n} ms`)
  return TITLE_WORDS.reduce((text, [word, key]) => text.replace(word, t(`history.values.${key}`)), delayed)
}
