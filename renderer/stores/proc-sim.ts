import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { SIM_MAX_IO_LENGTH, SIM_PROCS_PATTERN, type SimResult } from '../../shared/contract/os'
import { useHistoryStore } from './history'
import { useLabStore } from './lab'
import { processRunCommand } from './proc-sim-command'

/** The multiprogramming SIMULATOR (not a measurement), after OSTEP's process-run.py. */
export const useProcSimStore = defineStore('proc-sim', () => {
  const lab = useLabStore()
  const history = useHistoryStore()
  const procs = ref('5:100,1:0')
  const switchOn = ref<'io' | 'end'>('io')
  const ioDone = ref<'later' | 'immediate'>('later')
  const ioLength = ref(5)
  const running = ref(false)
  const result = shallowRef<SimResult | null>(null)

  const procsValid = computed(() => SIM_PROCS_PATTERN.test(procs.value.trim()))
  const ioLengthValid = computed(() => Number.isInteger(ioLength.value) && ioLength.value >= 0 && ioLength.value <= SIM_MAX_IO_LENGTH)
  const command = computed(() => processRunCommand({ procs: procs.value.trim(), switchOn: switchOn.value, ioDone: ioDone.value, ioLength: ioLength.value }))

  async function run(): Promise<SimResult | null> {
    if (running.value || !procsValid.value || !ioLengthValid.value) return null
    running.value = true
    const settings = { procs: procs.value.trim(), switchOn: switchOn.value, ioDone: ioDone.value, ioLength: ioLength.value }
    try {
      const r = await lab.attempt('sim.run', settings)
      if (!r) return null
      result.value = r
      void history.record('sim.run', `${settings.procs} · switch on ${settings.switchOn}`, settings, { totalTime: r.totalTime, cpuBusy: r.cpuBusy, ioBusy: r.ioBusy, cpuUtilization: r.cpuUtilization, ioUtilization: r.ioUtilization }, r)
      return r
    } finally {
      running.value = false
    }
  }

  return { procs, switchOn, ioDone, ioLength, running, result, procsValid, ioLengthValid, command, run }
})
