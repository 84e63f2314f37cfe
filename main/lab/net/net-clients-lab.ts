import os from 'node:os'
import { COMPARE_DEFAULTS, COMPARE_MODES, netClientMethods, type CompareMode, type netExperimentMethods } from '../../../shared/contract'
import { comparePlan } from '../../../shared/run-estimate'
import type { LabContext, LabDomain } from '../context'
import { runCompare } from './compare-experiment'
import { runSticky } from './sticky-experiment'
import { TcpClients } from './tcp-clients'
import { udpSend } from './udp-client'
import { takeDescriptors, withOneShotClient } from './descriptors'

type ClientMethod = keyof typeof netClientMethods | keyof typeof netExperimentMethods

/** What an absent field of `net.tcpClient.open` means: its schema's default (the CLI and the page read the same). */
const OPEN = netClientMethods['net.tcpClient.open'].input.shape

/** Persistent TCP clients, the UDP sender and the two network experiments. */
export function createNetClientsLab(ctx: LabContext): LabDomain<ClientMethod> {
  const emit = (event: Parameters<typeof ctx.emit<'net.client'>>[1]) => ctx.emit('net.client', event)
  const clients = new TcpClients(emit)
  let nextUdp = 1
  let nextRun = 1

  return {
    handlers: {
      'net.tcpClient.open': (input) =>
        clients.open({
          host: input.host,
          port: input.port,
          nodelay: input.nodelay ?? OPEN.nodelay.default,
          frame: input.frame ?? OPEN.frame.default,
          encoding: input.encoding ?? OPEN.encoding.default,
          timeoutMs: input.timeoutMs ?? OPEN.timeoutMs.default,
        }),
      'net.tcpClient.send': (input) => clients.find(input.id).write(input),
      'net.tcpClient.close': ({ id }) => clients.close(id),
      'net.tcpClient.list': () => clients.list(),
      'net.udp.send': (input) => withOneShotClient('a UDP send', () => udpSend(input, `u-${nextUdp++}`, emit)),
      'net.sticky.run': ({ runId, ...input }) => {
        takeDescriptors(2, 'the sticky-packet run')()
        // The plan needs the run's exact byte count, which runSticky computes: it opens the run itself.
        return runSticky(input, (plan, work) => ctx.runs.track('net.sticky', runId, plan, work))
      },
      'net.compare.run': ({ runId, ...input }) => {
        // Each mode's server and its K clients: checked before anything starts.
        takeDescriptors(input.clients ?? COMPARE_DEFAULTS.clients, 'the comparison')()
        const modes = [...new Set(input.modes ?? COMPARE_MODES)]
        const plan = (python: boolean | readonly CompareMode[]) => comparePlan({ ...input, modes, python }, os.availableParallelism())
        return ctx.runs.track('net.compare', runId ?? `cmp-${nextRun++}`, plan(input.python ?? false), (run) =>
          runCompare(input, {
            workersDir: ctx.workersDir,
            runId: run.runId,
            progress: (done, step) => run.progress(done, step),
            replan: (pythonModes) => run.replan(plan(pythonModes)),
            signal: run.signal,
            cancelled: run.cancelled,
          }),
        )
      },
    },
    async close() {
      await clients.closeAll()
    },
  }
}
