import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { OsSocketTable } from '../../shared/contract'
import type { LabErrorData } from '../../shared/errors'
import { useLabStore } from './lab'

/** How often the live socket table is read while someone shows it. */
const SOCKET_READ_MS = 1000

/**
 * The lab's sockets as the kernel sees them, read about once a second (os.sockets) while any
 * view holds the table: `acquire()` returns the release function. One read serves every view.
 */
export const useOsSocketsStore = defineStore('os-sockets', () => {
  const lab = useLabStore()
  const table = shallowRef<OsSocketTable | null>(null)
  const error = ref<LabErrorData | null>(null)
  let holders = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let reading = false

  async function read(): Promise<void> {
    if (reading) return
    reading = true
    try {
      const r = await lab.call('os.sockets', {})
      if (r.ok) {
        table.value = r.value
        error.value = null
      } else error.value = r.error
    } finally {
      reading = false
    }
  }

  async function loop(): Promise<void> {
    timer = null
    await read()
    // The next read is scheduled after this one answered: a slow read (PowerShell) never piles up.
    if (holders > 0 && timer === null) timer = setTimeout(() => void loop(), SOCKET_READ_MS)
  }

  function acquire(): () => void {
    holders++
    if (holders === 1) void loop()
    let released = false
    return () => {
      if (released) return
      released = true
      holders--
      if (holders === 0 && timer) {
        clearTimeout(timer)
        timer = null
      }
    }
  }

  /** Read now (after the lab did something the learner wants to see at once). */
  const refresh = () => read()

  return { table, error, acquire, refresh }
})
