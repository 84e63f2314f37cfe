/**
 * A small runtime schema library. Each schema both validates unknown input and
 * gives the TypeScript type (`Infer<typeof schema>`), so a method's input type is
 * written once. `shared/` may import nothing outside itself, hence our own — and it
 * measured smaller and as fast as valibot or zod on the lab's real calls
 * (docs/ARCHITECTURE.md, "Schemas"; `npm run bench -- schema`).
 *
 * What a schema says, it says once: its limits can be read back (`limitsOf`, `valuesOf`), so the CLI's
 * checks and help, the UI's input ranges and the messages read the same numbers; every problem is
 * reported with its path (`issues`, the first is `issue`), and each has a code and parameters from
 * which a message is made in either language (`issueText` here in English, the renderer's
 * `schema.*` messages in 简体中文).
 */

/** Why a value was refused; with `params`, enough to say it in any language. */
export type IssueCode =
  | 'type'
  | 'tooShort'
  | 'tooLong'
  | 'pattern'
  | 'range'
  | 'enum'
  | 'tooFew'
  | 'tooMany'
  | 'unknownKey'
  | 'notPlain'
  | 'notFinite'
  | 'tooDeep'
  | 'cycle'
  | 'undefinedItem'
  | 'tooLarge'
  | 'custom'

export type IssueParams = Record<string, string | number>

export interface Issue {
  path: string
  /** In English, for logs and the CLI; the page says it from `code` and `params` in the learner's language. */
  message: string
  code: IssueCode
  params?: IssueParams
}

/** Problems reported in one parse at most: a huge bad input costs no more than this. */
export const MAX_ISSUES = 20

export type Parsed<T> = { ok: true; value: T } | { ok: false; issue: Issue; issues: Issue[] }

/** A pattern's explanation, in both languages (the English one is also the CLI's and the logs'). */
export interface Hint {
  en: string
  zh: string
}

export interface Schema<T> {
  readonly kind: string
  readonly optional?: boolean
  parse(value: unknown, path?: string): Parsed<T>
}

export type Infer<S> = S extends Schema<infer T> ? T : never

/** The English text of an issue: the one place each reason is worded (zh: renderer `schema.*`). */
export function issueText(code: IssueCode, p: IssueParams = {}): string {
  switch (code) {
    case 'type':
      return p.expected === 'plain' ? 'expected a plain object' : `expected ${EXPECTED_EN[p.expected as string] ?? p.expected}, got ${p.got}`
    case 'tooShort':
      return `must be at least ${p.min} characters`
    case 'tooLong':
      return `must be at most ${p.max} characters`
    case 'pattern':
      return String(p.hint ?? 'does not have the expected form')
    case 'range':
      return `must be between ${p.min} and ${p.max}`
    case 'enum':
      return `must be one of ${p.values}`
    case 'tooFew':
      return `needs at least ${p.min} items`
    case 'tooMany':
      return `takes at most ${p.max} items`
    case 'unknownKey':
      return 'is not a known option'
    case 'notPlain':
      return 'expected a plain object'
    case 'notFinite':
      return 'must be a finite number'
    case 'tooDeep':
      return `is nested deeper than ${p.max} levels`
    case 'cycle':
      return 'refers back to itself (a cycle)'
    case 'undefinedItem':
      return 'is undefined, which JSON cannot hold'
    case 'tooLarge':
      return `is larger than ${p.max} bytes as JSON`
    case 'custom':
      return String(p.en ?? 'is not valid')
  }
}

const EXPECTED_EN: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  list: 'a list',
  object: 'an object',
  json: 'a JSON value',
  null: 'null',
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const issueAt = (path: string, code: IssueCode, params?: IssueParams): Issue => {
  const issue: Issue = { path: path || '(input)', message: issueText(code, params), code }
  if (params) issue.params = params
  return issue
}
const failWith = (issues: Issue[]): Parsed<never> => ({ ok: false, issue: issues[0]!, issues })
const fail = (path: string, code: IssueCode, params?: IssueParams): Parsed<never> => failWith([issueAt(path, code, params)])
const join = (path: string, key: string) => (path ? `${path}.${key}` : key)

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}
const wrongType = (path: string, expected: string, v: unknown) => fail(path, 'type', { expected, got: typeName(v) })

export interface StringSchema extends Schema<string> {
  readonly min: number
  readonly max: number
  readonly pattern?: RegExp
  readonly hint?: Hint
}

/** `patternHint` in both languages: a hint in English only reached the Chinese page as English. */
export function string(opts: { min?: number; max: number; pattern?: RegExp; patternHint?: Hint }): StringSchema {
  const min = opts.min ?? 0
  const hint = opts.patternHint
  return {
    kind: 'string',
    min,
    max: opts.max,
    ...(opts.pattern ? { pattern: opts.pattern } : {}),
    ...(hint ? { hint } : {}),
    parse(v, path = '') {
      if (typeof v !== 'string') return wrongType(path, 'string', v)
      if (v.length < min) return fail(path, 'tooShort', { min })
      if (v.length > opts.max) return fail(path, 'tooLong', { max: opts.max })
      if (opts.pattern && !opts.pattern.test(v)) {
        return fail(path, 'pattern', hint ? { hint: hint.en, hintZh: hint.zh } : { hint: `does not match ${opts.pattern}` })
      }
      return ok(v)
    },
  }
}

export interface IntSchema extends Schema<number> {
  readonly min: number
  readonly max: number
}

export function int(opts: { min: number; max: number }): IntSchema {
  return {
    kind: 'int',
    min: opts.min,
    max: opts.max,
    parse(v, path = '') {
      if (typeof v !== 'number' || !Number.isInteger(v)) return wrongType(path, 'integer', v)
      if (v < opts.min || v > opts.max) return fail(path, 'range', { min: opts.min, max: opts.max })
      return ok(v)
    },
  }
}

/** A finite number (not NaN, not ±Infinity). */
export function number(): Schema<number> {
  return {
    kind: 'number',
    parse(v, path = '') {
      if (typeof v !== 'number') return wrongType(path, 'number', v)
      return Number.isFinite(v) ? ok(v) : fail(path, 'notFinite')
    },
  }
}

export function boolean(): Schema<boolean> {
  return {
    kind: 'boolean',
    parse: (v, path = '') => (typeof v === 'boolean' ? ok(v) : wrongType(path, 'boolean', v)),
  }
}

/** Exactly `null`. */
export function nullValue(): Schema<null> {
  return { kind: 'null', parse: (v, path = '') => (v === null ? ok(null) : wrongType(path, 'null', v)) }
}

export interface EnumSchema<T extends string | number> extends Schema<T> {
  readonly values: readonly T[]
}

export function oneOf<const T extends readonly (string | number)[]>(values: T): EnumSchema<T[number]> {
  return {
    kind: 'enum',
    values,
    parse(v, path = '') {
      return (values as readonly unknown[]).includes(v)
        ? ok(v as T[number])
        : fail(path, 'enum', { values: values.map((x) => JSON.stringify(x)).join(', ') })
    },
  }
}

export interface ArraySchema<T> extends Schema<T[]> {
  readonly item: Schema<T>
  readonly min: number
  readonly max: number
}

export function array<T>(item: Schema<T>, opts: { min?: number; max: number }): ArraySchema<T> {
  const min = opts.min ?? 0
  return {
    kind: 'array',
    item,
    min,
    max: opts.max,
    parse(v, path = '') {
      if (!Array.isArray(v)) return wrongType(path, 'list', v)
      if (v.length < min) return fail(path, 'tooFew', { min })
      if (v.length > opts.max) return fail(path, 'tooMany', { max: opts.max })
      const out: T[] = []
      const issues: Issue[] = []
      for (let i = 0; i < v.length && issues.length < MAX_ISSUES; i++) {
        const r = item.parse(v[i], `${path}[${i}]`)
        if (r.ok) out.push(r.value)
        else issues.push(...r.issues.slice(0, MAX_ISSUES - issues.length))
      }
      return issues.length ? failWith(issues) : ok(out)
    },
  }
}

export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
  readonly inner: Schema<T>
}

/**
 * An optional field that says what its absence means: the default lives beside its limits, so the
 * engine (which applies it), the CLI (its `--help`) and the UI (a form's first value) read one number.
 * Parsing does not fill it in: an absent field stays absent (saved set-ups, history keep what was asked).
 */
export interface DefaultedSchema<T> extends OptionalSchema<T> {
  readonly default: T
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T>
/** `fallback` is checked against `inner` at once: a default outside its own limits fails at load. */
export function optional<T>(inner: Schema<T>, fallback: T): DefaultedSchema<T>
export function optional<T>(inner: Schema<T>, ...fallback: [T?]): OptionalSchema<T> | DefaultedSchema<T> {
  const schema: OptionalSchema<T> = {
    kind: inner.kind,
    optional: true,
    inner,
    parse: (v, path = '') => (v === undefined ? ok(undefined) : inner.parse(v, path)),
  }
  if (fallback.length === 0) return schema
  const checked = inner.parse(fallback[0], '(default)')
  if (!checked.ok) throw new TypeError(`a default that its own schema refuses: ${checked.issue.path} ${checked.issue.message}`)
  return { ...schema, default: checked.value }
}

/** The default an optional field declares (see `optional(inner, fallback)`); throws when it has none. */
export function defaultOf<T>(schema: Schema<T | undefined> | Schema<T>): T {
  const s = schema as Partial<DefaultedSchema<T>>
  if (!('default' in s)) throw new TypeError(`a ${schema.kind} schema has no default`)
  return s.default as T
}

/**
 * One of several schemas, tried in order; the value is the first that accepts it. When none does,
 * the issue of the last alternative whose kind matched the value's type is reported (or "expected …").
 */
export function union<const S extends readonly Schema<unknown>[]>(alternatives: S): Schema<Infer<S[number]>> {
  return {
    kind: 'union',
    parse(v, path = '') {
      let nearest: Parsed<never> | undefined
      for (const alt of alternatives) {
        const r = alt.parse(v, path)
        if (r.ok) return r as Parsed<Infer<S[number]>>
        if (r.issue.code !== 'type') nearest = r
      }
      return nearest ?? fail(path, 'type', { expected: alternatives.map((a) => a.kind).join(' | '), got: typeName(v) })
    },
  }
}

/** A plain object whose keys all match `key` and whose values all match `value`, at most `maxKeys` of them. */
export function record<V>(key: StringSchema, value: Schema<V>, opts: { maxKeys: number }): Schema<Record<string, V>> {
  return {
    kind: 'record',
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(path, 'object', v)
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return fail(path, 'notPlain')
      const keys = Object.keys(v)
      if (keys.length > opts.maxKeys) return fail(path, 'tooMany', { max: opts.maxKeys })
      const out: Record<string, V> = {}
      const issues: Issue[] = []
      for (const k of keys) {
        if (issues.length >= MAX_ISSUES) break
        const kr = key.parse(k, join(path, k))
        if (!kr.ok) {
          issues.push(...kr.issues)
          continue
        }
        const r = value.parse((v as Record<string, unknown>)[k], join(path, k))
        if (r.ok) out[k] = r.value
        else issues.push(...r.issues.slice(0, MAX_ISSUES - issues.length))
      }
      return issues.length ? failWith(issues) : ok(out)
    },
  }
}

/**
 * A check of our own on top of a schema (a task spec, a handler's delay within its limit): `check`
 * returns null when the value is good, else what is wrong in both languages.
 */
export function refine<S extends Schema<unknown>>(schema: S, check: (value: Infer<S>) => Hint | null): S {
  return {
    ...schema,
    parse(v: unknown, path = '') {
      const r = schema.parse(v, path)
      if (!r.ok) return r
      const wrong = check(r.value as Infer<S>)
      return wrong ? fail(path, 'custom', { en: wrong.en, zh: wrong.zh }) : r
    },
  }
}

/** `first` checks (e.g. a JSON byte cap, walked early), then `then` gives the value its type. */
export function pipe<T>(first: Schema<unknown>, then: Schema<T>): Schema<T> {
  return {
    kind: then.kind,
    parse(v, path = '') {
      const r = first.parse(v, path)
      return r.ok ? then.parse(v, path) : r
    },
  }
}

export type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>
type Simplify<T> = { [K in keyof T]: T[K] } & {}
export type InferShape<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>

export interface ObjectSchema<S extends Shape> extends Schema<InferShape<S>> {
  readonly shape: S
}

/** A plain object with exactly these keys: unknown keys are rejected (docs/SECURITY.md item 9). */
export function object<S extends Shape>(shape: S): ObjectSchema<S> {
  return {
    kind: 'object',
    shape,
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(path, 'object', v)
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return fail(path, 'notPlain')
      const rec = v as Record<string, unknown>
      const issues: Issue[] = []
      for (const key of Object.keys(rec)) {
        if (issues.length >= MAX_ISSUES) break
        if (!Object.prototype.hasOwnProperty.call(shape, key)) issues.push(issueAt(join(path, key), 'unknownKey'))
      }
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(shape)) {
        if (issues.length >= MAX_ISSUES) break
        const r = shape[key]!.parse(rec[key], join(path, key))
        if (!r.ok) issues.push(...r.issues.slice(0, MAX_ISSUES - issues.length))
        else if (r.value !== undefined) out[key] = r.value
      }
      return issues.length ? failWith(issues) : ok(out as InferShape<S>)
    },
  }
}

/** The range a number or text length takes, read back from its schema (optional or not): said once. */
export function limitsOf(schema: Schema<unknown>): { min: number; max: number } {
  const s = (schema as Partial<OptionalSchema<unknown>>).inner ?? schema
  const { min, max } = s as Partial<IntSchema>
  if (typeof min !== 'number' || typeof max !== 'number') throw new TypeError(`a ${s.kind} schema has no limits`)
  return { min, max }
}

/** The values an enum schema accepts (optional or not). */
export function valuesOf<T extends string | number>(schema: Schema<T | undefined> | Schema<T>): readonly T[] {
  const s = (schema as Partial<OptionalSchema<unknown>>).inner ?? schema
  const values = (s as Partial<EnumSchema<T>>).values
  if (!values) throw new TypeError(`a ${s.kind} schema has no values`)
  return values
}

/** An IP literal or a host name of at most 253 characters (docs/SECURITY.md item 9). */
export function host(): Schema<string> {
  return string({
    min: 1,
    max: 253,
    pattern: /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/,
    patternHint: { en: 'must be an IP address such as 127.0.0.1 or a host name such as localhost', zh: '应是 IP 地址（例如 127.0.0.1）或主机名（例如 localhost）' },
  })
}

export function port(): Schema<number> {
  return int({ min: 0, max: 65535 })
}

export const empty = object({})

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface JsonOptions {
  /** Cap on the size of the value's JSON text, in UTF-8 bytes (counted as the walk goes, so a huge value is refused early). */
  maxBytes: number
  /** Cap on nesting: 1 allows one object or list holding only plain values. Default 32. */
  maxDepth?: number
}

function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/**
 * Validates a plain JSON value, for results and settings the engine only stores: null,
 * booleans, finite numbers, strings, lists and plain objects — no functions, class
 * instances, cycles or undefined list items; object keys whose value is undefined are
 * ignored, as JSON.stringify does. The value is returned as given, not copied.
 */
function jsonSchema(opts: JsonOptions, rootObject: boolean): Schema<JsonValue> {
  const maxDepth = opts.maxDepth ?? 32
  return {
    kind: rootObject ? 'jsonObject' : 'json',
    parse(v, path = '') {
      let bytes = 0
      const ancestors = new Set<object>()
      const walk = (x: unknown, at: string, depth: number): Issue | null => {
        if (x === null || typeof x === 'boolean') bytes += x === false ? 5 : 4
        else if (typeof x === 'number') {
          if (!Number.isFinite(x)) return issueAt(at, 'notFinite')
          bytes += String(x).length
        } else if (typeof x === 'string') bytes += utf8Length(x) + 2
        else if (typeof x === 'object') {
          if (depth >= maxDepth) return issueAt(at, 'tooDeep', { max: maxDepth })
          if (ancestors.has(x)) return issueAt(at, 'cycle')
          ancestors.add(x)
          if (Array.isArray(x)) {
            bytes += 2
            for (let i = 0; i < x.length; i++) {
              if (x[i] === undefined) return issueAt(`${at}[${i}]`, 'undefinedItem')
              if (i > 0) bytes += 1
              const issue = walk(x[i], `${at}[${i}]`, depth + 1)
              if (issue) return issue
              if (bytes > opts.maxBytes) break
            }
          } else {
            const proto = Object.getPrototypeOf(x)
            if (proto !== Object.prototype && proto !== null) return issueAt(at, 'notPlain')
            bytes += 2
            const rec = x as Record<string, unknown>
            let first = true
            for (const key of Object.keys(rec)) {
              if (rec[key] === undefined) continue
              bytes += utf8Length(key) + (first ? 3 : 4)
              first = false
              const issue = walk(rec[key], at ? `${at}.${key}` : key, depth + 1)
              if (issue) return issue
              if (bytes > opts.maxBytes) break
            }
          }
          ancestors.delete(x)
        } else return issueAt(at, 'type', { expected: 'json', got: typeName(x) })
        return bytes > opts.maxBytes ? issueAt(at, 'tooLarge', { max: opts.maxBytes }) : null
      }
      if (rootObject && (typeof v !== 'object' || v === null || Array.isArray(v))) return wrongType(path, 'object', v)
      const issue = walk(v, path, 0)
      if (issue) return failWith([issue])
      return ok(v as JsonValue)
    },
  }
}

export function json(opts: JsonOptions): Schema<JsonValue> {
  return jsonSchema(opts, false)
}

/** Like `json`, but the value must be a plain object. */
export function jsonObject(opts: JsonOptions): Schema<JsonObject> {
  return jsonSchema(opts, true) as Schema<JsonObject>
}
