/**
 * A small runtime schema library. Each schema both validates unknown input and
 * gives the TypeScript type (`Infer<typeof schema>`), so a method's input type is
 * written once. `shared/` may import nothing outside itself, hence our own.
 */

export interface Issue {
  path: string
  message: string
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issue: Issue }

export interface Schema<T> {
  readonly kind: string
  readonly optional?: boolean
  parse(value: unknown, path?: string): Parsed<T>
}

export type Infer<S> = S extends Schema<infer T> ? T : never

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const fail = (path: string, message: string): Parsed<never> => ({
  ok: false,
  issue: { path: path || '(input)', message },
})

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

export function string(opts: { min?: number; max: number; pattern?: RegExp; patternHint?: string }): Schema<string> {
  return {
    kind: 'string',
    parse(v, path = '') {
      if (typeof v !== 'string') return fail(path, `expected a string, got ${typeName(v)}`)
      if (opts.min !== undefined && v.length < opts.min) return fail(path, `must be at least ${opts.min} characters`)
      if (v.length > opts.max) return fail(path, `must be at most ${opts.max} characters`)
      if (opts.pattern && !opts.pattern.test(v)) return fail(path, opts.patternHint ?? `does not match ${opts.pattern}`)
      return ok(v)
    },
  }
}

export function int(opts: { min: number; max: number }): Schema<number> {
  return {
    kind: 'int',
    parse(v, path = '') {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, `expected an integer, got ${typeName(v)}`)
      if (v < opts.min || v > opts.max) return fail(path, `must be between ${opts.min} and ${opts.max}`)
      return ok(v)
    },
  }
}

export function boolean(): Schema<boolean> {
  return {
    kind: 'boolean',
    parse: (v, path = '') => (typeof v === 'boolean' ? ok(v) : fail(path, `expected true or false, got ${typeName(v)}`)),
  }
}

export function oneOf<const T extends readonly (string | number)[]>(values: T): Schema<T[number]> {
  return {
    kind: 'enum',
    parse(v, path = '') {
      return (values as readonly unknown[]).includes(v)
        ? ok(v as T[number])
        : fail(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`)
    },
  }
}

export function array<T>(item: Schema<T>, opts: { min?: number; max: number }): Schema<T[]> {
  return {
    kind: 'array',
    parse(v, path = '') {
      if (!Array.isArray(v)) return fail(path, `expected a list, got ${typeName(v)}`)
      if (opts.min !== undefined && v.length < opts.min) return fail(path, `needs at least ${opts.min} items`)
      if (v.length > opts.max) return fail(path, `takes at most ${opts.max} items`)
      const out: T[] = []
      for (let i = 0; i < v.length; i++) {
        const r = item.parse(v[i], `${path}[${i}]`)
        if (!r.ok) return r
        out.push(r.value)
      }
      return ok(out)
    },
  }
}

export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    kind: inner.kind,
    optional: true,
    parse: (v, path = '') => (v === undefined ? ok(undefined) : inner.parse(v, path)),
  }
}

export type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>
type Simplify<T> = { [K in keyof T]: T[K] } & {}
export type InferShape<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>

/** A plain object with exactly these keys: unknown keys are rejected (docs/SECURITY.md item 9). */
export function object<S extends Shape>(shape: S): Schema<InferShape<S>> {
  return {
    kind: 'object',
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, `expected an object, got ${typeName(v)}`)
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return fail(path, 'expected a plain object')
      const rec = v as Record<string, unknown>
      for (const key of Object.keys(rec)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) return fail(path ? `${path}.${key}` : key, 'is not a known option')
      }
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(shape)) {
        const r = shape[key]!.parse(rec[key], path ? `${path}.${key}` : key)
        if (!r.ok) return r
        if (r.value !== undefined) out[key] = r.value
      }
      return ok(out as InferShape<S>)
    },
  }
}

/** An IP literal or a host name of at most 253 characters (docs/SECURITY.md item 9). */
export function host(): Schema<string> {
  return string({
    min: 1,
    max: 253,
    pattern: /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/,
    patternHint: 'must be an IP address such as 127.0.0.1 or a host name such as localhost',
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
          if (!Number.isFinite(x)) return { path: at, message: 'must be a finite number' }
          bytes += String(x).length
        } else if (typeof x === 'string') bytes += utf8Length(x) + 2
        else if (typeof x === 'object') {
          if (depth >= maxDepth) return { path: at, message: `is nested deeper than ${maxDepth} levels` }
          if (ancestors.has(x)) return { path: at, message: 'refers back to itself (a cycle)' }
          ancestors.add(x)
          if (Array.isArray(x)) {
            bytes += 2
            for (let i = 0; i < x.length; i++) {
              if (x[i] === undefined) return { path: `${at}[${i}]`, message: 'is undefined, which JSON cannot hold' }
              if (i > 0) bytes += 1
              const issue = walk(x[i], `${at}[${i}]`, depth + 1)
              if (issue) return issue
              if (bytes > opts.maxBytes) break
            }
          } else {
            const proto = Object.getPrototypeOf(x)
            if (proto !== Object.prototype && proto !== null) return { path: at, message: 'expected a plain object' }
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
        } else return { path: at, message: `expected a JSON value, got ${typeName(x)}` }
        return bytes > opts.maxBytes ? { path: at, message: `is larger than ${opts.maxBytes} bytes as JSON` } : null
      }
      if (rootObject && (typeof v !== 'object' || v === null || Array.isArray(v))) return fail(path, `expected an object, got ${typeName(v)}`)
      const issue = walk(v, path, 0)
      if (issue) return fail(issue.path, issue.message)
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
