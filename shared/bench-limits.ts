import { MAX_DATAGRAM_BYTES } from './contract/net'
import { int } from './schema'

/**
 * The limits of `lab bench` (main/cli/commands/bench.ts), a closed-loop load generator that runs
 * in the CLI only and so has no contract method: its options' ranges, the --help text and the
 * errors all read them here (issue 15: a limit is written once, in shared/).
 */
export const BENCH_OPTIONS = {
  clients: int({ min: 1, max: 1000 }),
  messages: int({ min: 1, max: 1_000_000 }),
  /** One request must fit one UDP datagram. */
  bytes: int({ min: 1, max: MAX_DATAGRAM_BYTES }),
  replyTimeoutMs: int({ min: 1, max: 600_000 }),
} as const

export const BENCH_DEFAULTS = { clients: 8, messages: 1000, bytes: 64, replyTimeoutMs: 10_000 } as const
