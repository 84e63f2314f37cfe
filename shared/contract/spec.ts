import type { Schema } from '../schema'

/** One contract entry: the input's runtime schema, and the output type carried as a phantom. */
export interface MethodSpec<I, O> {
  readonly input: Schema<I>
  readonly __output?: O
}

/** `method<Output>()(inputSchema)`: the output type is named once, the input type comes from the schema. */
export function method<O>() {
  return <I>(input: Schema<I>): MethodSpec<I, O> => ({ input })
}
