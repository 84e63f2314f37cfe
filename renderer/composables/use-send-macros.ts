import { ref } from 'vue'
import { FIRST_MACRO_COUNTER } from '../../shared/macros'

/**
 * The "Expand {{…}} macros" box of a client's send form (the UDP sender, a persistent TCP client's
 * card): whether it is ticked and the {{COUNTER}} the next send starts at, carried on from what the
 * engine says the last send left it at (`nextCounter`), so a learner's counter runs on from send to
 * send as the server panel's does. SendMacrosBox.vue shows it.
 *
 *   const macros = useSendMacros()
 *   store.send({ …, ...macros.fields() }).then((r) => macros.carry(r))
 */
export function useSendMacros(first: number = FIRST_MACRO_COUNTER) {
  const on = ref(false)
  const counter = ref(first)
  return {
    on,
    counter,
    /** What a send adds to its input: nothing with the box off (the engine then sends the payload as typed). */
    fields: (): { macros?: true; counter?: number } => (on.value ? { macros: true, counter: counter.value } : {}),
    /** After a send: the counter goes on from the engine's answer (a refused send leaves it). */
    carry(result: { nextCounter: number } | null | undefined) {
      if (result) counter.value = result.nextCounter
    },
  }
}

export type SendMacros = ReturnType<typeof useSendMacros>
