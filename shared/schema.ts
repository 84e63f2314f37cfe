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

/** A plain object with exactly these keys: unknown keys are rejected (SECURITY.md item 9). */
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

/** An IP literal or a host name of at most 253 characters (SECURITY.md item 9). */
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
