import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { osMethods, SIM_MAX_CPUS, SIM_MAX_IO_LENGTH, SIM_MAX_QUANTUM, SIM_PROCS_PATTERN, type SimResult } from '../../shared/contract/os'

/** The form starts from `sim.run`'s defaults (process-run.py's, what the engine and `lab simulate` use). */
const SIM = osMethods['sim.run'].input.shape
import { useHistoryStore } from './history'
import { useLabStore } from './lab'
import { processRunCommand } from '../proc-sim-command'

/** The multiprogramming SIMULATOR (not a measurement), after OSTEP's process-run.py. */
export const useProcSimStore = defineStore('proc-sim', () => {
  const lab = useLabStore()
  const history = useHistoryStore()
  const procs = ref('5:100,1:0')
  const switchOn = ref<'io' | 'end'>(SIM.switchOn.default)
  const ioDone = ref<'later' | 'immediate'>(SIM.ioDone.default)
  const ioLength = ref<number>(SIM.ioLength.default)
  /** The lab's extension (not in process-run.py): simulated CPUs sharing one ready queue, and a time slice (null: none). */
  const cpus = ref<number>(SIM.cpus.default)
  const quantum = ref<number | null>(null)
  const running = ref(false)
  const result = shallowRef<SimResult | null>(null)

  const procsValid = computed(() => SIM_PROCS_PATTERN.test(procs.value.trim()))
  const ioLengthValid = computed(
    () =>
      Number.isInteger(ioLength.value) &&
      ioLength.value >= 0 &&
      ioLength.value <= SIM_MAX_IO_LENGTH &&
      Number.isInteger(cpus.value) &&
      cpus.value >= 1 &&
      cpus.value <= SIM_MAX_CPUS &&
      (quantum.value === null || (Number.isInteger(quantum.value) && quantum.value >= 1 && quantum.value <= SIM_MAX_QUANTUM)),
  )
  /** Several CPUs or a time slice: the lab's rules (switch on I/O, finished I/O back in the queue). */
  const extended = computed(() => cpus.value > 1 || quantum.value !== null)
  const command = computed(() => processRunCommand({ procs: procs.value.trim(), switchOn: switchOn.value, ioDone: ioDone.value, ioLength: ioLength.value }))

  async function run(): Promise<SimResult | null> {
    if (running.value || !procsValid.value || !ioLengthValid.value) return null
    running.value = true
    const settings = {
      procs: procs.value.trim(),
      switchOn: extended.value ? ('io' as const) : switchOn.value,
      ioDone: extended.value ? ('later' as const) : ioDone.value,
      ioLength: ioLength.value,
      ...(cpus.value > 1 ? { cpus: cpus.value } : {}),
      ...(quantum.value !== null ? { quantum: quantum.value } : {}),
    }
    try {
      const r = await lab.attempt('sim.run', settings)
      if (!r) return null
      result.value = r
      void history.record('sim.run', `${settings.procs} · switch on ${settings.switchOn}`, settings, { switchOn: settings.switchOn, totalTime: r.totalTime, cpuBusy: r.cpuBusy, ioBusy: r.ioBusy, cpuUtilization: r.cpuUtilization, ioUtilization: r.ioUtilization }, r)
      return r
    } finally {
      running.value = false
    }
  }

  return { procs, switchOn, ioDone, ioLength, cpus, quantum, extended, running, result, procsValid, ioLengthValid, command, run }
})
