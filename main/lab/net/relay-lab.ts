import { DEFAULT_HOST, netRelayMethods, RELAY_DEFAULT_SEED, RELAY_LIMITS } from '../../../shared/contract'
import type { LabContext, LabDomain } from '../context'
import { LabError, limitError } from '../errors'
import { bindAddress } from './bind-address'
import { withOneShotClient } from './descriptors'
import { Relay, targetAddress } from './relay'
import { fullConditions } from './relay-conditions'
import { probe } from './relay-probe'

type RelayMethod = keyof typeof netRelayMethods

/** What an absent field means: the schemas' defaults (the CLI and the page read the same). */
const START = netRelayMethods['net.relay.start'].input.shape
const PROBE = netRelayMethods['net.relay.probe'].input.shape

/** The relays the learner runs; a stopped one is kept (with its events) until a new one would go over the limit. */
export function createRelayLab(ctx: LabContext): LabDomain<RelayMethod> & { relays: Map<string, Relay> } {
  const relays = new Map<string, Relay>()
  let next = 1
  const find = (id: string) => {
    const r = relays.get(id)
    if (!r) throw new LabError('ERR_NOT_FOUND', `no relay ${JSON.stringify(id)}`, { id })
    return r
  }
  const running = () => [...relays.values()].filter((r) => r.info().state === 'listening')

  return {
    relays,
    handlers: {
      'net.relay.start': async (input) => {
        if (running().length >= RELAY_LIMITS.relays) {
          throw limitError('RELAY_LIMITS.relays', running().length, 'stop a relay first')
        }
        // The same consent rule as the servers' for where it listens, and one of the same kind for where it sends.
        const listenHost = await bindAddress(input.listenHost ?? DEFAULT_HOST, input.allInterfaces)
        const targetHost = await targetAddress(input.targetHost ?? DEFAULT_HOST, input.remoteTarget)
        // Forget stopped relays beyond the limit, oldest first.
        for (const [id, r] of relays) if (relays.size >= RELAY_LIMITS.relays && r.info().state === 'closed') relays.delete(id)
        const relay = new Relay(
          `relay-${next++}`,
          {
            proto: input.proto ?? START.proto.default,
            listenHost,
            listenPort: input.listenPort ?? 0,
            targetHost,
            targetPort: input.targetPort,
            seed: input.seed ?? RELAY_DEFAULT_SEED,
            up: fullConditions(input.up),
            down: fullConditions(input.down),
          },
          (e) => ctx.emit('net.relay', e),
        )
        const info = await relay.start()
        relays.set(relay.id, relay)
        return info
      },
      'net.relay.update': ({ id, seed, up, down }) => find(id).update(seed, up, down),
      'net.relay.stop': ({ id }) => find(id).stop(),
      'net.relay.list': () => [...relays.values()].map((r) => r.info()),
      'net.relay.events': ({ id }) => find(id).log.read(),
      'net.relay.probe': (input) => {
        const relay = find(input.id)
        const info = relay.info()
        if (info.state !== 'listening') throw new LabError('ERR_BAD_STATE', `relay ${input.id} is stopped`)
        if (info.proto !== 'both' && info.proto !== input.proto) {
          throw new LabError('ERR_BAD_STATE', `relay ${input.id} carries ${info.proto.toUpperCase()} only, not ${input.proto.toUpperCase()}`, { path: 'proto' })
        }
        return withOneShotClient('a probe through the relay', () =>
          probe({ relayId: input.id, proto: input.proto, to: info.listen, count: input.count ?? PROBE.count.default, gapMs: input.gapMs ?? PROBE.gapMs.default, waitMs: input.waitMs ?? PROBE.waitMs.default, relay: { watch: (fn) => relay.log.watch(fn), udpConn: (remote) => relay.udpConn(remote) } }),
        )
      },
    },
    async close() {
      await Promise.allSettled([...relays.values()].map((r) => r.stop()))
    },
  }
}
