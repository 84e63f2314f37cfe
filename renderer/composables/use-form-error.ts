import { computed, type Ref } from 'vue'
import type { LabErrorData } from '../../shared/errors'

/**
 * A form that shows its engine error in its own box (the server panel's send forms) ties that error
 * to the field it is about, as useFieldErrors does for a highlighted field (issue 14): that input
 * gets aria-invalid and aria-describedby pointing at the box, and editing it clears the error, so
 * the box never speaks about a payload the learner has since changed. An error about no field (the
 * server stopped) stays until the next send. The field is the error's `field`, else the engine's
 * `params.option` (a hex payload it could not read names `option: 'payload'`).
 *
 *   const fe = useFormError(error, idFor('error'))
 *   <input v-model="payload" v-bind="fe.attrs('payload')" />   ← the contract's name of the field
 *   <select v-model="encoding" v-bind="fe.attrs('encoding', ['payload'])" />   ← also changes what the payload means
 */
export function useFormError(error: Ref<LabErrorData | null>, boxId: string) {
  const field = computed(() => {
    const e = error.value
    return e?.field ?? (typeof e?.params?.option === 'string' ? e.params.option : undefined)
  })
  function attrs(name: string, alsoClears: readonly string[] = []): Record<string, unknown> {
    const about = field.value === name
    const edited = () => {
      const f = field.value
      if (f !== undefined && (f === name || alsoClears.includes(f))) error.value = null
    }
    return { 'aria-invalid': about ? 'true' : 'false', ...(about ? { 'aria-describedby': boxId } : {}), onInput: edited, onChange: edited }
  }
  /** The field the error is about, if the form shows it highlighted. */
  return { attrs, field }
}
