import { ref, watch } from 'vue'
import { storeToRefs } from 'pinia'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../shared/contract'
import { isUnspecifiedHost } from '../../shared/net-address'
import { useServersStore } from '../stores/servers'

/**
 * A host and port that follow the newest server of this protocol the learner starts, so
 * "start a server, then send" just works; the learner can still type any host and port.
 */
export function useServerTarget(proto: 'tcp' | 'udp') {
  const { running } = storeToRefs(useServersStore())
  const host = ref(DEFAULT_HOST)
  const port = ref<number>(DEFAULT_PORT)
  const follow = (s: { host: string; port: number } | undefined) => {
    if (!s) return
    // A server on every interface is reached on this machine through loopback.
    host.value = isUnspecifiedHost(s.host) ? (s.host.includes(':') ? '::1' : '127.0.0.1') : s.host
    port.value = s.port
  }
  follow(running.value.filter((s) => s.proto === proto).at(-1))
  watch(
    () => running.value.filter((s) => s.proto === proto).at(-1),
    (s, old) => {
      if (s && s.id !== old?.id) follow(s)
    },
  )
  return { host, port }
}
