import type { Events, netLogMethods, Topic } from '../../../shared/contract'
import type { LabDomain } from '../context'
import { NetEventLog } from './event-log'
import { TrafficCounterBook } from './traffic-counters'

type LogMethod = keyof typeof netLogMethods

/**
 * The network event log and the traffic counters, fed by `note()` with every event the engine
 * publishes (lab.ts calls it before the doors see the event, so each carries its `logSeq`).
 */
export function createEventLogLab(): LabDomain<LogMethod> & { note<T extends Topic>(topic: T, payload: Events[T]): void } {
  const log = new NetEventLog()
  const counters = new TrafficCounterBook()
  return {
    note(topic, payload) {
      if (topic === 'net.server') {
        const e = payload as Events['net.server']
        log.note('net.server', e)
        counters.serverEvent(e)
      } else if (topic === 'net.client') {
        const e = payload as Events['net.client']
        log.note('net.client', e)
        counters.clientEvent(e)
      }
    },
    handlers: {
      'net.log.read': ({ afterSeq, limit }) => log.read(afterSeq ?? 0, limit),
      'net.log.clear': () => ({ cleared: log.clear() }),
      'net.counters.read': () => counters.read(),
      'net.counters.reset': (which) => ({ reset: counters.reset(which) }),
    },
    close: async () => {},
  }
}
