import type { Infer, Schema } from '../schema'

/**
 * One contract entry: the input's runtime schema (its own type kept, so the CLI and the UI can read its
 * limits back: `limitsOf(spec.input.shape.port)`), and the output type carried as a phantom.
 */
export interface MethodSpec<I, O, S extends Schema<unknown> = Schema<I>> {
  readonly input: S
  readonly __output?: O
  readonly __input?: I
}

/** `method<Output>()(inputSchema)`: the output type is named once, the input type comes from the schema. */
export function method<O>() {
  return <S extends Schema<unknown>>(input: S): MethodSpec<Infer<S>, O, S> => ({ input })
}
