/** A message tree: nested objects whose leaves are the words on screen. */
export interface MessageTree {
  [key: string]: string | MessageTree
}

/** English's tree with every leaf widened to `string`: the shape the Chinese tree must have, key for key. */
export type SameShape<T> = { [K in keyof T]: T[K] extends string ? string : SameShape<T[K]> }

/**
 * One part's messages in both languages. `zh` is typed from `en`, so a key missing from (or extra in)
 * the Chinese tree fails `tsc`, not a learner's screen (issue 15).
 */
export function defineCatalog<T extends MessageTree>(catalog: { en: T; zh: NoInfer<SameShape<T>> }): {
  en: T
  zh: SameShape<T>
} {
  return catalog
}
