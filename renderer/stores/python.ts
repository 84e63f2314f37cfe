import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { PYTHON_OUTPUT_LINES, type PythonPeer, type PythonProgramId } from '../../shared/contract'
import { useLabStore } from './lab'

/** The lab's Python programs the learner started as peers, with their live output. */
export const usePythonStore = defineStore('python', () => {
  const lab = useLabStore()
  const peers = ref<PythonPeer[]>([])
  const busy = ref<PythonProgramId | null>(null)

  /** `lab.info` says whether python3 exists; null while the engine has not answered. */
  const available = computed<boolean | null>(() => (lab.info ? lab.info.python !== null : null))

  const upsert = (peer: PythonPeer) => {
    const i = peers.value.findIndex((p) => p.id === peer.id)
    if (i === -1) peers.value = [...peers.value, peer]
    else peers.value.splice(i, 1, peer)
  }

  lab.on('python.output', (e) => {
    const peer = peers.value.find((p) => p.id === e.id)
    if (!peer) return
    peer.output.push({ at: e.at, stream: e.stream, text: e.text })
    if (peer.output.length > PYTHON_OUTPUT_LINES) peer.output.splice(0, peer.output.length - PYTHON_OUTPUT_LINES)
  })
  lab.on('python.exit', (e) => {
    const peer = peers.value.find((p) => p.id === e.id)
    if (!peer) return
    peer.state = 'exited'
    peer.exitCode = e.exitCode
    peer.signal = e.signal
  })

  /** The newest peer of a program (running or not), for its panel. */
  function latest(program: PythonProgramId): PythonPeer | undefined {
    return [...peers.value].reverse().find((p) => p.program === program)
  }

  async function run(program: PythonProgramId, port: number, messages?: string[]) {
    busy.value = program
    try {
      const peer = await lab.attempt('python.run', messages?.length ? { program, port, messages } : { program, port })
      if (peer) upsert(peer)
      return peer
    } finally {
      busy.value = null
    }
  }

  async function stop(id: string) {
    const peer = await lab.attempt('python.stop', { id })
    if (peer) upsert(peer)
  }

  async function refresh() {
    const list = await lab.attempt('python.list', {})
    if (list) peers.value = list
  }

  return { peers, busy, available, latest, run, stop, refresh }
})
