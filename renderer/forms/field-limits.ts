import { methodSpecs, type MethodName } from '../../shared/contract'
import { limitsOf, type Schema } from '../../shared/schema'

type FieldOf<M extends MethodName> = (typeof methodSpecs)[M]['input'] extends { shape: infer S } ? keyof S & string : never

/**
 * The range a form input may take: the contract's, for the field of the method the form calls, so
 * that an input's min/max never restate a number of shared/ (issue 15). `fieldLimits('net.udp.send', 'port')`.
 */
export function fieldLimits<M extends MethodName>(method: M, field: FieldOf<M>): { min: number; max: number } {
  const shape = (methodSpecs[method].input as unknown as { shape: Record<string, Schema<unknown>> }).shape
  return limitsOf(shape[field]!)
}
