import os from 'node:os'
import { COMPARE_DEFAULTS, COMPARE_MAX_BYTES, COMPARE_MAX_CLIENTS, COMPARE_MAX_MESSAGES, COMPARE_MODES, type CompareMode, type CompareModeResult } from '../../../shared/contract'
import { comparePlan, planMs } from '../../../shared/run-estimate'
import { CANCELLED_EXIT, cancellable, cancelledLine } from '../long-run'
import { Lab } from '../../lab/lab'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { parseIntOption, usageError } from '../io'

function modes(value: unknown): CompareMode[] | undefined {
  if (value === undefined) return undefined
  const list = String(value)
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
  const bad = list.find((m) => !(COMPARE_MODES as readonly string[]).includes(m))
  if (bad !== undefined || list.length === 0) throw usageError(`--modes takes a comma-separated list of ${COMPARE_MODES.join(', ')}, got ${JSON.stringify(value)}`, { option: 'modes' })
  return list as CompareMode[]
}

function row(m: CompareModeResult): string[] {
  const waits = m.clients.map((c) => c.waitMs ?? 0)
  const mean = waits.reduce((a, b) => a + b, 0) / Math.max(1, waits.length)
  return [m.mode, m.totalMs.toFixed(0), m.msgsPerSec.toFixed(1), m.p50Ms.toFixed(1), m.p99Ms.toFixed(1), mean.toFixed(1), Math.max(...waits).toFixed(1), String(m.wrong), String(m.failed)]
}

export const concurrencyCommand: Command = {
  name: 'concurrency',
  summary: 'serial vs concurrent TCP servers: the same clients against each mode',
  help: `lab concurrency [--clients K] [--messages M] [--bytes B] [--handler H] [--modes LIST] [--json]

For each server mode in turn, starts the lab's TCP server in that mode on 127.0.0.1,
runs K clients at once, each doing M request/reply round trips, and stops it. Prints
per mode the total time, throughput, latency percentiles and how long the clients
waited for their first reply (in serial mode, everyone behind the first waits).

  --clients K     clients at once (default ${COMPARE_DEFAULTS.clients}, at most ${COMPARE_MAX_CLIENTS})
  --messages M    round trips per client (default ${COMPARE_DEFAULTS.messages}, at most ${COMPARE_MAX_MESSAGES})
  --bytes B       bytes per request (default ${COMPARE_DEFAULTS.bytes}, at most ${COMPARE_MAX_BYTES})
  --handler H     upper, echo, reverse or delay:<ms> (default ${COMPARE_DEFAULTS.handler}, so waiting shows)
  --modes LIST    comma-separated, from ${COMPARE_MODES.join(',')} (default all)
  --json          the whole result as one JSON object (per mode: clients, timeline, …)

Ctrl-C cancels: the modes that finished are printed; exit code 130.`,
  options: {
    clients: { type: 'string' },
    messages: { type: 'string' },
    bytes: { type: 'string' },
    handler: { type: 'string' },
    modes: { type: 'string' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    if (positionals.length) throw usageError(`lab concurrency takes options only, got ${JSON.stringify(positionals[0])}`)
    const input = {
      clients: parseIntOption(values.clients as string | undefined, 'clients', 1, COMPARE_MAX_CLIENTS),
      messages: parseIntOption(values.messages as string | undefined, 'messages', 1, COMPARE_MAX_MESSAGES),
      bytes: parseIntOption(values.bytes as string | undefined, 'bytes', 1, COMPARE_MAX_BYTES),
      handler: values.handler as string | undefined,
      modes: modes(values.modes),
    }
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const estimate = planMs(comparePlan({ ...input, modes: [...new Set(input.modes ?? COMPARE_MODES)] }, os.availableParallelism()))
      const r = await cancellable(io, lab, estimate, values.json === true, (runId) => lab.invoke('net.compare.run', { ...input, runId }))
      if (values.json === true) {
        io.out(JSON.stringify({ ok: true, ...r }))
        return r.cancelled ? CANCELLED_EXIT : 0
      }
      const s = r.settings
      io.out(`${s.clients} clients × ${s.messages} round trips × ${s.bytes} bytes, handler ${s.handler}, on 127.0.0.1`)
      const table = [['mode', 'total ms', 'msgs/s', 'p50 ms', 'p99 ms', 'mean wait ms', 'max wait ms', 'wrong', 'failed'], ...r.modes.map(row)]
      const widths = table[0]!.map((_, i) => Math.max(...table.map((t) => t[i]!.length)))
      for (const t of table) io.out(t.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
      if (r.cancelled) {
        io.out(cancelledLine(r.cancelled, 'round trips'))
        return CANCELLED_EXIT
      }
      return r.modes.every((m) => m.wrong === 0 && m.failed === 0) ? 0 : 1
    } finally {
      await lab.close()
    }
  },
}
